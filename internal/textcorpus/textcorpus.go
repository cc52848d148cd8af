// Package textcorpus reads and writes the plain-text corpus format: one
// article per file, a header line, then blocks separated by blank lines.
//
//	 date 2021-06-03 https://news.example.org/2021/06/03/harbour-reopens.html
//
//	Harbour Reopens After Storm Repairs
//
//	The city harbour reopened on Thursday after three weeks of repairs.
//
//	Officials said the breakwater had been rebuilt to withstand stronger storms.
//
// The header is a space, the word "date", the publication date as
// YYYY-MM-DD and the article's URL. The first block is the title, the
// others are the paragraphs of the text.
//
// # Writing
//
// Write produces this form exactly and deterministically: the date is the
// calendar date of Published in UTC, the day the archive files the article
// under (after:, before:, timelines), so that reading the file back (at
// midnight UTC) keeps the article on that day; or 0000-00-00 when
// Published is unknown; the URL is CanonicalURL, or URL when there is no
// canonical URL, with any space escaped as %20 so that the header stays one
// line of fields (no URL at all leaves the header as " date YYYY-MM-DD").
// The title is written on one line. Paragraphs are the blocks of Text
// (lines that hold only whitespace separate blocks too), each line trimmed
// of surrounding whitespace, separated by one blank line; the file ends
// with a newline. Write refuses an article without a title (ErrNoTitle):
// its first paragraph would be read back as the title. The format carries
// nothing else: authors, tags, description, language, image, site name,
// section, times of day and the modified time are not written.
//
// # Reading
//
// Read accepts the clean form and also the noisy dumps that naive scrapers
// made of it, recovering what it can. Every lift is reported, with its line
// number, in Document.Recovered, so that an importer can tell the user. It
// applies, block by block in file order:
//
//   - Header: URL and date. The leading space is optional, and so is the
//     URL; further fields are ignored. The date gives Published at midnight
//     UTC unless an ISO timestamp block on that day gives the time (see
//     below);
//     0000-00-00 or an invalid date gives no date (an invalid one is
//     reported). The URL goes to Article.URL.
//   - Title: the first block that is not a metadata block, its lines joined
//     with spaces; Untitled ("(untitled)") gives no title. Later blocks equal to the title (after collapsing
//     whitespace) are dropped; a block that is the title followed by " - ",
//     " | ", " – " or " — " and a name gives the site name.
//   - No blank lines: when that first block cannot be one wrapped title
//     (it repeats its first line, a later line ends in a full stop, or it
//     has more than three lines or 200 characters), each of its lines is
//     judged as a block of its own. Dumps that put every block on one line
//     with no blank lines between them read as if they had them.
//   - ISO 8601 timestamps (2022-02-08T10:30+0000, with seconds, fractions,
//     Z or colon offsets; a space instead of T) alone on a line: the first
//     on the header's day (in its own zone or in UTC), or the first of all
//     when the header has no date, becomes Published in its declared zone;
//     the latest later one becomes Modified. A timestamp without a zone is
//     taken as UTC.
//   - XPath expressions (/html/head/meta[@name='og:title']/@content): dropped.
//   - Locale codes (en_EN, ru_RU, en-US, pt_BR; a bare lower-case "en")
//     alone on a line or as the last field of a metadata line: Language, as
//     a BCP 47 primary language subtag, with the region kept only for
//     Portuguese and Chinese (en_EN → en, pt_BR → pt-BR).
//   - Image URLs (http(s) URLs ending in .jpg, .jpeg, .png, .webp, .gif or
//     .avif, with an optional query): the first becomes Image, others are
//     dropped. Image size lines of two to four numbers, optionally followed
//     by true or false ("1920 1080 true", "252 60"; each number of two to
//     five digits, so "2 3" stays text), and lone true or false lines are
//     dropped.
//   - A bare URL line on the header URL's host: dropped, and when it differs
//     from the header URL it becomes CanonicalURL. A URL on another host is
//     kept as text.
//   - Contact and metadata lines: a line whose fields, after an optional
//     leading name, are all metadata (e-mail addresses, phone numbers,
//     numbers, true/false, locale codes, URLs, timestamps) with at least one
//     that is not a plain number or URL; for example "Example News
//     feedback@example-news.com +74950000000 252 60 1920 1080 true en_EN".
//     The leading name, when it looks like a name (one to six words, the
//     first capitalised, no sentence punctuation), becomes the site name;
//     locale, image and timestamps are lifted as above; the rest is dropped.
//   - Description: a block ending in a dateline such as "08.02.2022,
//     Example News" or "2022-02-08, Example News" after some text, where the
//     text is also an earlier block or the dateline names a site: the text
//     becomes Description, the name after the date the site name, and the
//     block is dropped together with earlier copies of the text. A block
//     that is only a dateline gives the site name.
//   - Tag lists: one line of two or more comma-separated items ("Politics,
//     Europe, Diplomacy"), or a block of two or more lines of one item each,
//     where every item has one to four words, no sentence-ending
//     punctuation and no "and"/"or" joining the last item as in prose;
//     tags are deduplicated in order.
//   - Bylines: a one-line block before the fourth paragraph that starts
//     with "By" (or Von, Par, Por, Di, Door, Av) followed by people's
//     names joined by commas or "and" ("By Jane Doe and John Smith", "By
//     Jane Doe, Staff Writer"): the names become Authors; job titles and a
//     lone organisation word ("Reuters") are dropped. A line with sentence
//     punctuation or lower-case words ("By then the harbour was closed")
//     stays text, and so does every later byline.
//   - Glued paragraphs: a paragraph is split where a sentence end (". ! ?",
//     possibly followed by a closing quote or bracket) runs into a
//     capitalised word with no space ("…the issue.The spokesman said…").
//     Not after a single letter (initials and abbreviations: U.S., J.R.R.
//     Tolkien, e.g.) unless an initialism of capitals runs into a word
//     that opens sentences ("the U.S.The delegation": The, In, He, But, …),
//     after a courtesy title (Mr.Smith, Dr., St.), between
//     two all-capital words (ASP.NET), before a digit or lower-case letter
//     (3.5, example.com, Node.js, No.1), after an ellipsis, or inside a URL.
//     A word glued to the next without punctuation (issueKremlin) is not
//     split. Each piece is then judged as a block of its own.
//   - Metadata lines inside a block of text: when a block mixes text lines
//     with lines of strong metadata (a timestamp under the title, an
//     e-mail address under a name), the metadata lines are lifted and the
//     rest of the block is judged on its own; a lone name left above an
//     e-mail address or phone number is the site name.
//   - Everything else is a paragraph. WordCount is computed with
//     article.CountWords.
//
// Read(Write(a)) gives back what the format carries: the written URL
// (CanonicalURL, or URL) in URL, Published's date as midnight UTC, the
// title and the text, for any article whose paragraphs do not themselves
// look like metadata, bylines, tag lists or glued sentences. Reading Write's output
// for a Document that Read produced gives the same title and text again.
//
// The package deliberately does not read files or folders, name files,
// detect languages, canonicalise URLs, or guess sections: it
// converts one article between bytes and an article.Article.
package textcorpus

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/herald-archive/herald/article"
)

