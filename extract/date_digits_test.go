package extract

import (
	"strings"
	"testing"
	"time"
	"unicode"
)

// Dates written with the digits of other scripts, and with Arabic,
// Persian and Urdu names of the Gregorian months. Dates of other
// calendars (Solar Hijri, Hijri, Buddhist, Bikram Sambat) are rejected,
// never read as Gregorian.
func TestParseDateNativeDigits(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min int) string {
		return time.Date(y, m, d, h, min, 0, 0, time.UTC).Format(time.RFC3339)
	}
	tests := []struct {
		in   string
		want string // "" = rejected
	}{
		// ISO 8601 in Arabic-Indic (U+0660–0669) and Persian (U+06F0–06F9) digits
		{"٢٠٢٤-٠٣-١٤", utc(2024, 3, 14, 0, 0)},
		{"٢٠٢٤-٠٣-١٤T١٠:٣٠:٠٠+٠٣:٠٠", "2024-03-14T10:30:00+03:00"},
		{"۲۰۲۴-۰۳-۱۴T۱۰:۳۰:۰۰Z", "2024-03-14T10:30:00Z"},
		// other scripts' digits: Devanagari, Bengali, full-width
		{"२०२४-०३-१४", utc(2024, 3, 14, 0, 0)},
		{"১৪/০৩/২০২৪", utc(2024, 3, 14, 0, 0)},
		{"２０２４-０３-１４", utc(2024, 3, 14, 0, 0)},
		// a Unix timestamp
		{"١٧١٠٤١٢٢٠٠", "2024-03-14T10:30:00Z"},
		// numeric dates
		{"١٤/٠٣/٢٠٢٤", utc(2024, 3, 14, 0, 0)},
		{"٢٠٢٤/٠٣/١٤", utc(2024, 3, 14, 0, 0)},
		{"١٤.٠٣.٢٠٢٤ ١٠:٣٠", utc(2024, 3, 14, 10, 30)},
		// Arabic month names, Egyptian and Gulf (مارس), Maghreb, Levantine (آذار)
		{"١٤ مارس ٢٠٢٤", utc(2024, 3, 14, 0, 0)},
		{"14 مارس 2024", utc(2024, 3, 14, 0, 0)},
		{"الخميس، ١٤ مارس ٢٠٢٤", utc(2024, 3, 14, 0, 0)},
		{"الخميس 14 مارس 2024 - 10:30 م", utc(2024, 3, 14, 22, 30)},
		{"١٤ مارس ٢٠٢٤ ١٠:٣٠ صباحاً", utc(2024, 3, 14, 10, 30)},
		{"١٤ مارس ٢٠٢٤م", utc(2024, 3, 14, 0, 0)},
		{"نشر في ١ أغسطس ٢٠٢٣", utc(2023, 8, 1, 0, 0)},
		{"٣ إبريل ٢٠٢٣", utc(2023, 4, 3, 0, 0)},
		{"٣ أفريل ٢٠٢٣", utc(2023, 4, 3, 0, 0)},
		{"15 غشت 2023", utc(2023, 8, 15, 0, 0)},
		{"١٤ آذار ٢٠٢٤", utc(2024, 3, 14, 0, 0)},
		{"٥ كانون الثاني ٢٠٢٤", utc(2024, 1, 5, 0, 0)},
		{"٥ كانون الأول ٢٠٢٣", utc(2023, 12, 5, 0, 0)},
		{"٢٠ تشرين الأول ٢٠٢٣", utc(2023, 10, 20, 0, 0)},
		{"٢ تشرين الثاني ٢٠٢٣", utc(2023, 11, 2, 0, 0)},
		// Persian names of the Gregorian months, Urdu month names
		{"۱۴ مارس ۲۰۲۴", utc(2024, 3, 14, 0, 0)},
		{"۳ ژانویه ۲۰۲۴", utc(2024, 1, 3, 0, 0)},
		{"14 مارچ 2024", utc(2024, 3, 14, 0, 0)},
		{"۱۴ جنوری ۲۰۲۴", utc(2024, 1, 14, 0, 0)},
		// direction marks inside the date are ignored
		{"\u200f١٤ مارس ٢٠٢٤\u200f", utc(2024, 3, 14, 0, 0)},
		// other calendars: rejected, not misread
		{"۱۴۰۳/۰۱/۲۵", ""},                 // Solar Hijri 1403
		{"۱۴۰۳-۰۱-۲۵", ""},                 // Solar Hijri, ISO-shaped
		{"۲۵ فروردین ۱۴۰۳", ""},            // Solar Hijri month name
		{"٤ رمضان ١٤٤٥ هـ", ""},            // Hijri
		{"١٤٤٥/٠٩/٠٤", ""},                 // Hijri, numeric
		{"٢٠٢٤هـ ١٤ مارس", ""},             // the Hijri era mark: not a Gregorian year
		{"๑๔/๐๓/๒๕๖๗", ""},                 // Buddhist era 2567, Thai digits: in the future
		{"२०८१-०१-१२", ""},                 // Bikram Sambat 2081, Devanagari: in the future
		{"۲۵.۰۱.۰۳", ""},                   // two-digit year: no telling the calendar
		{"١٤ مارس ٢٤", ""},                 // likewise
		{"٢٠٢٤-٠٣-١٤T١٠:٣٠:٠٠+٠٣:٠٠x", ""}, // trailing garbage, as in ASCII
	}
	for _, tt := range tests {
		wantParseDate(t, tt.in, tt.want)
	}
}

