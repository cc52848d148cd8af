package textcorpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// bylinePrefixes open a byline in the languages news dumps come in most.
var bylinePrefixes = []string{"By ", "BY ", "by ", "Von ", "Par ", "Por ", "Di ", "Door ", "Av "}

// bylineJoins separate the people of one byline.
var bylineJoins = []string{", ", " and ", " & ", " und ", " et ", " y ", " e ", " en ", " och "}

// nameParticles may stand lower-case inside a person's name.
var nameParticles = map[string]bool{
	"de": true, "da": true, "das": true, "do": true, "dos": true, "del": true, "della": true,
	"di": true, "du": true, "des": true, "la": true, "le": true, "van": true, "von": true,
	"der": true, "den": true, "ter": true, "al": true, "el": true, "bin": true, "ibn": true,
	"y": true, "zu": true,
}

// bylineRoles are words of a job title written after a name ("By Jane
// Doe, Staff Writer"): such a part of a byline is not a person.
var bylineRoles = map[string]bool{
	"staff": true, "writer": true, "writers": true, "reporter": true, "reporters": true,
	"correspondent": true, "editor": true, "editors": true, "columnist": true, "contributor": true,
	"senior": true, "chief": true, "political": true, "foreign": true, "special": true,
	"news": true, "desk": true, "team": true, "bureau": true, "agency": true, "report": true,
	"reuters": true, "press": true, "associated": true, "afp": true, "ap": true, "newsroom": true,
}

// maxBylineLen bounds a byline line; longer lines are prose.
const maxBylineLen = 160

// bylineNames reads a one-line byline ("By Jane Doe and John Smith", "By
// Jane Doe, Staff Writer") and returns the people it names. ok is false
// for anything else: a line that does not start with a byline word, or
// whose parts are not all names, roles or a lone organisation word, or
// that names nobody.
func bylineNames(line string) (names []string, ok bool) {
	if len(line) > maxBylineLen {
		return nil, false
	}
	rest := ""
	for _, p := range bylinePrefixes {
		if r, found := strings.CutPrefix(line, p); found {
			rest = strings.TrimSpace(r)
			break
		}
	}
	if rest == "" || strings.ContainsAny(rest, ".!?;:\"()[]|/@") && !onlyInitialDots(rest) {
		return nil, false
	}
	parts := []string{rest}
	for _, j := range bylineJoins {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, j)...)
		}
		parts = next
	}
	for _, p := range parts {
		words := strings.Fields(p)
		switch {
		case len(words) == 0:
			return nil, false
		case isRole(words):
			continue
		case len(words) == 1:
			// "Reuters", "Bloomberg": an organisation credited beside the
			// people; not a person.
			if !isCapitalised(words[0]) {
				return nil, false
			}
			continue
		case len(words) > 5 || !isPersonName(words):
			return nil, false
		}
		names = append(names, strings.Join(words, " "))
	}
	return names, len(names) > 0
}

// onlyInitialDots reports whether every dot in s ends an initial ("J. R.
// Smith", "Jane Q. Doe") and s has no other sentence punctuation.
func onlyInitialDots(s string) bool {
	if strings.ContainsAny(s, "!?;:\"()[]|/@") {
		return false
	}
	for _, w := range strings.Fields(s) {
		w = strings.TrimSuffix(w, ",")
		if !strings.Contains(w, ".") {
			continue
		}
		if !isInitial(w) {
			return false
		}
	}
	return true
}

// isInitial reports whether w is one or more capital initials, each with
// its dot ("J.", "J.R.").
func isInitial(w string) bool {
	if w == "" {
		return false
	}
	for w != "" {
		r, n := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) || len(w) <= n || w[n] != '.' {
			return false
		}
		w = w[n+1:]
	}
	return true
}

// isPersonName reports whether words look like a person's name: two to
// five words, each capitalised (or an initial, or a particle such as "van"
// or "de" inside the name), made of letters, hyphens and apostrophes.
func isPersonName(words []string) bool {
	capitalised := 0
	for i, w := range words {
		switch {
		case isInitial(w):
			capitalised++
		case nameParticles[w] && i > 0 && i < len(words)-1:
		case isCapitalised(w):
			capitalised++
		default:
			return false
		}
	}
	return capitalised >= 2
}

// isCapitalised reports whether w starts with a capital letter and holds
// only letters, hyphens and apostrophes.
func isCapitalised(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) {
		return false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) && r != '-' && r != '\'' && r != '’' {
			return false
		}
	}
	return true
}

// isRole reports whether a byline part is a job title or a desk ("Staff
// Writer", "Foreign Correspondent", "Reuters Staff").
func isRole(words []string) bool {
	for _, w := range words {
		if bylineRoles[strings.ToLower(w)] {
			return true
		}
	}
	return false
}
