package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/store"
)

func newWithheldCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "withheld",
		Short: "List, add and release the articles the archive keeps out (takedowns)",
		Long: `Withheld articles are kept out of the archive for good: harvests do not
fetch their URLs, and imports and fleet workers skip them (counted as
"withheld"). herald delete --withhold deletes archived articles and
withholds them in one go; herald withheld add keeps out a URL the archive
does not hold yet; herald withheld release lets a URL be archived again.`,
	}
	cmd.AddCommand(newWithheldListCmd(e), newWithheldAddCmd(e), newWithheldReleaseCmd(e))
	return cmd
}

// withheldStore opens the archive and checks that it can withhold.
func withheldStore(cmd *cobra.Command, e *env) (store.Store, store.WithheldLister, error) {
	db, err := openArchive(cmd.Context(), e, false)
	if err != nil {
		return nil, nil, err
	}
	wl, ok := db.(store.WithheldLister)
	if !ok {
		db.Close()
		return nil, nil, errors.New("this archive cannot withhold articles")
	}
	return db, wl, nil
}

// withheldID returns the article id of arg: a URL's (see urlID), or arg
// itself when it is not a URL.
func withheldID(arg string) (id, url string, err error) {
	if !strings.Contains(arg, "://") {
		return arg, "", nil
	}
	id, url, err = urlID(arg)
	if err != nil {
		return "", "", &exitError{code: 2, msg: fmt.Sprintf("%q: %v", arg, err)}
	}
	return id, url, nil
}

// urlID returns the canonical form of the page URL raw and the id of the
// article archived under it.
func urlID(raw string) (id, canonical string, err error) {
	canonical, err = canon.URL(strings.TrimSpace(raw))
	if err != nil {
		return "", "", urlReason(err)
	}
	return canon.ID(canonical), canonical, nil
}

// urlReason is why canon refused a URL, for a message that names the URL
// already: what is wanted, or canon's reason without the "canonicalise url
// "…":" that repeats the URL.
func urlReason(err error) error {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "canonicalise url "); ok {
		if i := strings.Index(rest, ": "); i >= 0 {
			msg = rest[i+2:]
		}
	}
	switch {
	case errors.Is(err, canon.ErrScheme):
		msg = "want an http or https URL"
	case msg == "not absolute" || msg == "no host":
		msg = "want an absolute http or https URL"
	}
	return &reasonError{msg, err}
}

func newWithheldListCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the withheld articles, oldest first",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) (err error) {
			db, wl, err := withheldStore(cmd, e)
			if err != nil {
				return err
			}
			defer db.Close()
			list, err := wl.ListWithheld(cmd.Context())
			if err != nil {
				return err
			}
			out := bufio.NewWriter(e.stdout)
			defer flushOut(out, &err)
			if asJSON {
				enc := json.NewEncoder(out)
				for _, w := range list {
					_ = enc.Encode(w) // a write error shows at Flush
				}
				return nil
			}
			if len(list) == 0 {
				fmt.Fprintln(out, "No articles are withheld.")
				return nil
			}
			for _, w := range list {
				fmt.Fprintf(out, "%s  %s  %s", w.At.UTC().Format(time.DateTime), w.ID, stripControl(w.URL))
				if w.Reason != "" {
					fmt.Fprintf(out, "  (%s)", stripControl(w.Reason))
				}
				fmt.Fprintln(out)
			}
			fmt.Fprintf(out, "%s withheld\n", spellCount(len(list), "article"))
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON lines")
	return cmd
}

func newWithheldAddCmd(e *env) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "add URL...",
		Short: "Keep out URLs the archive does not hold yet",
		Long: `Add keeps the articles at the given URLs out of the archive before they
are harvested or imported. A URL the archive holds is refused: delete it
with herald delete --url URL --yes --withhold.`,
		Example: `  herald withheld add https://news.example.com/2024/05/story.html --reason 'court order 2024/118'`,
		Args:    wantArgs(1, false),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			ctx := cmd.Context()
			var ws []store.WithheldArticle
			for _, a := range args {
				id, url, err := withheldID(a)
				if err != nil {
					return err
				}
				if url == "" {
					return &exitError{code: 2, msg: fmt.Sprintf("%q: want an http or https URL", a)}
				}
				ws = append(ws, store.WithheldArticle{ID: id, URL: url, At: time.Now(), Reason: strings.TrimSpace(reason)})
			}
			db, _, err := withheldStore(cmd, e)
			if err != nil {
				return err
			}
			defer db.Close()
			err = archive.Withhold(ctx, db, ws)
			if held := (*archive.HeldError)(nil); errors.As(err, &held) {
				return &exitError{code: 1, msg: fmt.Sprintf("%v (nothing was withheld): delete it with herald delete --url %s --yes --withhold", held, held.URL)}
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "withheld %s\n", spellCount(len(ws), "URL"))
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why they are withheld (a takedown request's reference), kept with them")
	return cmd
}

func newWithheldReleaseCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "release (URL | ID)...",
		Short: "Let withheld URLs be archived again",
		Long: `Release stops withholding the given URLs (or article ids, as herald
withheld list shows them): the next harvest or import that meets them
archives them again. Nothing is restored by releasing: a deleted article
comes back only when it is harvested or imported again.`,
		Args: wantArgs(1, false),
		RunE: func(cmd *cobra.Command, args []string) error {
			var ids []string
			for _, a := range args {
				id, _, err := withheldID(a)
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			db, wl, err := withheldStore(cmd, e)
			if err != nil {
				return err
			}
			defer db.Close()
			var unknown []string
			released := 0
			for i, id := range ids {
				n, err := wl.Release(cmd.Context(), []string{id})
				if err != nil {
					return err
				}
				if n == 0 {
					unknown = append(unknown, args[i])
				}
				released += n
			}
			fmt.Fprintf(e.stdout, "released %s\n", spellCount(released, "URL"))
			if len(unknown) > 0 {
				return &exitError{code: 1, msg: "not withheld: " + strings.Join(unknown, ", ")}
			}
			return nil
		},
	}
}