func TestFindDateNativeDigits(t *testing.T) {
	tests := []struct {
		in       string
		pub, mod string
	}{
		{"نشر في: ١٤ مارس ٢٠٢٤ | آخر تحديث: ١٥ مارس ٢٠٢٤", "2024-03-14T00:00:00Z", "2024-03-15T00:00:00Z"},
		{"الخميس ٤ رمضان ١٤٤٥ هـ الموافق ١٤ مارس ٢٠٢٤م", "2024-03-14T00:00:00Z", ""},
		{"۱۴۰۳/۰۱/۲۵", "", ""},
		{"بقلم أحمد علي ١٤/٠٣/٢٠٢٤", "2024-03-14T00:00:00Z", ""},
	}
	for _, tt := range tests {
		wantFindDate(t, tt.in, tt.pub, tt.mod)
	}
}

func TestIsDateStampNativeDigits(t *testing.T) {
	for in, want := range map[string]bool{
		"١٤ مارس ٢٠٢٤":            true,
		"١٠:٣٠":                   true,
		"١٤/٠٣/٢٠٢٤":              true,
		"٥ كانون الثاني ٢٠٢٤":     true,
		"١٤ مارس ٢٠٢٤م ١٠:٣٠ م":   true,
		"قال الوزير ١٤ مارس ٢٠٢٤": false,
		"٢٠٢٤": false,
	} {
		if got := isDateStamp(in); got != want {
			t.Errorf("isDateStamp(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestDigitValue checks the digit reading on every code point: each
// decimal digit Unicode knows is worth its place in its run of ten (digits
// are encoded in runs from 0 to 9), and nothing else is a digit.
func TestDigitValue(t *testing.T) {
	prev := -1 // value of r-1, or -1 if r-1 is not a digit
	for r := rune(0); r <= unicode.MaxRune; r++ {
		v, ok := digitValue(r)
		if ok != unicode.Is(unicode.Nd, r) {
			t.Fatalf("digitValue(%U) ok = %v", r, ok)
		}
		if !ok {
			prev = -1
			continue
		}
		if want := (prev + 1) % 10; v != want {
			t.Fatalf("digitValue(%U) = %d, want %d", r, v, want)
		}
		prev = v
	}
	for s, want := range map[string]int{"0": 0, "9": 9, "٠": 0, "٩": 9, "۴": 4, "४": 4, "৭": 7, "๒": 2, "５": 5, "𝟗": 9} {
		r := []rune(s)[0]
		if v, ok := digitValue(r); !ok || v != want {
			t.Errorf("digitValue(%q) = %d, %v; want %d", s, v, ok, want)
		}
	}
}

// TestExtractNativeDigitDates runs whole pages whose dates are written in
// Arabic-Indic or Persian digits, in the places publishers put dates.
func TestExtractNativeDigitDates(t *testing.T) {
	body := strings.Repeat("<p>أعلنت البلدية اليوم عن إعادة فتح الميناء بعد ثلاثة أسابيع من أعمال الإصلاح التي أعقبت العاصفة.</p>\n", 6)
	page := func(head, byline string) []byte {
		return []byte(`<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>إعادة فتح الميناء</title>` + head +
			`</head><body><article><h1>إعادة فتح الميناء</h1>` + byline + body + `</article></body></html>`)
	}
	tests := []struct {
		name     string
		src      []byte
		pub, mod string // RFC 3339; "" = none
	}{
		{"meta arabic-indic", page(`<meta property="article:published_time" content="٢٠٢٤-٠٣-١٤T١٠:٣٠:٠٠+٠٣:٠٠">`+
			`<meta property="article:modified_time" content="٢٠٢٤-٠٣-١٥T٠٨:٠٠:٠٠+٠٣:٠٠">`, ""),
			"2024-03-14T10:30:00+03:00", "2024-03-15T08:00:00+03:00"},
		{"json-ld persian", page(`<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",`+
			`"headline":"إعادة فتح الميناء","datePublished":"۲۰۲۴-۰۳-۱۴T۱۰:۳۰:۰۰+۰۳:۳۰"}</script>`, ""),
			"2024-03-14T10:30:00+03:30", ""},
		{"time element", page("", `<p class="meta"><time datetime="٢٠٢٤-٠٣-١٤T١٠:٣٠:٠٠Z">١٤ مارس ٢٠٢٤</time></p>`),
			"2024-03-14T10:30:00Z", ""},
		{"visible dateline", page("", `<div class="date">الخميس، ١٤ مارس ٢٠٢٤ - ١٠:٣٠ ص</div>`),
			"2024-03-14T10:30:00Z", ""},
		{"visible levantine", page("", `<span class="publish-date">١٤ آذار ٢٠٢٤</span>`),
			"2024-03-14T00:00:00Z", ""},
		{"solar hijri dateline", page("", `<div class="date">۱۴۰۳/۰۱/۲۵</div>`), "", ""},
		{"solar hijri meta", page(`<meta property="article:published_time" content="۱۴۰۳-۰۱-۲۵T۱۰:۳۰:۰۰+۰۳:۳۰">`, ""), "", ""},
		{"hijri dateline", page("", `<div class="date">٤ رمضان ١٤٤٥ هـ</div>`), "", ""},
	}
	for _, tt := range tests {
		res, err := Extract(tt.src, Options{FetchedAt: testNow, NoLanguageDetection: true})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		ps, ms := "", ""
		if p := res.Article.Published; !p.IsZero() {
			ps = p.Format(time.RFC3339)
		}
		if m := res.Article.Modified; !m.IsZero() {
			ms = m.Format(time.RFC3339)
		}
		if ps != tt.pub || ms != tt.mod {
			t.Errorf("%s: published %q, modified %q; want %q, %q (sources %v)", tt.name, ps, ms, tt.pub, tt.mod, res.Sources)
		}
	}
}
