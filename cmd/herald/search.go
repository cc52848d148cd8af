package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/web"
)

func newSearchCmd(e *env) *cobra.Command {
	var (
		asJSON     bool
		limit      int
		page       int
		sortBy     string
		noCollapse bool
	)
	cmd := &cobra.Command{
		Use:   "search QUERY...",
		Short: "Search the archive",
		Long: `Search the archive with the query language of docs/search.md: words,
"exact phrases", OR, -exclusion, prefix*, and the filters site:, author:,
tag:, lang:, section:, original: (the host of the original a syndicated copy
names), after:YYYY-MM-DD and before:YYYY-MM-DD.

Near-duplicates (syndicated copies) are collapsed into one hit, and the
count is of stories (each set of copies once), unless --all-copies is
given. A count of 100,000 or more is shown as "at least".`,
		Example: `  herald search 'harbour "breakwater repairs" site:example.org after:2024-01-01'
  herald search --json --limit 100 'election -poll'`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &exitError{code: 2, msg: `search needs a query: words, "phrases" or filters such as site:example.org (docs/search.md); herald search '' lists every article`}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			ctx := cmd.Context()
			q, err := parseQueryArgs(args)
			if err != nil {
				return err
			}
			opts := store.SearchOptions{Limit: limit, Offset: (page - 1) * limit, Collapse: !noCollapse}
			if sortBy != "" {
				if sortBy, err = choice("--sort", sortBy, "relevance", "newest", "date", "oldest", "archived"); err != nil {
					return err
				}
			}
			switch sortBy {
			case "":
			case "relevance":
				opts.Sort = query.SortRelevance
			case "newest", "date": // date as in sort:date
				opts.Sort = query.SortNewest
			case "oldest":
				opts.Sort = query.SortOldest
			case "archived":
				opts.Sort = query.SortArchived
			}
			if err := checkLimit(limit); err != nil {
				return err
			}
			if page < 1 || page > maxPage {
				return fmt.Errorf("--page %d: want 1 to %d", page, maxPage)
			}
			db, err := openArchive(ctx, e, false)
			if err != nil {
				return err
			}
			defer db.Close()
			res, err := db.Search(ctx, q, opts)
			if err != nil {
				return err
			}
			w := bufio.NewWriter(e.stdout)
			defer flushOut(w, &err)
			if asJSON {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				if n, err := opts.Normalize(q); err == nil {
					opts = n // the sort the store used
				}
				return enc.Encode(web.NewSearchResponse(strings.Join(args, " "), res, opts))
			}
			if why := q.NoDays(); why != "" && res.Total == 0 {
				fmt.Fprintf(w, "No articles match: %s.\n", why)
				return nil
			}
			printHits(w, res, opts, isTerminal(e.stdout))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&asJSON, "json", false, "print the result as JSON")
	fl.IntVar(&limit, "limit", 10, "hits per page")
	fl.IntVar(&page, "page", 1, "page of results")
	fl.StringVar(&sortBy, "sort", "", "order: relevance, newest (or date), oldest, or archived (latest stored in the archive first) (default: relevance when the query has words, else newest)")
	fl.BoolVar(&noCollapse, "all-copies", false, "list near-duplicate copies separately")
	queryFlagHint(cmd)
	return cmd
}

// maxPage bounds --page, so that the offset it makes stays far from
// overflowing.
const maxPage = 1_000_000

// queryFlagHint makes cmd, whose arguments are a query, explain an unknown
// flag that is a query term: "herald search -harbour" means to exclude a
// word, but a leading "-" reads as a flag.
func queryFlagHint(cmd *cobra.Command) {
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return flagErrorHint(c, err, fmt.Sprintf("; a query that starts with - goes after --: %s -- '-word …'", c.CommandPath()))
	})
}

// checkLimit checks a --limit flag against the store's bound: search,
// top and stories list 1 to store.MaxLimit values (the API's bound is
// 100, but a terminal or a script may well want more).
func checkLimit(limit int) error {
	if limit < 1 || limit > store.MaxLimit {
		return fmt.Errorf("--limit %d: want 1 to %d", limit, store.MaxLimit)
	}
	return nil
}

// parseQueryArgs parses the optional QUERY argument of a command (none
// means every article), showing a malformed query with a caret.
func parseQueryArgs(args []string) (*query.Query, error) {
	qs := strings.Join(args, " ")
	q, err := store.ParseQuery(qs)
	if err != nil {
		return nil, queryError(qs, err)
	}
	return q, nil
}

