package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/web"
)

func newTopCmd(e *env) *cobra.Command {
	var (
		asJSON bool
		by     string
		limit  int
	)
	cmd := &cobra.Command{
		Use:   "top [QUERY]",
		Short: "List the most frequent sites, tags, authors, languages, sections or originals among matching articles",
		Long: `Top counts the archived articles matching QUERY (all articles when it is
empty; the query language of docs/search.md) by site, tag, author,
language (lang), section or original and lists the most frequent values,
most frequent first, ties by name: the top lists beside the web timeline,
and /api/top.

The table gives each value's share of the matching articles. An article
has one site but any number of tags and authors, so the shares of tags
and authors need not add up to 100%; articles without a tag, author,
language or section are not counted. Sites are host names without
"www.", internationalised ones in punycode (their Unicode spelling is shown
beside them; site: accepts either). Languages and sections are listed as
the articles give them (lang:en matches en and en-GB; section: ignores
case). --by original counts the sites that matching articles name as
their original (a rel=canonical to another site): which sources the
copies republish; articles that name none are not counted, and
original:SITE finds the copies. --json prints what /api/top returns.`,
		Example: `  herald top
  herald top 'harbour after:2024-01-01' --by tag
  herald top 'election site:example.org' --by section
  herald top 'lang:ru' --by author --limit 25 --json
  herald top 'site:partner.example' --by original
  herald top -- '-site:example.com'`,
		Args: cobra.ArbitraryArgs, // the words of one query
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			ctx := cmd.Context()
			q, err := parseQueryArgs(args)
			if err != nil {
				return err
			}
			fields := make([]string, len(store.TopFields))
			for i, f := range store.TopFields {
				fields[i] = string(f)
			}
			if by, err = choice("--by", by, fields...); err != nil {
				return err
			}
			field := store.TopField(by)
			if err := checkLimit(limit); err != nil {
				return err
			}
			db, err := openArchive(ctx, e, false)
			if err != nil {
				return err
			}
			defer db.Close()
			w := bufio.NewWriter(e.stdout)
			defer flushOut(w, &err)
			if asJSON {
				counts, err := db.Top(ctx, q, field, limit)
				if err != nil {
					return err
				}
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(web.NewTopResponse(strings.Join(args, " "), field, counts))
			}
			counts, total, err := topWithTotal(ctx, db, q, field, limit)
			if err != nil {
				return err
			}
			printTop(w, field, counts, total)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&asJSON, "json", false, "print the counts as JSON, as /api/top does")
	fl.StringVar(&by, "by", string(store.TopSite), "count by: "+store.TopFieldList())
	fl.IntVar(&limit, "limit", 10, fmt.Sprintf("how many values to list, 1 to %d", store.MaxLimit))
	queryFlagHint(cmd)
	return cmd
}

// topWithTotal returns the top counts and the number of articles matching
// q, which the shares are of. The store has no count of its own; a
// timeline's buckets add up to every match, exactly (a search's total
// stops at store.MaxTotal), and it is what the web page beside its top
// lists reads. The two are independent reads, so they run side by side.
func topWithTotal(ctx context.Context, db store.Store, q *query.Query, field store.TopField, n int) ([]store.Count, int, error) {
	var (
		wg      sync.WaitGroup
		counts  []store.Count
		buckets []store.Bucket
		errTop  error
		errTL   error
	)
	ctx = store.WithSharedWork(ctx) // one walk of the matches for both
	wg.Go(func() { counts, errTop = db.Top(ctx, q, field, n) })
	wg.Go(func() { buckets, errTL = db.Timeline(ctx, q, store.TimelineOptions{By: store.Month}) })
	wg.Wait()
	if err := errors.Join(errTop, errTL); err != nil {
		return nil, 0, err
	}
	total := 0
	for _, b := range buckets {
		total += b.Count
	}
	// Articles archived between the two reads could leave a count above
	// the total; a share over 100% would be nonsense.
	for _, c := range counts {
		total = max(total, c.Count)
	}
	return counts, total, nil
}

// topNameWidth bounds the name column, so that one long author or tag
// does not push the counts off a terminal.
const topNameWidth = 48

// printTop prints the counts as an aligned table: rank, name, articles
// and share of the total matches.
func printTop(w *bufio.Writer, field store.TopField, counts []store.Count, total int) {
	if total == 0 {
		fmt.Fprintln(w, "No articles match.")
		return
	}
	if total == 1 {
		fmt.Fprint(w, "1 article matches")
	} else {
		fmt.Fprintf(w, "%d articles match", total)
	}
	if len(counts) == 0 {
		// Only these can be missing: every article has a site.
		article := map[store.TopField]string{store.TopTag: "a tag", store.TopAuthor: "an author",
			store.TopLang: "a language", store.TopSection: "a section", store.TopOriginal: "an original"}[field]
		verb := "has"
		if field == store.TopOriginal {
			verb = "names"
		}
		fmt.Fprintf(w, "; none %s %s.\n", verb, article)
		return
	}
	column := string(field)
	switch field {
	case store.TopLang:
		column = "language"
	case store.TopOriginal:
		column = "original site"
	}
	fmt.Fprintf(w, ". Top %ss:\n\n", column)
	names := make([]string, len(counts))
	nameW, countW := len(column), len("articles")
	for i, c := range counts {
		names[i] = truncateRunes(topName(field, c.Key), topNameWidth)
		nameW = max(nameW, len([]rune(names[i])))
		countW = max(countW, len(fmt.Sprint(c.Count)))
	}
	rankW := max(len("rank"), len(fmt.Sprint(len(counts))))
	fmt.Fprintf(w, "%*s  %-*s  %*s  %6s\n", rankW, "rank", nameW, column, countW, "articles", "share")
	for i, c := range counts {
		pad := nameW - len([]rune(names[i])) // %-*s pads by bytes, names are not ASCII
		fmt.Fprintf(w, "%*d  %s%s  %*d  %5.1f%%\n", rankW, i+1, names[i], strings.Repeat(" ", pad), countW, c.Count,
			100*float64(c.Count)/float64(total))
	}
}

// topName is a value as the table shows it: on one line, and a punycode
// host with its Unicode spelling beside it, which people can read.
func topName(field store.TopField, key string) string {
	name := oneLine(key)
	if field == store.TopSite || field == store.TopOriginal {
		if u := canon.DisplayHost(name); u != name {
			name += " (" + oneLine(u) + ")"
		}
	}
	if name == "" {
		name = "(none)"
	}
	return name
}

// truncateRunes shortens s to n characters, ending in "…" when cut.
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
