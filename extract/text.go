package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// textBuilder accumulates the inline text of one block, collapsing white
// space the way a browser renders it: runs of spaces, tabs and newlines
// become one space, leading and trailing space is dropped, and text from
// adjacent inline elements joins without a space unless the source had one.
type textBuilder struct {
	b         []byte
	pendingSp bool // a space is owed before the next visible character
	linkBytes int  // bytes of text inside links
	pre       int  // >0 inside <pre>: keep newlines
}

func (t *textBuilder) reset() {
	t.b = t.b[:0]
	t.pendingSp = false
	t.linkBytes = 0
}

// write appends raw text; inLink counts it toward the link text.
func (t *textBuilder) write(s string, inLink bool) {
	before := len(t.b)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch c {
			case ' ', '\t', '\r', '\f':
				t.pendingSp = true
				continue
			case '\n':
				if t.pre > 0 && len(t.b) > 0 {
					t.b = append(t.b, '\n')
					t.pendingSp = false
					continue
				}
				t.pendingSp = true
				continue
			}
			if c < 0x20 || c == 0x7f {
				continue
			}
			t.flushSpace()
			t.b = append(t.b, c)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\u00a0' || r == '\u2007' || r == '\u202f' || (r >= '\u2000' && r <= '\u200a') || r == '\u3000' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			t.pendingSp = true
			continue
		case r == '\u200b' || r == '\u2060' || r == '\ufeff' || r == '\u00ad':
			// zero-width spaces and soft hyphens: invisible (the joiners
			// U+200C and U+200D stay: they shape Persian words and emoji)
			continue
		case r == utf8.RuneError && size == 1:
			continue
		}
		t.flushSpace()
		t.b = utf8.AppendRune(t.b, r)
	}
	if inLink {
		t.linkBytes += len(t.b) - before
	}
}

func (t *textBuilder) flushSpace() {
	if t.pendingSp {
		if len(t.b) > 0 && t.b[len(t.b)-1] != '\n' {
			t.b = append(t.b, ' ')
		}
		t.pendingSp = false
	}
}

// space records a soft break (e.g. between table cells) without adding a
// visible character yet.
func (t *textBuilder) space() { t.pendingSp = true }

// normalizeSpace collapses white space in s and trims it; used for
// metadata strings and comparisons.
func normalizeSpace(s string) string {
	var t textBuilder
	t.write(s, false)
	return string(t.b)
}

// endsSentence reports whether s ends like a sentence: terminal punctuation,
// possibly followed by closing quotes or brackets.
func endsSentence(s string) bool {
	s = strings.TrimRightFunc(s, func(r rune) bool {
		return r == '"' || r == '\'' || r == '”' || r == '’' || r == '»' || r == ')' || r == ']' || unicode.IsSpace(r)
	})
	if s == "" {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	switch r {
	case '.', '!', '?', '…', ':', ';', '。', '！', '？', '।':
		return true
	}
	return false
}
