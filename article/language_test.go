package article

import "testing"

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
		{"EN_gb", "en"},
		{"ru_RU", "ru"},
		{"zh_XX", "zh"}, // a private-use region is not kept
		{"xx_XX", ""},
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
		if got := NormalizeLanguage(tt.in); got != tt.want {
			t.Errorf("NormalizeLanguage(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzNormalizeLanguage(f *testing.F) {
	for _, s := range []string{"en_EN", "zh-Hant-HK", "pt_BR", "x-default"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := NormalizeLanguage(s)
		if got != "" && NormalizeLanguage(got) != got {
			t.Errorf("NormalizeLanguage not idempotent: %q → %q → %q", s, got, NormalizeLanguage(got))
		}
	})
}
