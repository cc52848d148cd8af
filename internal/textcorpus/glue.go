package textcorpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// courtesyTitles are abbreviations after which a capitalised name follows
// a dot without a space (Mr.Smith, St.Petersburg): no sentence ends there.
var courtesyTitles = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true, "sr": true,
	"jr": true, "gen": true, "col": true, "lt": true, "sgt": true, "capt": true, "rev": true,
	"sen": true, "rep": true, "gov": true, "hon": true, "mme": true, "mlle": true, "messrs": true,
	"mt": true, "ft": true,
}

// maxScan bounds how far glueAt looks back or ahead, so that splitting stays
// linear in the paragraph's length whatever the input.
const maxScan = 256

// splitGlued splits a paragraph where a sentence end runs into the next
// sentence without a space, as described in the package documentation.
// It returns the trimmed pieces, or the paragraph alone.
func splitGlued(p string) []string {
	var out []string
	start := 0
	quotes := 0 // straight double quotes in p[start:i]
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '"' {
			quotes++
		}
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		cut, ok := glueAt(p, start, i, quotes)
		if !ok {
			continue
		}
		if piece := strings.TrimSpace(p[start:cut]); piece != "" {
			out = append(out, piece)
		}
		start = cut
		i = cut - 1
		quotes = 0
	}
	if len(out) == 0 {
		return []string{p}
	}
	if piece := strings.TrimSpace(p[start:]); piece != "" {
		out = append(out, piece)
	}
	return out
}

// glueAt reports whether the sentence end at p[i] (". ! ?") runs into the
// next sentence with no space, and where the next sentence starts. start
// is where the current piece of the paragraph starts and quotes the number
// of straight double quotes in p[start:i].
func glueAt(p string, start, i, quotes int) (int, bool) {
	if p[i] == '.' && i > start && p[i-1] == '.' {
		return 0, false // an ellipsis
	}
	// Closing quotes and brackets belong to the sentence that ends here; a
	// straight double quote closes only if the piece has an odd number of
	// them before it, otherwise it opens the next sentence.
	j := i + 1
	for j < len(p) {
		r, n := utf8.DecodeRuneInString(p[j:])
		if r == '"' {
			if quotes%2 == 0 {
				break
			}
			quotes++
		} else if !strings.ContainsRune(`')]”’»`, r) {
			break
		}
		j += n
	}
	cut := j
	// An opening quote may start the next sentence.
	if r, n := utf8.DecodeRuneInString(p[j:]); strings.ContainsRune(`"“«„‘`, r) {
		j += n
	}
	next, _ := utf8.DecodeRuneInString(p[j:])
	if j >= len(p) || !unicode.IsUpper(next) {
		return 0, false
	}
	// The word before: letters only.
	w := i
	for w > start && i-w < maxScan {
		r, n := utf8.DecodeLastRuneInString(p[start:w])
		if !unicode.IsLetter(r) {
			break
		}
		w -= n
	}
	prev := p[w:i]
	if utf8.RuneCountInString(prev) == 1 {
		// An initial or a one-letter abbreviation: U.S., J.R.R., e.g. Only
		// an initialism of capitals (U.S., U.K.) running into a word that
		// opens sentences and rarely follows one ("U.S.The") ends here.
		if p[i] != '.' || !isInitialism(p[start:i+1]) || !sentenceOpeners[completeWord(p[j:min(len(p), j+maxScan)])] {
			return 0, false
		}
	}
	if p[i] == '.' && courtesyTitles[strings.ToLower(prev)] {
		return 0, false
	}
	if isAllCaps(prev) && isAllCaps(leadingLetters(p[j:min(len(p), j+maxScan)])) {
		return 0, false // ASP.NET
	}
	// The token the sentence end belongs to (its last maxScan bytes): a
	// URL or e-mail address is not a sentence.
	from := max(start, i-maxScan)
	tok := p[strings.LastIndexFunc(p[from:i], unicode.IsSpace)+1+from : i]
	if strings.Contains(tok, "://") || strings.HasPrefix(tok, "www.") || strings.Contains(tok, "@") {
		return 0, false
	}
	return cut, true
}

// sentenceOpeners are words that often start an English sentence and
// hardly ever follow an initialism inside one: after "U.S." a glued "The"
// starts a new sentence, a glued "Army" does not.
var sentenceOpeners = map[string]bool{
	"The": true, "This": true, "That": true, "These": true, "Those": true, "It": true,
	"He": true, "She": true, "They": true, "We": true, "But": true, "However": true,
	"In": true, "On": true, "At": true, "When": true, "While": true, "After": true,
	"Before": true, "According": true, "His": true, "Her": true, "Its": true, "Their": true,
	"There": true, "If": true, "As": true, "Meanwhile": true,
}

// isInitialism reports whether s ends with an initialism of at least two
// capital letters each followed by a dot ("U.S.", "the U.K."), standing
// alone as a word.
func isInitialism(s string) bool {
	n := 0
	for len(s) >= 2 && s[len(s)-1] == '.' {
		r, size := utf8.DecodeLastRuneInString(s[:len(s)-1])
		if !unicode.IsUpper(r) {
			break
		}
		s = s[:len(s)-1-size]
		n++
	}
	if n < 2 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	return s == "" || !unicode.IsLetter(r) && r != '.'
}

// completeWord returns the letters at the start of s when a space,
// punctuation or the end of s follows them, or "" when s goes on with a
// digit or symbol ("U.S.A" ends with the letter A, not a word).
func completeWord(s string) string {
	w := leadingLetters(s)
	if rest := s[len(w):]; rest != "" {
		r, _ := utf8.DecodeRuneInString(rest)
		if !unicode.IsSpace(r) && !strings.ContainsRune(",;:", r) {
			return ""
		}
	}
	return w
}

func leadingLetters(s string) string {
	end := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		return s
	}
	return s[:end]
}

// isAllCaps reports whether s has at least two letters, all upper case.
func isAllCaps(s string) bool {
	n := 0
	for _, r := range s {
		if !unicode.IsUpper(r) {
			return false
		}
		n++
	}
	return n >= 2
}
