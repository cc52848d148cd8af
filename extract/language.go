package extract

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/pemistahl/lingua-go"
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

// normalizeLanguage turns a declared language ("en_EN", "en-us", "EN",
// "pt_BR", "zh-Hant", "eng") into a BCP 47 tag: the primary language
// subtag, lower case, plus the region for the languages in
// regionLanguages ("pt-BR", "zh-TW"). A script without a region implies
// one for Chinese (Hant → TW, Hans → CN). Anything that is not a known
// language ("und", "x-default", "{{lang}}", "xx") gives "".
func normalizeLanguage(s string) string {
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
	if len(primary) < 2 || len(primary) > 3 || !isASCIIWord(primary) {
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
		case len(p) == 2 && isASCIIWord(p):
			region = strings.ToUpper(p)
		case len(p) == 3 && p[0] >= '0' && p[0] <= '9':
			// UN M.49 numeric regions ("419"): not kept
		case len(p) == 4 && isASCIIWord(p):
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
		if _, err := language.ParseRegion(region); err != nil {
			return code
		}
		return code + "-" + region
	}
	return code
}

// Language detection from text, for pages that declare no language.
//
// The detector is lingua-go in low-accuracy mode (trigram models only)
// over all its languages. Building it loads every trigram model, which
// takes a noticeable time and memory (see TestDetectLanguageLoad for the
// figures), so it is built on the first call, once, and shared: extraction
// of pages that declare their language never pays for it.
var (
	detectorOnce sync.Once
	detector     lingua.LanguageDetector
)

// detectMinLetters is the least number of letters detectLanguage needs;
// shorter texts give unreliable guesses.
const detectMinLetters = 40

// detectMaxBytes bounds the text given to the detector: a few paragraphs
// decide the language as well as a whole article does.
const detectMaxBytes = 1200

// languageDetector returns the shared detector, building it on first use.
func languageDetector() lingua.LanguageDetector {
	detectorOnce.Do(func() {
		detector = lingua.NewLanguageDetectorBuilder().
			FromAllLanguages().
			WithLowAccuracyMode().
			WithMinimumRelativeDistance(0.1).
			WithPreloadedLanguageModels().
			Build()
	})
	return detector
}

// detectLanguage guesses the language of text and returns its normalised
// tag, or "" when the text is too short or the detector is unsure. It is
// meant for pages that declare no language: the first call loads the
// models.
func detectLanguage(text string) string {
	if len(text) > detectMaxBytes {
		cut := detectMaxBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	letters := 0
	for _, r := range text {
		if unicode.IsLetter(r) {
			letters++
			if letters >= detectMinLetters {
				break
			}
		}
	}
	if letters < detectMinLetters {
		return ""
	}
	lang, ok := languageDetector().DetectLanguageOf(text)
	if !ok {
		return ""
	}
	return normalizeLanguage(strings.ToLower(lang.IsoCode639_1().String()))
}
