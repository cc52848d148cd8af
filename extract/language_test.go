package extract

import (
	"os"
	"runtime"
	"testing"
	"time"
)

func TestNormalizeLanguage(t *testing.T) {
	tests := []struct{ in, want string }{
		{"en", "en"},
		{"EN", "en"},
		{"en_EN", "en"},
		{"en-us", "en"},
		{"en-US", "en"},
		{"en_GB", "en"},
		{"eng", "en"},
		{" fr-FR ", "fr"},
		{"de-DE-1996", "de"},
		{"pt_BR", "pt-BR"},
		{"pt-br", "pt-BR"},
		{"pt-PT", "pt-PT"},
		{"pt", "pt"},
		{"zh_TW", "zh-TW"},
		{"zh-Hant", "zh-TW"},
		{"zh-Hans", "zh-CN"},
		{"zh-Hant-HK", "zh-HK"},
		{"zh-CN", "zh-CN"},
		{"zh", "zh"},
		{"es-419", "es"},
		{"sr-Latn-RS", "sr"},
		{"jp", "ja"},
		{"iw", "he"},
		{"en-US,en;q=0.9", "en"},
		{"ru, en", "ru"},
		{"", ""},
		{"und", ""},
		{"mul", ""},
		{"x-default", ""},
		{"{{lang}}", ""},
		{"xx", ""},
		{"english", ""},
		{"e", ""},
		{"qab", ""},
		{"pt-ZZ9", "pt"},
	}
	for _, tt := range tests {
		if got := normalizeLanguage(tt.in); got != tt.want {
			t.Errorf("normalizeLanguage(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzNormalizeLanguage(f *testing.F) {
	for _, s := range []string{"en_EN", "zh-Hant-HK", "pt_BR", "x-default"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := normalizeLanguage(s)
		if got != "" && normalizeLanguage(got) != got {
			t.Errorf("normalizeLanguage not idempotent: %q → %q → %q", s, got, normalizeLanguage(got))
		}
	})
}

func TestDetectLanguageShort(t *testing.T) {
	// Short texts are refused before the model is touched.
	for _, s := range []string{"", "Hello", "12345 67890 !!!", "Breaking news: fire"} {
		if got := detectLanguage(s); got != "" {
			t.Errorf("detectLanguage(%q) = %q, want \"\"", s, got)
		}
	}
}

// TestDetectLanguage loads the models (slow: seconds, hundreds of MB), so
// it runs only when HERALD_LINGUA=1. It logs the cost of the first load.
func TestDetectLanguage(t *testing.T) {
	if os.Getenv("HERALD_LINGUA") == "" {
		t.Skip("set HERALD_LINGUA=1 to load the language models")
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	languageDetector()
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
