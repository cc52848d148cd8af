package extract

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// charsetCandidates are the legacy encodings detection chooses between for
// pages that declare none and are not valid UTF-8. The list covers the
// encodings still common on news sites; order breaks ties.
var charsetCandidates = []struct {
	name string
	enc  encoding.Encoding
}{
	{"windows-1252", charmap.Windows1252},
	{"windows-1251", charmap.Windows1251},
	{"koi8-r", charmap.KOI8R},
	{"iso-8859-2", charmap.ISO8859_2},
	{"shift_jis", japanese.ShiftJIS},
	{"euc-jp", japanese.EUCJP},
	{"gbk", simplifiedchinese.GBK},
	{"big5", traditionalchinese.Big5},
	{"euc-kr", korean.EUCKR},
}

// detectCharset guesses the encoding of undeclared legacy text by decoding
// its non-ASCII bytes with each candidate and scoring how much the result
// looks like natural language: letters of one script, words that do not
// mix scripts, mostly lower-case Cyrillic, no undecodable sequences.
func detectCharset(src []byte) (encoding.Encoding, string) {
	sample := highByteSample(src, 16<<10)
	if len(sample) == 0 {
		return nil, ""
	}
	bestScore := -1 << 30
	var best encoding.Encoding
	bestName := ""
	for _, c := range charsetCandidates {
		out, err := c.enc.NewDecoder().Bytes(sample)
		if err != nil {
			continue
		}
		s := scoreDecoded(out)
		if s > bestScore {
			bestScore, best, bestName = s, c.enc, c.name
		}
	}
	return best, bestName
}

// highByteSample collects the words around non-ASCII bytes, up to limit
// bytes, so that long ASCII markup does not dilute the evidence.
func highByteSample(src []byte, limit int) []byte {
	var out []byte
	for i := 0; i < len(src) && len(out) < limit; i++ {
		if src[i] < 0x80 {
			continue
		}
		start := i
		for start > 0 && src[start-1] != ' ' && src[start-1] != '>' && i-start < 32 {
			start--
		}
		end := i
		for end < len(src) && src[end] != ' ' && src[end] != '<' && end-i < 64 {
			end++
		}
		out = append(out, src[start:end]...)
		out = append(out, ' ')
		i = end
	}
	return out
}

// scoreDecoded scores decoded text by how much it looks like natural
// language. A third accented Latin letter in a row is held against a
// decoding (Cyrillic in windows-1251 decoded as windows-1252 is all
// accented Latin letters, Совет as Ñîâåò, while Western European words
// carry one or two: réélu, condições, Größe).
// Half-width katakana scores as an ordinary letter, below lowercase
// Cyrillic, so KOI8-R (which decodes as Shift_JIS into half-width
// katakana) is still read as KOI8-R.
func scoreDecoded(b []byte) int {
	score := 0
	var prevScript *unicode.RangeTable
	accented := 0 // accented Latin letters in a row
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		if r < 0x80 || !unicode.Is(unicode.Latin, r) {
			accented = 0
		}
		switch {
		case r >= 0xFF61 && r <= 0xFF9F:
			// Half-width katakana and its marks count as an ordinary
			// letter: Japanese pages written with them are common, and
			// KOI8-R decoded as Shift_JIS is still outscored by its
			// lowercase Cyrillic reading.
			score += 2
			prevScript = nil
		case r == utf8.RuneError || r == '\uFFFD':
			score -= 20
			prevScript = nil
		case r < 0x80:
			if unicode.IsLetter(r) {
				if prevScript != nil && prevScript != unicode.Latin {
					score -= 5
				}
				prevScript = unicode.Latin
			} else {
				prevScript = nil
			}
		case unicode.Is(unicode.Cyrillic, r):
			score += 2
			if unicode.IsLower(r) {
				score++
			}
			if prevScript == unicode.Latin {
				score -= 5
			}
			prevScript = unicode.Cyrillic
		case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			// Kana is common in Japanese text and rare in mis-decoded
			// Chinese or Korean bytes.
			score += 5
			prevScript = unicode.Han
		case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r):
			score += 3
			prevScript = unicode.Han
		case unicode.IsLetter(r):
			score += 2
			if unicode.Is(unicode.Latin, r) && unicode.IsLower(r) {
				score++
			}
			if unicode.Is(unicode.Latin, r) {
				if accented++; accented >= 3 {
					score -= 4
				}
			}
			if prevScript != nil && prevScript != unicode.Latin && unicode.Is(unicode.Latin, r) {
				score -= 5
			}
			if unicode.Is(unicode.Latin, r) {
				prevScript = unicode.Latin
			} else {
				prevScript = nil
			}
		case unicode.IsPunct(r) || unicode.IsSpace(r):
			prevScript = nil
		default:
			// Symbols, box drawing, control characters: unlikely in text.
			score -= 3
			prevScript = nil
		}
	}
	return score
}
