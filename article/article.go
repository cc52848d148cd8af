// Package article defines Herald's article record: the unit that extraction
// produces, the archive stores, search returns and exports write.
//
// The JSON field names are part of Herald's public interface (CLI output, the
// HTTP API, JSONL exports) and are documented in docs/record.md; keep them
// stable. The package imports only the standard library so that every other
// package, and programs using Herald as a library, can depend on it freely.
package article

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Article is one news article as Herald understands it.
//
// Zero values mean "not known": an empty string, a nil slice, a zero time or
// a nil IsAccessibleForFree pointer are all omitted from JSON, except Text
// and WordCount, which are always present.
type Article struct {
	// URL is the URL the page was fetched from (after redirects).
	URL string `json:"url,omitempty"`
	// CanonicalURL is the normalised canonical URL of the article.
	CanonicalURL string `json:"canonical_url,omitempty"`
	// OriginalURL is the canonical URL the page declares on another site
	// (normalised), which CanonicalURL does not follow: the article a
	// syndicated copy says it republishes. Empty when the page declares
	// none, or one on its own site.
	OriginalURL string `json:"original_url,omitempty"`
	// Title is the headline without site-name suffixes.
	Title string `json:"title,omitempty"`
	// Description is the standfirst or summary declared by the publisher.
	Description string `json:"description,omitempty"`
	// Authors are people, cleaned of "By", roles, e-mails and handles.
	Authors []string `json:"authors,omitempty"`
	// Published is the first publication time, in the zone it was declared
	// in; never after the fetch time. JSON: RFC 3339.
	Published time.Time `json:"published,omitzero"`
	// Modified is the last update time, when declared and different from
	// Published. JSON: RFC 3339.
	Modified time.Time `json:"modified,omitzero"`
	// SiteName is the publisher or site name.
	SiteName string `json:"site_name,omitempty"`
	// Section is the section or category of the article.
	Section string `json:"section,omitempty"`
	// Tags are keywords, tags or topics as declared, deduplicated.
	Tags []string `json:"tags,omitempty"`
	// Language is a BCP 47 tag: a primary language subtag, plus a region
	// only where it matters (pt-BR, zh-TW).
	Language string `json:"language,omitempty"`
	// Image is the absolute URL of the lead image.
	Image string `json:"image,omitempty"`
	// IsAccessibleForFree is what the page declares; nil when not declared.
	IsAccessibleForFree *bool `json:"is_accessible_for_free,omitempty"`
	// Text is the body: one paragraph, heading, list item or quote per
	// block, blocks separated by one blank line.
	Text string `json:"text"`
	// WordCount is the number of words in Text.
	WordCount int `json:"word_count"`
}

// Paragraphs splits Text into its blocks.
func (a *Article) Paragraphs() []string {
	if strings.TrimSpace(a.Text) == "" {
		return nil
	}
	parts := strings.Split(a.Text, "\n\n")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// CountWords counts the words of s: maximal runs of letters, digits and
// joining punctuation inside a word (don't, U.S., 3.5), except that each
// character of a script written without spaces between words (see
// Unspaced: Chinese, Japanese) is a word of its own, as word processors
// count them. It is the definition behind WordCount.
func CountWords(s string) int {
	n := 0
	in := false
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		var word bool
		if r < utf8.RuneSelf { // ASCII, most of most texts: no table lookups
			c := byte(r) | 0x20
			word = 'a' <= c && c <= 'z' || '0' <= r && r <= '9'
		} else {
			r, size = utf8.DecodeRuneInString(s[i:])
			if r >= 0x2E80 && Unspaced(r) {
				n++
				in = false
				i += size
				continue
			}
			word = unicode.IsLetter(r) || unicode.IsDigit(r)
		}
		i += size
		if word {
			if !in {
				n++
				in = true
			}
			continue
		}
		if in && (r == '\'' || r == '’' || r == '-' || r == '.' || r == '_') {
			// joiners keep the word going only if a letter or digit follows;
			// a trailing joiner simply ends it at the next space.
			continue
		}
		in = false
	}
	return n
}

// Unspaced reports whether r is a Han ideograph or a Japanese kana:
// letters of scripts that write a sentence without spaces between its
// words, so that a run of them is a phrase or a sentence rather than one
// word. The prolonged sound mark (ー, of no script of its own) counts as
// kana. Hangul is not among them: Korean puts spaces between words.
func Unspaced(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		r == 'ー' || r == 'ｰ'
}
