package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/extract"
	"github.com/herald-archive/herald/internal/fetch"
	"github.com/herald-archive/herald/internal/textcorpus"
)

type extractFlags struct {
	format       string
	url          string
	maxBytes     int64
	explain      bool
	allowPrivate bool
	noDetect     bool
}

func newExtractCmd(e *env) *cobra.Command {
	var f extractFlags
	cmd := &cobra.Command{
		Use:   "extract [flags] INPUT...",
		Short: "Extract article records from HTML pages (files, URLs or stdin)",
		Long: `Extract reads news pages and prints their article records.

INPUT is a file (optionally gzip-compressed, *.gz), an http(s) URL, or "-"
for standard input. One input prints one JSON object; several print one
JSON line each, in input order, with an "input" field. An input that
fails prints {"input": ..., "error": ...}, the others still run, and the
exit status is 1.

Formats: json (default), jsonl, text (the plain-text corpus format) and
markdown.`,
		Example: `  herald extract page.html
  herald extract --url https://news.example.org/2024/05/01/story.html page.html.gz
  curl -s https://news.example.org/story | herald extract --url https://news.example.org/story -
  herald extract --format text a.html b.html c.html`,
		Args: wantArgs(1, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExtract(cmd.Context(), e, f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "json", "output format: json, jsonl, text or markdown")
	fl.StringVar(&f.url, "url", "", "page URL of a file or stdin input (resolves relative links, gives URL dates)")
	fl.Int64Var(&f.maxBytes, "max-bytes", extract.DefaultMaxBytes, "largest page accepted, in bytes (at least 1)")
	fl.BoolVar(&f.explain, "explain", false, "add where each metadata field came from (\"sources\") and notes")
	fl.BoolVar(&f.allowPrivate, "allow-private", false, "allow fetching URLs on loopback and private networks")
	fl.BoolVar(&f.noDetect, "no-detect-language", false, "do not guess the language of pages that declare none")
	return cmd
}

// extractOutput is one output record: the article plus what the user
// asked to see about it.
type extractOutput struct {
	Input string `json:"input,omitempty"`
	*article.Article
	Sources map[string]string `json:"sources,omitempty"`
	Notes   []string          `json:"notes,omitempty"`
}

func runExtract(ctx context.Context, e *env, f extractFlags, inputs []string) error {
	var err error
	if f.format, err = choice("--format", f.format, "json", "jsonl", "text", "markdown"); err != nil {
		return err
	}
	if f.url != "" && !isHTTPURL(f.url) {
		return fmt.Errorf("--url %q: want an absolute http or https URL", f.url)
	}
	if f.maxBytes < 1 {
		// The cap is handed to the fetcher, the file reader and the
		// extractor, which each read zero or a negative number their own
		// way (the default, no cap at all): refused, so that it means one
		// thing.
		return fmt.Errorf("--max-bytes %d: want a positive number of bytes (default %d)", f.maxBytes, int64(extract.DefaultMaxBytes))
	}
	stdinUsed := 0
	for _, in := range inputs {
		if in == "-" {
			stdinUsed++
		}
	}
	if stdinUsed > 1 {
		return errors.New(`"-" (standard input) can be given only once`)
	}
	var client *fetch.Client
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	multi := len(inputs) > 1
	failed := 0
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			return err
		}
		var res *extract.Result
		src, opts, err := readInput(ctx, e, in, f, &client)
		if err == nil {
			res, err = extract.Extract(src, opts)
		}
		if err != nil {
			failed++
			if !multi {
				out.Flush()
				return &exitError{code: 1, msg: fmt.Sprintf("%s: %v", in, err)}
			}
			if f.format == "json" || f.format == "jsonl" {
				line, _ := json.Marshal(struct {
					Input string `json:"input"`
					Error string `json:"error"`
				}{in, err.Error()})
				out.Write(line)
				out.WriteByte('\n')
			} else {
				fmt.Fprintf(e.stderr, "herald: %s: %v\n", in, err)
			}
			continue
		}
		o := extractOutput{Article: &res.Article}
		if multi {
			o.Input = in
		}
		if f.explain {
			o.Sources, o.Notes = res.Sources, res.Notes
		}
		if err := writeExtract(out, f.format, multi, &o); err != nil {
			return err
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if failed > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d of %d inputs failed", failed, len(inputs))}
	}
	return nil
}

func writeExtract(w *bufio.Writer, format string, multi bool, o *extractOutput) error {
	switch format {
	case "json", "jsonl":
		var b []byte
		var err error
		if format == "json" && !multi {
			b, err = json.MarshalIndent(o, "", "  ")
		} else {
			b, err = json.Marshal(o)
		}
		if err != nil {
			return fmt.Errorf("encode record: %w", err)
		}
		w.Write(b)
		w.WriteByte('\n')
	case "text":
		if err := textcorpus.Write(w, o.Article); err != nil {
			return err
		}
		w.WriteByte('\n')
	case "markdown":
		writeMarkdown(w, o.Article)
	}
	return nil
}

// readInput loads one input: a URL is fetched politely, "-" is standard
// input, anything else a file (gunzipped when it ends in .gz).
func readInput(ctx context.Context, e *env, in string, f extractFlags, client **fetch.Client) ([]byte, extract.Options, error) {
	opts := extract.Options{URL: f.url, MaxBytes: f.maxBytes, NoLanguageDetection: f.noDetect}
	if isHTTPURL(in) {
		if *client == nil {
			*client = fetch.New(fetch.Options{MaxBodyBytes: f.maxBytes, AllowPrivate: f.allowPrivate})
		}
		resp, err := (*client).Fetch(ctx, fetch.Request{URL: in})
		if err != nil {
			// Reported after the input's name: without the "fetch URL: "
			// that repeats it.
			err = &reasonError{strings.TrimPrefix(err.Error(), "fetch "+in+": "), err}
		}
		if err != nil {
			return nil, opts, allowPrivateHint(err)
		}
		opts.URL = resp.URL
		opts.ContentType = resp.ContentType
		opts.ContentLanguage = resp.Header.Get("Content-Language")
		opts.FetchedAt = resp.FetchedAt
		return resp.Body, opts, nil
	}
	var r io.Reader
	if in == "-" {
		r = e.stdin
	} else {
		fh, err := openFile(in)
		if err != nil {
			return nil, opts, err
		}
		defer fh.Close()
		r = fh
	}
	r, err := gunzipped(r)
	if err != nil {
		return nil, opts, err
	}
	src, err := io.ReadAll(io.LimitReader(r, f.maxBytes+1))
	if err != nil {
		return nil, opts, fmt.Errorf("read: %w", err)
	}
	return src, opts, nil
}

// gunzipped reads r, gunzipped when it starts as gzip data does.
func gunzipped(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
		return gz, nil
	}
	return br, nil
}

func isHTTPURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// writeMarkdown renders a record as a Markdown document: the title, a
// line of metadata, the description as a quote, then the paragraphs.
func writeMarkdown(w *bufio.Writer, a *article.Article) {
	if a.Title != "" {
		fmt.Fprintf(w, "# %s\n\n", mdEscapeLine(a.Title))
	}
	var meta []string
	if len(a.Authors) > 0 {
		meta = append(meta, "By "+strings.Join(a.Authors, ", "))
	}
	if a.SiteName != "" {
		meta = append(meta, a.SiteName)
	}
	if !a.Published.IsZero() {
		meta = append(meta, a.Published.Format(time.RFC3339))
	}
	if u := firstNonEmpty(a.CanonicalURL, a.URL); u != "" {
		meta = append(meta, "<"+u+">")
	}
	if len(meta) > 0 {
		fmt.Fprintf(w, "*%s*\n\n", strings.Join(meta, " · "))
	}
	if a.Description != "" {
		fmt.Fprintf(w, "> %s\n\n", mdEscapeLine(a.Description))
	}
	for _, p := range a.Paragraphs() {
		fmt.Fprintf(w, "%s\n\n", mdEscapeLine(p))
	}
}

// mdEscapeLine keeps a paragraph from being read as Markdown structure
// (a heading, list item or quote) because of how its text happens to start.
func mdEscapeLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if s == "" {
		return s
	}
	switch s[0] {
	case '#', '>', '-', '+', '*', '=', '|':
		return `\` + s
	}
	if i := strings.IndexAny(s, ".)"); i > 0 && i < 10 && strings.Trim(s[:i], "0123456789") == "" {
		return s[:i] + `\` + s[i:]
	}
	return s
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
