package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/export"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/web"
)

func newStoriesCmd(e *env) *cobra.Command {
	var (
		asJSON, asCSV bool
		limit         int
	)
	cmd := &cobra.Command{
		Use:   "stories [QUERY]",
		Short: "List the stories the most archived articles carry (syndication and copies)",
		Long: `Stories lists the near-duplicate clusters among the archived articles
matching QUERY (all articles when it is empty; the query language of
docs/search.md) that more than one article carries: a wire story, a press
release, a copied or lightly edited text. Each comes with how many
matching articles carry it, on how many sites, and the first of them
(the earliest dated; of several dated alike, the one archived first): who ran it first, and how long it kept
spreading. Most articles first, then most sites, then the earliest.

The table shows the first article's title and site; --json prints what
GET /api/stories returns, with each first article's id and URL, and --csv
the stories for a spreadsheet (columns in docs/export.md). The web UI's
article page of the first article lists all the copies.`,
		Example: `  herald stories
  herald stories 'election after:2024-01-01' --limit 25
  herald stories 'lang:ru' --json
  herald stories 'election' --limit 100 --csv > stories.csv`,
		Args: cobra.ArbitraryArgs, // the words of one query
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			ctx := cmd.Context()
			q, err := parseQueryArgs(args)
			if err != nil {
				return err
			}
			if asJSON && asCSV {
				return fmt.Errorf("--json and --csv: choose one")
			}
			if err := checkLimit(limit); err != nil {
				return err
			}
			db, err := openArchive(ctx, e, false)
			if err != nil {
				return err
			}
			defer db.Close()
			sl, ok := db.(store.StoryLister)
			if !ok {
				return fmt.Errorf("this archive cannot list stories")
			}
			stories, err := sl.TopStories(ctx, q, limit)
			if err != nil {
				return err
			}
			w := bufio.NewWriter(e.stdout)
			defer flushOut(w, &err)
			if asCSV {
				return export.WriteStoriesCSV(w, stories)
			}
			if asJSON {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(web.NewStoriesResponse(strings.Join(args, " "), stories))
			}
			printStories(w, stories)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&asJSON, "json", false, "print the stories as JSON, as /api/stories does")
	fl.BoolVar(&asCSV, "csv", false, "print the stories as CSV: "+strings.Join(export.StoryColumns, ",")+" (docs/export.md)")
	fl.IntVar(&limit, "limit", 10, fmt.Sprintf("how many stories to list, 1 to %d", store.MaxLimit))
	queryFlagHint(cmd)
	return cmd
}

// printStories prints stories as an aligned table: rank, articles, sites,
// first and last date, the first article's site and title.
func printStories(w *bufio.Writer, stories []store.Story) {
	if len(stories) == 0 {
		fmt.Fprintln(w, "No story among the matching articles is carried by more than one of them.")
		return
	}
	sites := make([]string, len(stories))
	rankW, artW, siteW := len("rank"), len("articles"), len("first on")
	for i, s := range stories {
		sites[i] = truncateRunes(topName(store.TopSite, s.First.Site), 32)
		rankW = max(rankW, len(fmt.Sprint(i+1)))
		artW = max(artW, len(fmt.Sprint(s.Articles)))
		siteW = max(siteW, len([]rune(sites[i])))
	}
	fmt.Fprintf(w, "%*s  %*s  %5s  %-10s  %-10s  %-*s  %s\n", rankW, "rank", artW, "articles", "sites", "first", "last", siteW, "first on", "title")
	for i, s := range stories {
		title := truncateRunes(oneLine(s.First.Title), 72)
		if title == "" {
			title = "(no title)"
		}
		if h := store.SiteHost(s.First.OriginalURL); h != "" {
			title += " (a copy: names " + oneLine(topName(store.TopSite, h)) + " as the original)"
		}
		pad := siteW - len([]rune(sites[i]))
		fmt.Fprintf(w, "%*d  %*d  %5d  %-10s  %-10s  %s%s  %s\n", rankW, i+1, artW, s.Articles, s.Sites,
			s.First.Date.Format(time.DateOnly), s.Last.Format(time.DateOnly), sites[i], strings.Repeat(" ", pad), title)
	}
}
