package textcorpus

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/saintfish/chardet"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// Auto is the encoding label that has Decode tell the encoding from the
// data.
const Auto = "auto"

// ErrUnknownEncoding reports an encoding label Decode does not know.
var ErrUnknownEncoding = errors.New("unknown encoding")

// ErrEncoding reports input that is not UTF-8 and whose encoding could not
// be told from it.
var ErrEncoding = errors.New("not UTF-8, and its encoding could not be told from the text")

// Thresholds of Decode: input with at least minLegacyBytes bytes that are
// not UTF-8, and fewer than four times as many UTF-8 characters beyond
// ASCII (legacy text forms a few by chance), is in another encoding; the
// detector's best guess is taken when its confidence (0 to
// 100) reaches minConfidence.
const (
	minLegacyBytes = 4
	minConfidence  = 20
)

// Decoded is text decoded by Decode.
type Decoded struct {
	Text     string
	Encoding string // the encoding's name ("utf-8", "windows-1251", ...)
	Detected bool   // told from the data, not named by the caller
	Replaced int    // invalid sequences replaced with U+FFFD
}

// CheckEncoding reports whether label names an encoding Decode knows:
// Auto, or a WHATWG encoding label such as utf-8, windows-1251, koi8-r,
// iso-8859-1, shift_jis or gb18030.
func CheckEncoding(label string) error {
	if isAuto(label) {
		return nil
	}
	_, err := lookup(label)
	return err
}

// isAuto reports whether label names Auto, in any case.
func isAuto(label string) bool { return strings.EqualFold(strings.TrimSpace(label), Auto) }

func lookup(label string) (encoding.Encoding, error) {
	e, err := htmlindex.Get(strings.TrimSpace(label))
	if err != nil || e == encoding.Replacement {
		return nil, fmt.Errorf("%w %q (use a name such as utf-8, windows-1251, koi8-r, iso-8859-1 or shift_jis)", ErrUnknownEncoding, label)
	}
	return e, nil
}

// Decode returns data as UTF-8 text, from the encoding label names or,
// for Auto, the one told from the data:
//
//   - a byte order mark says UTF-8 or UTF-16 (and is dropped);
//   - valid UTF-8 is UTF-8 (so is plain ASCII);
//   - text with at least four times as many UTF-8 characters beyond ASCII
//     as invalid bytes is UTF-8 with a few damaged bytes, which are
//     replaced with U+FFFD (counted in Replaced); so is text with fewer
//     than minLegacyBytes bytes that are not UTF-8;
//   - anything else is in a legacy encoding (windows-1251, koi8-r,
//     windows-1252, shift_jis, gb18030, euc-kr, big5, ...), which a
//     detector of ICU's design guesses from byte statistics. Its guess is
//     taken when it is confident enough, and otherwise Decode returns
//     ErrEncoding, so that a caller can ask for the encoding instead of
//     storing text of replacement characters. A guess can be wrong on a
//     short text: callers should say what was detected.
//
// A named encoding replaces what is invalid in it with U+FFFD.
func Decode(data []byte, label string) (Decoded, error) {
	if !isAuto(label) {
		e, err := lookup(label)
		if err != nil {
			return Decoded{}, err
		}
		return decodeWith(data, e, name(e, label), false)
	}
	switch {
	case bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")):
		return decodeWith(data[3:], unicode.UTF8, "utf-8", false)
	case bytes.HasPrefix(data, []byte("\xFF\xFE")):
		return decodeWith(data[2:], unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", false)
	case bytes.HasPrefix(data, []byte("\xFE\xFF")):
		return decodeWith(data[2:], unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", false)
	}
	if utf8.Valid(data) {
		return Decoded{Text: string(data), Encoding: "utf-8"}, nil
	}
	invalid, wide := 0, 0
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			invalid++
		case n > 1:
			wide++
		}
		i += n
	}
	if invalid < minLegacyBytes || wide >= 4*invalid {
		return decodeWith(data, unicode.UTF8, "utf-8", false)
	}
	guess, err := chardet.NewTextDetector().DetectBest(data)
	if err != nil || guess.Confidence < minConfidence {
		return Decoded{}, ErrEncoding
	}
	e, err := lookup(guess.Charset)
	if err != nil {
		return Decoded{}, fmt.Errorf("%w (it looks like %s, which Herald cannot read)", ErrEncoding, guess.Charset)
	}
	return decodeWith(data, e, name(e, guess.Charset), true)
}

// name is e's canonical name, or label when it has none.
func name(e encoding.Encoding, label string) string {
	if n, err := htmlindex.Name(e); err == nil {
		return n
	}
	return strings.ToLower(strings.TrimSpace(label))
}

// decodeWith decodes data from e, called name, replacing what is invalid.
func decodeWith(data []byte, e encoding.Encoding, name string, detected bool) (Decoded, error) {
	if e == unicode.UTF8 {
		d := Decoded{Text: strings.ToValidUTF8(string(data), "\uFFFD"), Encoding: "utf-8", Detected: detected}
		if !utf8.Valid(data) {
			d.Replaced = countInvalid(data)
		}
		return d, nil
	}
	out, err := e.NewDecoder().Bytes(data)
	if err != nil {
		return Decoded{}, fmt.Errorf("decode %s: %w", name, err)
	}
	return Decoded{Text: strings.ToValidUTF8(string(out), "\uFFFD"), Encoding: name, Detected: detected}, nil
}

// countInvalid counts the invalid UTF-8 sequences of data (a run of
// invalid bytes counts once, as strings.ToValidUTF8 replaces it once).
func countInvalid(data []byte) int {
	n, run := 0, false
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		bad := r == utf8.RuneError && size == 1
		if bad && !run {
			n++
		}
		run = bad
		i += size
	}
	return n
}
