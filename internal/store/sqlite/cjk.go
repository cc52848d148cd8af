package sqlite

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"modernc.org/sqlite"

	"github.com/herald-archive/herald/article"
)

// Chinese and Japanese are written without spaces between words, and
// FTS5's unicode61 tokenizer makes a whole run of Han and kana up to the
// next punctuation one token: a search for a word of such a text found
// nothing. The index holds each such character (article.Unspaced) as a
// token of its own instead, and a query word of them becomes the phrase
// of its characters (地铁 is the adjacent tokens 地 铁). The tokenizer is
// FTS5's own; what it is given has a space on each side of every such
// character: FTSText for the values written (write.go) and, through the
// SQL function herald_fts, in the article_text view the index reads back
// (migration 0013). The PostgreSQL backend splits its tokens the same way
// (postgres.tokens).

// FTSText returns s as the full-text index is given it: with a space
// between each Han or kana character and any neighbour that is not
// whitespace. A text without such characters is returned as it is (the
// same string, nothing allocated), and FTSText(FTSText(s)) ==
// FTSText(s), so values read back from the index's view may be indexed
// again.
func FTSText(s string) string {
	i := firstUnspaced(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	// Back up to the start of the rune before the first Unspaced one, so
	// that the loop sees that boundary too.
	j := i
	if j > 0 {
		_, size := utf8.DecodeLastRuneInString(s[:j])
		j -= size
	}
	b.WriteString(s[:j])
	prev, prevUnspaced := rune(-1), false
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		u := r >= 0x2E80 && article.Unspaced(r)
		if (u || prevUnspaced) && prev >= 0 && !unicode.IsSpace(prev) && !unicode.IsSpace(r) {
			b.WriteByte(' ')
		}
		b.WriteString(s[j : j+size]) // the bytes as they are, even if not UTF-8
		prev, prevUnspaced = r, u
		j += size
	}
	return b.String()
}

// firstUnspaced returns the byte offset of the first Han or kana
// character of s, or -1. Every such character is at or above U+2E80, and
// so starts with a byte of 0xE2 or more in UTF-8: other text is skipped a
// byte at a time.
func firstUnspaced(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < 0xE2 {
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r >= 0x2E80 && article.Unspaced(r) {
			return i
		}
		i += size - 1
	}
	return -1
}

// registerFTS makes herald_fts(text), FTSText in SQL, and
// herald_unspaced(text), whether a text has a Han or kana character,
// available to every connection.
func registerFTS() error {
	text := func(name string, v driver.Value) (string, bool, error) {
		switch v := v.(type) {
		case nil:
			return "", false, nil
		case string:
			return v, true, nil
		case []byte:
			return string(v), true, nil
		}
		return "", false, fmt.Errorf("%s: want text, got %T", name, v)
	}
	err := sqlite.RegisterDeterministicScalarFunction("herald_fts", 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			s, ok, err := text("herald_fts", args[0])
			if !ok {
				return nil, err
			}
			return FTSText(s), nil
		})
	if err != nil {
		return err
	}
	return sqlite.RegisterDeterministicScalarFunction("herald_unspaced", 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			s, _, err := text("herald_unspaced", args[0])
			if err != nil {
				return nil, err
			}
			return firstUnspaced(s) >= 0, nil
		})
}
