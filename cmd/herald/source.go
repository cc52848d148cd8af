package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/fetch"
	"github.com/herald-archive/herald/internal/harvest"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/web"
)

func newSourceCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "source",
		Short: "Manage the feeds, sitemaps, sites and URL lists that herald harvest polls",
		Long: `Sources are kept in the archive. Each has a kind and a re-poll interval;
herald harvest polls the sources that are due, herald harvest --watch keeps
polling them on schedule.

Kinds:
  feed     an RSS, Atom or JSON feed; its items are fetched
  sitemap  a sitemap or sitemap index (gzip and Google News sitemaps too), or
           a site whose robots.txt names its sitemaps
  site     a home or section page; links within the site are crawled, article
           pages stored, listing pages followed (bounded depth and pages)
  list     a plain-text list of page URLs, one a line (blank lines and
           # comments allowed); a text file with other lines is read as a
           text sitemap, its URL lines only`,
	}
	cmd.AddCommand(newSourceAddCmd(e), newSourceListCmd(e),
		newSourceStateCmd(e, "pause", "Stop polling a source (its articles stay)"),
		newSourceStateCmd(e, "resume", "Poll a paused source again"),
		newSourceStateCmd(e, "remove", "Remove a source and its fetch log (its articles stay)"))
	return cmd
}

func newSourceAddCmd(e *env) *cobra.Command {
	var kind string
	var every time.Duration
	var allowPrivate bool
	cmd := &cobra.Command{
		Use:   "add URL",
		Short: "Add a source; without --kind, the URL is fetched once to tell what it is",
		Example: `  herald source add https://news.example.org/feed.xml
  herald source add https://news.example.org/sitemap_index.xml --kind sitemap --every 30m
  herald source add https://news.example.org/ --kind site --every 6h`,
		Args: wantArgs(1, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			u, err := sourceURLArg(args[0])
			if err != nil {
				return err
			}
			if kind != "" {
				if kind, err = choice("--kind", kind, store.KindFeed, store.KindSitemap, store.KindSite, store.KindList); err != nil {
					return err
				}
			}
			// The API's bounds, in its words.
			if every != 0 && (every < harvest.MinSourceInterval || every > harvest.MaxSourceInterval) {
				why := "want"
				if every < 0 {
					why = "an interval cannot be negative: want"
				}
				return fmt.Errorf("--every %s: %s 0 (the default) or %s to %s", shortDuration(every), why,
					shortDuration(harvest.MinSourceInterval), shortDuration(harvest.MaxSourceInterval))
			}
			db, err := openArchive(ctx, e, true)
			if err != nil {
				return err
			}
			defer db.Close()
			// A duplicate is refused before its URL is fetched for nothing.
			if err := harvest.CheckNewSource(ctx, db, u); err != nil {
				return err
			}
			if kind == "" {
				k, err := harvest.DetectKind(ctx, u, harvest.Options{AllowPrivate: allowPrivate})
				if err != nil {
					// "detect kind of URL: fetch URL: …" names it twice.
					err = &reasonError{strings.Replace(err.Error(), "fetch "+u+": ", "", 1), err}
				}
				if errors.Is(err, fetch.ErrPrivateAddress) {
					return fmt.Errorf("%w (give --allow-private for a site on your own network; harvests of it need it too)", err)
				}
				if err != nil {
					return fmt.Errorf("%w (give --kind to add it without fetching)", err)
				}
				kind = k
			}
			s := &store.Source{URL: u, Kind: kind, Interval: every}
			if err := db.AddSource(ctx, s); err != nil {
				if errors.Is(err, store.ErrConflict) {
					// Added by someone else since the check.
					return fmt.Errorf("source %s exists already", u)
				}
				return err
			}
			fmt.Fprintf(e.stdout, "added source %d: %s %s, polled every %s\n", s.ID, s.Kind, s.URL, sourceEvery(s.Interval))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&kind, "kind", "", "feed, sitemap, site or list (default: found out by fetching the URL)")
	fl.DurationVar(&every, "every", 0, fmt.Sprintf("re-poll interval, %s to %s (default %s)", shortDuration(harvest.MinSourceInterval), shortDuration(harvest.MaxSourceInterval), shortDuration(harvest.DefaultInterval)))
	fl.BoolVar(&allowPrivate, "allow-private", false, "allow fetching a URL on loopback or private networks to detect its kind")
	return cmd
}

// sourceURLArg checks a source URL given by the user.
func sourceURLArg(s string) (string, error) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		// A long line (a binary file, JSON given by mistake) is named
		// by its start.
		return "", fmt.Errorf("%q is not an http(s) URL", truncateRunes(s, 60))
	}
	return s, nil
}

