package article

import (
	"strings"

	"golang.org/x/text/language"
)

// regionLanguages are the languages whose region is kept in the record
// because readers and search treat the variants as different: Brazilian
// and European Portuguese, Simplified and Traditional Chinese. For every
// other language only the primary subtag is kept ("en-US" → "en").
var regionLanguages = map[string]bool{"pt": true, "zh": true}

// languageFixes maps codes pages commonly declare by mistake (country
// codes, withdrawn codes) to the language they mean.
var languageFixes = map[string]string{
	"jp": "ja", "cz": "cs", "gr": "el", "dk": "da", "ua": "uk", "cn": "zh",
	"kr": "ko", "vn": "vi", "iw": "he", "in": "id", "ji": "yi",
}

// NormalizeLanguage turns a declared language ("en_EN", "en-us", "EN",
// "pt_BR", "zh-Hant", "eng") into a BCP 47 tag: the primary language
// subtag, lower case, plus the region for the languages in
// regionLanguages ("pt-BR", "zh-TW"). A script without a region implies
// one for Chinese (Hant → TW, Hans → CN). Anything that is not a known
// language ("und", "x-default", "{{lang}}", "xx") gives "".
func NormalizeLanguage(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 40 {
		return ""
	}
	// "en-US,en;q=0.9" (a copied Accept-Language) and "en, fr": the first.
	if i := strings.IndexAny(s, ",; "); i >= 0 {
		s = s[:i]
	}
	var parts [4]string
	n := 0
	for len(s) > 0 && n < len(parts) {
		i := strings.IndexAny(s, "-_")
		if i < 0 {
			parts[n] = s
			n++
			break
		}
		parts[n] = s[:i]
		n++
		s = s[i+1:]
	}
	primary := strings.ToLower(parts[0])
	if len(primary) < 2 || len(primary) > 3 || !asciiLetters(primary) {
		return ""
	}
	if fix, ok := languageFixes[primary]; ok {
		primary = fix
	}
	base, err := language.ParseBase(primary)
	if err != nil {
		return ""
	}
	code := base.String()
	switch code {
	case "und", "mul", "zxx", "mis":
		return ""
	}
	if code >= "qaa" && code <= "qtz" {
		return ""
	}
	if !regionLanguages[code] {
		return code
	}
	region, script := "", ""
	for _, p := range parts[1:n] {
		switch {
		case len(p) == 2 && asciiLetters(p):
			region = strings.ToUpper(p)
		case len(p) == 3 && p[0] >= '0' && p[0] <= '9':
			// UN M.49 numeric regions ("419"): not kept
		case len(p) == 4 && asciiLetters(p):
			script = strings.ToLower(p)
		}
	}
	if region == "" && code == "zh" {
		switch script {
		case "hant":
			region = "TW"
		case "hans":
			region = "CN"
		}
	}
	if region != "" {
		// A private-use or otherwise unassigned region ("XX", "ZZ") is
		// not kept.
		reg, err := language.ParseRegion(region)
		if err != nil || !reg.IsCountry() {
			return code
		}
		return code + "-" + reg.String()
	}
	return code
}

// asciiLetters reports whether w is made of ASCII letters only.
func asciiLetters(w string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return w != ""
}