// MaxSize is the largest input Read accepts, far above any article. Read
// takes time linear in its input; on input built to defeat its heuristics
// (hundreds of thousands of glued one-word sentences) that is about a
// second per mebibyte.
const MaxSize = 4 << 20

// ErrNoHeader reports input whose first non-blank line is not a
// " date YYYY-MM-DD URL" header.
var ErrNoHeader = errors.New("no \" date YYYY-MM-DD URL\" header line")

// errEmpty reports input with nothing but blank lines ("the file is
// empty"), which has no header line either: it wraps ErrNoHeader.
var errEmpty error = emptyError{}

type emptyError struct{}

func (emptyError) Error() string { return "the file is empty" }
func (emptyError) Unwrap() error { return ErrNoHeader }

// ErrNoTitle reports an article that cannot be written because it has no
// title.
var ErrNoTitle = errors.New("article has no title")

// Untitled stands for a missing title in the title block: an exporter
// writes it for an article without one (Write refuses those, since their
// first paragraph would be read back as the title), and Read gives an
// empty title for it.
const Untitled = "(untitled)"

// unknownDate is the header date of an article whose publication date is
// not known.
const unknownDate = "0000-00-00"

// Document is an article read from the corpus format.
type Document struct {
	// Article holds the fields read: URL, title and text always (as far as
	// the input has them), WordCount, and whatever metadata was recovered.
	Article article.Article
	// Recovered says, in file order, what Read lifted out of metadata
	// blocks, dropped, or repaired, each entry starting with the line
	// number: `line 7: published 2022-02-08T10:30:00Z from ISO timestamp`.
	// It is empty for a clean file. Past 200 entries, a last entry counts
	// the rest.
	Recovered []string
	// Encoding is the name of the encoding the input was read from:
	// "utf-8", or another when the input was not UTF-8 (see Decode).
	Encoding string
	// Detected is true when Encoding was told from the input rather than
	// named by the caller.
	Detected bool
}

// Write writes a in the corpus format, as described in the package
// documentation. The output depends only on a.
func Write(w io.Writer, a *article.Article) error {
	title := strings.Join(strings.Fields(a.Title), " ")
	if title == "" {
		return fmt.Errorf("write text corpus %s: %w", headerURL(a), ErrNoTitle)
	}
	var b strings.Builder
	b.WriteString(" date ")
	if a.Published.IsZero() {
		b.WriteString(unknownDate)
	} else {
		b.WriteString(a.Published.UTC().Format(time.DateOnly))
	}
	if u := headerURL(a); u != "" {
		b.WriteByte(' ')
		b.WriteString(u)
	}
	b.WriteString("\n\n")
	b.WriteString(title)
	b.WriteByte('\n')
	for _, blk := range splitBlocks(a.Text, 1) {
		b.WriteByte('\n')
		b.WriteString(strings.Join(blk.lines, "\n"))
		b.WriteByte('\n')
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write text corpus %s: %w", headerURL(a), err)
	}
	return nil
}