func sourceEvery(d time.Duration) string {
	if d <= 0 {
		return shortDuration(harvest.DefaultInterval) + " (default)"
	}
	return shortDuration(d)
}

// shortDuration is d as a flag takes it, without Go's trailing zero
// units: 5m rather than 5m0s, 1h rather than 1h0m0s, -5m for -5m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// sourceHealth is one row of the `source list` table (--json prints
// web.SourceList instead).
type sourceHealth struct {
	*store.Source
	// Articles counts the archived articles on the source's host
	// (harvest.SourceArticles).
	Articles int
}

func newSourceListCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List sources with their health: last poll and fetch, last error, articles, next poll",
		Long: `List prints each source with its health: when it was last polled whole
(LAST POLL: a poll whose own URL failed does not count, so a source that
never could be polled shows never) and fetched, its last error, when it is next due, and ARTICLES, the number of
archived articles on the source's host and its subdomains (what site: with
that host finds, as the sources API counts them): the archive files
articles by site, not by the source that found them, so sources on one
host show the same count. --json prints what GET /api/sources returns
(docs/api.md): the interval in seconds (0: the default), each source's
health and its last fetch.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := openArchive(ctx, e, false)
			if err != nil {
				return err
			}
			defer db.Close()
			if asJSON {
				body, err := web.SourceList(ctx, db)
				if err != nil {
					return err
				}
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(body)
			}
			srcs, err := db.ListSources(ctx)
			if err != nil {
				return err
			}
			rows := make([]sourceHealth, 0, len(srcs))
			for _, s := range srcs {
				row, err := sourceHealthOf(ctx, db, s)
				if err != nil {
					return err
				}
				rows = append(rows, row)
			}
			if len(rows) == 0 {
				fmt.Fprintln(e.stdout, "no sources (add one with herald source add URL)")
				return nil
			}
			now := time.Now()
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tKIND\tURL\tEVERY\tSTATE\tLAST POLL\tNEXT POLL\tARTICLES\tLAST ERROR")
			for _, r := range rows {
				state := "active"
				if r.Paused {
					state = "paused"
				}
				every := shortDuration(r.Interval)
				if r.Interval <= 0 {
					every = "default"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.ID, r.Kind, stripControl(r.URL), every, state,
					sourceAgo(now, r.LastPolled), sourceNext(now, r.Source), r.Articles, oneLine(stripControl(r.LastError)))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON (as GET /api/sources)")
	return cmd
}

// sourceHealthOf counts the articles on a source's host
// (harvest.SourceArticles), as the sources API does.
func sourceHealthOf(ctx context.Context, st store.Store, s *store.Source) (sourceHealth, error) {
	h := sourceHealth{Source: s}
	var err error
	h.Articles, _, err = harvest.SourceArticles(ctx, st, s)
	return h, err
}

func sourceAgo(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return now.Sub(t).Truncate(time.Second).String() + " ago"
}

func sourceNext(now time.Time, s *store.Source) string {
	switch {
	case s.Paused:
		return "-"
	case s.Due(now):
		return "due"
	}
	return "in " + s.NextPoll.Sub(now).Truncate(time.Second).String()
}

// newSourceStateCmd makes pause, resume and remove.
func newSourceStateCmd(e *env, verb, short string) *cobra.Command {
	return &cobra.Command{
		Use:   verb + " ID",
		Short: short,
		Args:  wantArgs(1, true),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("source id %q is not a number (see herald source list)", args[0])
			}
			db, err := openArchive(ctx, e, false)
			if err != nil {
				return err
			}
			defer db.Close()
			if verb == "remove" {
				if err := db.RemoveSource(ctx, id); err != nil {
					return sourceNotFound(id, err)
				}
				fmt.Fprintf(e.stdout, "removed source %d\n", id)
				return nil
			}
			s, err := db.Source(ctx, id)
			if err != nil {
				return sourceNotFound(id, err)
			}
			s.Paused = verb == "pause"
			if err := db.UpdateSource(ctx, s); err != nil {
				return sourceNotFound(id, err)
			}
			fmt.Fprintf(e.stdout, "%sd source %d: %s\n", verb, id, s.URL)
			return nil
		},
	}
}

func sourceNotFound(id int64, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no source %d (see herald source list)", id)
	}
	return err
}
