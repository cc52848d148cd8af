package archive

import (
	"strings"
	"time"
	"unicode"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/store"
)

// tidy holds rec, already cleaned of control characters, to the rules of
// the article record (docs/record.md) that the extractor keeps but an
// imported record need not: one-line title, description, site name,
// section, authors and tags, without empty or repeated entries (compared
// case-insensitively); a BCP 47 language ("en_GB" → "en"); modified only
// when it differs from published; paragraphs separated by exactly one
// blank line. On an extracted record it changes nothing.
func tidy(rec *store.Record) {
	rec.Title = oneLine(rec.Title)
	rec.Description = oneLine(rec.Description)
	rec.SiteName = oneLine(rec.SiteName)
	rec.Section = oneLine(rec.Section)
	rec.Authors = tidyList(rec.Authors)
	rec.Tags = tidyList(rec.Tags)
	rec.Language = article.NormalizeLanguage(rec.Language)
	if !rec.Modified.IsZero() && rec.Modified.Equal(rec.Published) {
		rec.Modified = time.Time{}
	}
	rec.Text = tidyText(rec.Text)
}

// oneLine collapses each run of white space in s (line breaks included)
// into one space and trims the ends.
func oneLine(s string) string {
	if isOneLine(s) {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// isOneLine reports whether s is as oneLine makes it: no white space but
// single spaces between words (the common case, without allocating).
func isOneLine(s string) bool {
	prev := ' ' // a space at the start is one too many
	for _, r := range s {
		if unicode.IsSpace(r) && (r != ' ' || prev == ' ') {
			return false
		}
		prev = r
	}
	return prev != ' ' || s == ""
}

// tidyList makes each entry one line and drops empty entries and repeats
// (the first spelling is kept).
func tidyList(list []string) []string {
	if len(list) == 0 {
		return list
	}
	out := list[:0]
	seen := make(map[string]bool, len(list))
	for _, s := range list {
		s = oneLine(s)
		key := strings.ToLower(s)
		if s == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// tidyText trims each paragraph and separates them by exactly one blank
// line; lines inside a paragraph are kept.
func tidyText(s string) string {
	paras := (&article.Article{Text: s}).Paragraphs()
	joined := strings.Join(paras, "\n\n")
	if joined == s {
		return s
	}
	return joined
}