// headerURL is the URL Write puts in the header: one field, no spaces.
func headerURL(a *article.Article) string {
	u := a.CanonicalURL
	if strings.TrimSpace(u) == "" {
		u = a.URL
	}
	u = strings.TrimSpace(u)
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, strings.ReplaceAll(u, " ", "%20"))
}

// Read reads one article in the corpus format, tolerating the noise of
// scraped dumps as described in the package documentation. It returns an
// error wrapping ErrNoHeader when the input does not start with a header
// line (saying "the file is empty" when it holds only blank lines), and an error when the input cannot be read or exceeds MaxSize.
// Input that is not UTF-8 is decoded from the encoding it looks like
// (see Decode), a few invalid bytes in UTF-8 are replaced with U+FFFD,
// and CRLF line ends are accepted.
func Read(r io.Reader) (*Document, error) {
	return ReadEncoded(r, Auto)
}

// ReadEncoded reads as Read does, from input in the encoding label names
// (see Decode; Auto tells it from the data, as Read does). It returns an
// error wrapping ErrUnknownEncoding for a label it does not know, and one
// wrapping ErrEncoding when Auto cannot tell the input's encoding.
func ReadEncoded(r io.Reader, label string) (*Document, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read text corpus: %w", err)
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("read text corpus: larger than %d bytes", MaxSize)
	}
	dec, err := Decode(data, label)
	if err != nil {
		return nil, fmt.Errorf("read text corpus: %w", err)
	}
	s := strings.TrimPrefix(dec.Text, "\uFEFF")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")

	// The header is the first non-blank line.
	line := 0
	var header string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(nil, MaxSize+1)
	consumed := 0
	for sc.Scan() {
		line++
		consumed += len(sc.Text()) + 1
		if strings.TrimSpace(sc.Text()) != "" {
			header = sc.Text()
			break
		}
	}
	d := &Document{}
	if header == "" {
		return nil, fmt.Errorf("read text corpus: %w", errEmpty)
	}
	date, url, ok := parseHeader(header)
	if !ok {
		return nil, fmt.Errorf("read text corpus: line %d: %w", max(line, 1), ErrNoHeader)
	}
	d.Article.URL = url
	rest := ""
	if consumed < len(s) {
		rest = s[consumed:]
	}
	d.Encoding, d.Detected = dec.Encoding, dec.Detected
	rd := reader{doc: d, headerDate: date}
	if dec.Detected {
		rd.notef(1, "read as %s: not UTF-8, and that is the encoding the text looks like", dec.Encoding)
	}
	if dec.Replaced > 0 {
		rd.notef(1, "replaced %d invalid UTF-8 sequences with U+FFFD", dec.Replaced)
	}
	if date.IsZero() && !strings.Contains(header, unknownDate) {
		rd.notef(line, "header date is not a valid date")
	}
	rd.read(splitBlocks(rest, line+1))
	return d, nil
}

// parseHeader parses " date YYYY-MM-DD URL". The date is zero for
// 0000-00-00 or an invalid date; the URL may be missing.
func parseHeader(h string) (date time.Time, url string, ok bool) {
	f := strings.Fields(h)
	if len(f) < 2 || !strings.EqualFold(strings.TrimSuffix(f[0], ":"), "date") || !isDateShape(f[1]) {
		return time.Time{}, "", false
	}
	if len(f) >= 3 {
		url = f[2]
	}
	if t, err := time.Parse(time.DateOnly, f[1]); err == nil {
		date = t
	}
	return date, url, true
}

// isDateShape reports whether s looks like YYYY-MM-DD.
func isDateShape(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for i, c := range []byte(s) {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// block is a run of non-blank lines.
type block struct {
	line  int      // line number of the first line
	lines []string // trimmed, non-empty
}

// splitBlocks splits s into blocks at lines that are empty or hold only
// whitespace; first is the line number of s's first line.
func splitBlocks(s string, first int) []block {
	var out []block
	open := false
	for i, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			open = false
			continue
		}
		if !open {
			out = append(out, block{line: first + i})
			open = true
		}
		out[len(out)-1].lines = append(out[len(out)-1].lines, l)
	}
	return out
}

// oneLine joins the block's lines with single spaces, collapsing
// whitespace.
func (b block) oneLine() string {
	return strings.Join(strings.Fields(strings.Join(b.lines, " ")), " ")
}