// queryError shows a malformed query with a caret under the problem.
func queryError(q string, err error) error {
	var qe *query.Error
	if errors.As(err, &qe) {
		return &exitError{code: 2, msg: fmt.Sprintf("bad query: %s at column %d\n  %s\n  %s^", qe.Msg, qe.Column(), q, strings.Repeat(" ", qe.Column()-1))}
	}
	return err
}

// plainSnippet replaces the store's highlight markers with open/close.
func plainSnippet(s, open, close string) string {
	s = strings.ReplaceAll(s, store.HighlightStart, open)
	return strings.ReplaceAll(s, store.HighlightEnd, close)
}

// matchCount says how many hits res counts, and what: stories (clusters
// of near-duplicates) when collapsing, as the search page says, and "at
// least" when counting stopped at store.MaxTotal.
func matchCount(res *store.SearchResult, opts store.SearchOptions) string {
	noun, verb := "articles", "match"
	switch {
	case opts.Collapse && res.Total == 1 && !res.TotalCapped:
		noun, verb = "story", "matches"
	case opts.Collapse:
		noun = "stories"
	case res.Total == 1:
		noun, verb = "article", "matches"
	}
	if res.TotalCapped {
		return fmt.Sprintf("At least %d %s %s", res.Total, noun, verb)
	}
	return fmt.Sprintf("%d %s %s", res.Total, noun, verb)
}

func printHits(w *bufio.Writer, res *store.SearchResult, opts store.SearchOptions, tty bool) {
	if res.Total == 0 {
		fmt.Fprintln(w, "No articles match.")
		return
	}
	from := opts.Offset + 1
	to := opts.Offset + len(res.Hits)
	if len(res.Hits) == 0 {
		// Paging reaches the matches relevance ranking considers, for
		// words alone fewer than the total counts (docs/search.md).
		limit := max(opts.Limit, 1)
		fmt.Fprintf(w, "%s; page %d is past the last (%d)", matchCount(res, opts), opts.Offset/limit+1, max(1, (res.Pageable()+limit-1)/limit))
		if res.Pageable() < res.Total {
			fmt.Fprintf(w, ": ranking by relevance looks at the %d most recently archived matches; --sort date pages through every one", store.RankWindow)
		}
		fmt.Fprintln(w, ".")
		return
	}
	fmt.Fprintf(w, "%s; showing %d–%d.\n\n", matchCount(res, opts), from, to)
	open, close := "«", "»"
	if tty {
		open, close = "\x1b[1m", "\x1b[0m"
	}
	for i, h := range res.Hits {
		r := h.Record
		title := oneLine(r.Title)
		if title == "" {
			title = "(untitled)"
		}
		fmt.Fprintf(w, "%d. %s\n", from+i, title)
		var meta []string
		if s := firstNonEmpty(r.SiteName, canon.DisplaySite(r.CanonicalURL), canon.DisplaySite(r.URL)); s != "" {
			meta = append(meta, s)
		}
		if d := r.Date(); !d.IsZero() {
			// The day the archive files it under (after:, before:,
			// timelines), not the publisher's local day.
			meta = append(meta, d.UTC().Format("2006-01-02"))
		}
		if len(r.Authors) > 0 {
			meta = append(meta, strings.Join(r.Authors, ", "))
		}
		if h.Duplicates > 0 {
			meta = append(meta, fmt.Sprintf("+%d copies", h.Duplicates))
		}
		fmt.Fprintf(w, "   %s\n", strings.Join(meta, " · "))
		fmt.Fprintf(w, "   %s\n", firstNonEmpty(r.CanonicalURL, r.URL))
		if h.Snippet != "" {
			fmt.Fprintf(w, "   %s\n", oneLine(plainSnippet(stripControl(h.Snippet), open, close)))
		}
		fmt.Fprintf(w, "   id %s\n\n", r.ID)
	}
}

// stripControl removes terminal control characters (other than the
// highlight markers) from archived text before it reaches a terminal.
func stripControl(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\x02' || r == '\x03' {
			return r
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(stripControl(s)), " ")
}

// isTerminal reports whether w is a terminal (a character device), which
// decides between tables with colour and plain output.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
