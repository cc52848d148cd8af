package extract

import (
	"runtime"
	"testing"
	"time"
)

func TestDetectLanguageShort(t *testing.T) {
	// Short texts are refused before the model is touched.
	for _, s := range []string{"", "Hello", "12345 67890 !!!", "Breaking news: fire"} {
		if got := detectLanguage(s); got != "" {
			t.Errorf("detectLanguage(%q) = %q, want \"\"", s, got)
		}
	}
}

func TestDetectLanguageByScript(t *testing.T) {
	// Scripts that belong to one language need no model.
	tests := []struct{ text, want string }{
		{"市議会は火曜日、川に架かる古い橋を秋までに改修する計画を承認した。工事は五月に始まる予定だ。", "ja"},
		{"시의회는 화요일 강 위의 오래된 다리를 가을까지 보수하는 계획을 승인했다고 밝혔습니다.", "ko"},
		{"市议会周二批准了在秋季之前修缮河上旧桥的计划，工程预计将于五月开始进行。", "zh"},
		{"Το δημοτικό συμβούλιο ενέκρινε την Τρίτη το σχέδιο επισκευής της παλιάς γέφυρας πάνω από τον ποταμό.", "el"},
		{"מועצת העיר אישרה ביום שלישי את התוכנית לשיפוץ הגשר הישן מעל הנהר עד הסתיו.", "he"},
	}
	for _, tt := range tests {
		if got := detectLanguage(tt.text); got != tt.want {
			t.Errorf("detectLanguage(%.30q…) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestDetectLanguage loads the Latin and Cyrillic models (seconds, tens of
// MB) and logs the cost of the first load.
func TestDetectLanguage(t *testing.T) {
	if testing.Short() {
		t.Skip("loads language models")
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	languageDetector(groupLatin)
	elapsed := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("first load: %v, live heap +%.0f MiB, total allocated %.0f MiB",
		elapsed, float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), float64(after.TotalAlloc-before.TotalAlloc)/(1<<20))

	tests := []struct{ text, want string }{
		{"The city harbour reopened on Thursday after three weeks of repairs, officials said, and the first ferries arrived.", "en"},
		{"Le port de la ville a rouvert jeudi après trois semaines de travaux, ont indiqué les responsables municipaux.", "fr"},
		{"Der Hafen der Stadt wurde am Donnerstag nach dreiwöchigen Reparaturarbeiten wieder geöffnet, teilten Beamte mit.", "de"},
		{"Городской порт вновь открылся в четверг после трёх недель ремонта, сообщили представители администрации.", "ru"},
		{"O porto da cidade reabriu na quinta-feira depois de três semanas de obras, disseram as autoridades locais.", "pt"},
		{"Міський порт знову відкрився в четвер після трьох тижнів ремонту, повідомили в адміністрації міста.", "uk"},
	}
	for _, tt := range tests {
		start := time.Now()
		got := detectLanguage(tt.text)
		if got != tt.want {
			t.Errorf("detectLanguage(%.30q…) = %q, want %q", tt.text, got, tt.want)
		}
		t.Logf("%s: %v", tt.want, time.Since(start))
	}
}
