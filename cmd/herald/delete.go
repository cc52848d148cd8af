package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/harvest"
)

func newDeleteCmd(e *env) *cobra.Command {
	var dryRun, yes, asJSON, withhold, erase bool
	var urls, ids []string
	var reason, captures string
	var batch batchFlag
	cmd := &cobra.Command{
		Use:   "delete (QUERY | --url URL... | --id ID...) (--dry-run | --yes) [--withhold [--reason TEXT]] [--erase-captures]",
		Short: "Delete archived articles for good (a takedown, or a site harvested by mistake)",
		Long: `Delete removes archived articles for good, with their earlier versions:
the articles matching QUERY (every copy: searches collapse copies,
delete does not), or those that --url or --id name. Search, timelines,
top lists, stories, stats and exports no longer see them. The other
articles of a deleted article's cluster stay, in the same story.

Nothing is deleted without --yes: run it first with --dry-run, which
lists what would go. An empty query is refused (to delete everything,
delete the archive). Each deleted article is listed (id, URL, title, and
how many copies of it stay) in the order they are deleted (in a SQLite
archive, the order it stores them: about the order they were archived
in, so that each batch rewrites neighbouring pages of the file); --json
prints JSON lines. Batches of
--batch articles are deleted in one transaction each: an interrupted run
leaves the rest as it was, and running it again finishes.

The archive records each deletion (id, canonical URL, when), so that
copies kept up to date by herald export --changed-since can drop it:
herald deleted --since WHEN lists them.

With --withhold (a takedown), the deleted articles are also kept out for
good, in the same transactions: harvests do not fetch their URLs again
(not even one named to herald harvest or in its --urls list), and imports (JSON lines, text, WARC, an export made before) and fleet
workers skip them, counted as "withheld". An article fetched from another
URL than the canonical one its page declared (a mobile copy) has that URL
withheld too, listed and released on its own. herald withheld lists them
and releases them.

Without --withhold, an article can come back: herald reextract does not
bring it back (it rebuilds archived articles only), but importing the
WARC files that hold its capture, or an export made before, would, and
so would a harvest of a sitemap that lists it with a newer date.

Raw captures stay in their WARC files unless --erase-captures is given
(a legal takedown, an erasure request): then the captured responses of
the deleted articles and of their earlier versions are erased from the
WARC files harvests wrote, with their request records, the records that
refer to them and the redirects that led to them (where the capture
says where its redirect chain starts, every record of it, a meta refresh
page followed too, when those are at most 64 request and response
records starting right there; else the capture is erased as if it said
nothing), before each batch is deleted. Captures of their pages that no article points at (a refetch
that found the text unchanged keeps the article on its earlier capture)
are looked for in every WARC file of the folders that hold their
captures and of the archive's default one (ARCHIVE.warc): a response
of the page's URL is erased when it would be filed under a deleted
article (its page names the same canonical URL). Reading them takes
about a minute for every 4 GB of WARC files on a small machine, more
where pages were served compressed: each page that may link to a deleted
article is decoded to look for the links.

The captures of the feeds and sitemaps in those files that list a deleted
article (RSS, Atom, JSON Feed, XML and text sitemaps, by its URL or
canonical URL, or by a URL that redirected to its capture for good: a
hop that answered 301 or 308 with only such redirects after it, such as
a short link or an old URL, and is no other archived article's URL; not
a temporary redirect such as /live) are redacted in place: the item, entry or url naming it,
with its title, description and any full text, becomes blanks, and the
other items stay byte for byte; the record keeps its size and its
WARC-Record-ID, its digests are recomputed and a Herald-Redacted field
says how many entries were blanked. A body in gzip, deflate, br or zstd
coding is compressed again in its coding, padded in ways its decoders
skip. A feed whose body is in two content codings stacked or an unknown
one, one that breaks off after naming the article, or one whose
redacted copy does not fit in its space, is erased whole instead,
counted so and listed on stderr with the reason.

The captures of HTML pages in those files that link to a deleted article
(section fronts and home pages a crawl captured, other articles' related
lists) are redacted in place the same way: each link to it (an a element
whose href is its URL, its canonical URL or the URL of a permanent
redirect to its capture, as for feeds above) becomes blanks, headline and
teaser image with it, and so does a teaser that holds only its story (an
article or li element, or a div or section whose class says card,
teaser, story, promo or tile, with no link to another page (nor a
data-href, data-url, onclick or image map area leading to one), no h1, no
other story's headline, no paragraph of its own before the link, no
words beside the link and little text of its own), with its standfirst,
kicker and date; otherwise only the link goes. A link in
another article's running text (a paragraph or blockquote, or a list
item or table cell of an article's body marked itemprop=articleBody,
with words of its own) keeps its words, and only its target is blanked:
that article's sentence is its own. meta elements (og:url, og:see_also)
and link elements (rel alternate, amphtml, prev, next) naming it lose
the URL, and so do a meta refresh to it, an iframe's src and
data-href, data-url and onclick attributes naming it; an image map's
area linking to it goes. Links inside noscript go as the page's do. In JSON-LD, the entries describing it (an ItemList's ListItem,
a NewsArticle, a mention) and links to it (relatedLink) are dropped and
the JSON stays valid; a JSON-LD script that does not parse and names it
is blanked whole. In other JSON data scripts (type application/json or
+json, speculationrules: a Next.js page's __NEXT_DATA__, an app's
state), which an app reads by position, nothing is removed: a link to
it becomes an empty string, and the story's own object (its address,
url or link, is the link, its other links are its AMP page, section,
authors or images, and it holds no other story) becomes an empty object
in place, title and teaser with it (in Nuxt's payload, which refers to
values by position, the title and teaser only the story's objects refer
to); one that would be but holds other stories (a related list) loses
only its own title and teaser; another story's object that links
to it (a "next" link) loses only that link; one that does not parse and links to it is blanked whole. Other text that is not a link (other
scripts, an image's alt text outside the link) is left. A page that cannot be
redacted in place is erased whole, as a feed is, and listed on stderr.

Each run of erased records is overwritten in place by a record of the
same size that says only that records were erased, so the other pages
in those files keep their places: their captures still read, and a
harvest still writing to a file is not disturbed. A WARC file you
imported (herald import warc) is yours and is never rewritten: such
captures are listed as left, with their file. If a capture cannot be
erased (its file is missing here: relative capture paths are taken
from --captures, by default the archive's folder, or the working
folder for PostgreSQL, as harvests and workers store them, or its file
holds another record at the capture's offset: a capture not in this
archive, see docs/export.md), the run stops before deleting its batch;
run it again where the files are, or without --erase-captures. A run
stopped between erasing and deleting is finished by running it again.`,
		Example: `  herald delete 'site:wrong.example' --dry-run
  herald delete 'site:wrong.example' --yes
  herald delete --url https://news.example.com/2024/05/story.html --yes --withhold --reason 'takedown request 17'
  herald delete --url https://news.example.com/2024/05/story.html --yes --withhold --erase-captures`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			ctx := cmd.Context()
			q, err := parseQueryArgs(args)
			if err != nil {
				return err
			}
			named := len(urls) + len(ids)
			switch {
			case named > 0 && q.String() != "":
				return &exitError{code: 2, msg: "delete takes a query or --url/--id, not both"}
			case named == 0 && q.String() == "":
				return &exitError{code: 2, msg: "delete needs a query (such as site:example.org), --url or --id; to delete every article, delete the archive"}
			case dryRun && yes:
				return &exitError{code: 2, msg: "--dry-run and --yes: choose one (--dry-run lists what would be deleted, --yes deletes it)"}
			case !dryRun && !yes:
				return &exitError{code: 2, msg: "delete removes articles for good: look first with --dry-run, then run it again with --yes"}
			case reason != "" && !withhold:
				return &exitError{code: 2, msg: "--reason goes with --withhold"}
			case captures != "" && !erase:
				return &exitError{code: 2, msg: "--captures goes with --erase-captures"}
			}
			if err := folderFlag("--captures", captures, true); err != nil {
				return &exitError{code: 2, msg: err.Error()}
			}
			if captures == "" {
				captures = filepath.Dir(archiveFiles(e.db))
			}
			urlOf := map[string]string{} // id → the URL given
			for _, u := range urls {
				id, _, err := urlID(u)
				if err != nil {
					return &exitError{code: 2, msg: fmt.Sprintf("--url %q: %v", u, err)}
				}
				urlOf[id] = u
				ids = append(ids, id)
			}
			size, err := batch.size(cmd, reextractBatch)
			if err != nil {
				return err
			}
			db, err := openArchive(ctx, e, false)
			if err != nil {
				return err
			}
			defer db.Close()
			out := newLineOutput(e.stdout, asJSON)
			defer out.finish(&err)
			report := func(d archive.Deleted) {
				out.put(d, func(w io.Writer) {
					fmt.Fprintf(w, "%s  %s  %s", d.ID, stripControl(d.URL), stripControl(d.Title))
					switch {
					case d.Copies == 1:
						fmt.Fprint(w, " (a copy of it stays)")
					case d.Copies > 1:
						fmt.Fprintf(w, " (%d copies of it stay)", d.Copies)
					}
					fmt.Fprintln(w)
				})
			}
			opts := captureErasure(e.db, captures)
			opts.DryRun, opts.BatchSize, opts.Report = dryRun, size, report
			opts.Withhold, opts.Reason, opts.EraseCaptures = withhold, reason, erase
			sum, err := archive.Delete(ctx, db, q, ids, opts)
			if na := (*archive.NotArchivedError)(nil); errors.As(err, &na) {
				if u, ok := urlOf[na.ID]; ok {
					return &exitError{code: 1, msg: fmt.Sprintf("no archived article has the URL %s (nothing was deleted); --url wants the URL herald search shows for it", u)}
				}
				return &exitError{code: 1, msg: fmt.Sprintf("no archived article has the id %s (nothing was deleted)", na.ID)}
			}
			if sum != nil {
				out.put(sum, func(w io.Writer) {
					verb := "deleted"
					if withhold {
						verb = "deleted and withheld"
					}
					if dryRun {
						verb = "would be deleted (dry run; --yes deletes them)"
					}
					fmt.Fprintf(w, "delete: %s matched, %d %s, in %s\n",
						spellCount(sum.Matched, "article"), sum.Deleted, verb, time.Duration(sum.Duration).Round(time.Millisecond))
					if c := sum.Captures; c != nil {
						if dryRun {
							fmt.Fprintf(w, "captures: %s in %s would be erased (%d that no article points at; %s searched)",
								spellCount(c.Erased, "capture"), spellCount(c.Files, "WARC file"), c.Unreferenced, spellCount(c.Scanned, "file"))
						} else {
							fmt.Fprintf(w, "captures: %s erased (%d that no article pointed at), %s overwritten in %s, %s searched",
								spellCount(c.Erased, "capture"), c.Unreferenced, spellCount(c.Records, "WARC record"),
								spellCount(c.Files, "file"), spellCount(c.Scanned, "file"))
						}
						if len(c.Left) > 0 {
							fmt.Fprintf(w, ", %d left (listed on stderr)", len(c.Left))
						}
						if c.Redacted+c.ErasedWhole > 0 {
							would := ""
							if dryRun {
								would = " would be"
							}
							entries := "1 entry or link"
							if c.Entries != 1 {
								entries = fmt.Sprintf("%d entries and links", c.Entries)
							}
							fmt.Fprintf(w, "; feeds, sitemaps and pages naming them: %s%s redacted (%s blanked)",
								spellCount(c.Redacted, "capture"), would, entries)
							if c.ErasedWhole > 0 {
								fmt.Fprintf(w, ", %d%s erased whole (they could not be redacted in place; listed on stderr)", c.ErasedWhole, would)
							}
						}
						fmt.Fprintln(w)
					}
				})
				if c := sum.Captures; c != nil {
					left, verb := "left", "erased"
					if dryRun {
						left, verb = "would leave", "would erase"
					}
					for _, l := range c.Left {
						why := "a WARC file you imported, which herald never rewrites"
						if l.Why == archive.LeftForeign {
							why = "not a WARC file a harvest wrote"
						}
						fmt.Fprintf(e.stderr, "herald: %s the capture of %s in %s at offset %d: %s\n", left, l.ID, stripControl(l.File), l.Offset, why)
					}
					for _, wh := range c.Whole {
						fmt.Fprintf(e.stderr, "herald: %s whole the capture of %s in %s at offset %d, all it held with it: %s\n",
							verb, stripControl(wh.URL), stripControl(wh.File), wh.Offset, wh.Why)
					}
				}
			}
			if ce := (*archive.CaptureError)(nil); errors.As(err, &ce) {
				deleted := 0
				if sum != nil {
					deleted = sum.Deleted
				}
				if dryRun {
					return &exitError{code: 1, msg: fmt.Sprintf("%v: --yes would stop there; run it where the WARC files are (--captures), or without --erase-captures", ce)}
				}
				return &exitError{code: 1, msg: fmt.Sprintf("%v: its batch was not deleted (%d deleted before it); run it again where the WARC files are (--captures), or without --erase-captures", ce, deleted)}
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "list what would be deleted without deleting anything")
	cmd.Flags().BoolVar(&yes, "yes", false, "delete for good")
	cmd.Flags().BoolVar(&withhold, "withhold", false, "keep the deleted articles out: harvests and imports skip their URLs (herald withheld)")
	cmd.Flags().StringVar(&reason, "reason", "", "why they are withheld (a takedown request's reference), kept with them")
	cmd.Flags().BoolVar(&erase, "erase-captures", false, "also erase their raw captures from the WARC files harvests wrote (files you imported are left)")
	cmd.Flags().StringVar(&captures, "captures", "", capturesUsage)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print each deleted article and the summary as JSON lines")
	cmd.Flags().StringArrayVar(&urls, "url", nil, "delete the article at this URL (repeatable)")
	cmd.Flags().StringArrayVar(&ids, "id", nil, "delete the article with this id (repeatable)")
	cmd.Flags().IntVar(&batch.n, "batch", 0, fmt.Sprintf(batchUsage, fmt.Sprint(reextractBatch)))
	queryFlagHint(cmd)
	return cmd
}

// captureErasure is where herald delete --erase-captures, and a delete
// through herald serve's API or pages, looks for the captures to erase
// and the feeds and sitemaps to redact, so that the two cannot differ:
// relative capture paths are taken from captures; besides the folders
// of the deleted articles' captures, every WARC file Herald wrote in the
// archive's default WARC folder (ARCHIVE.warc) and in warcDirs is read,
// and a capture there that no article points at is erased when
// harvest.CaptureArticleID files it under a deleted article. The
// options it returns delete nothing: the caller sets what to delete.
func captureErasure(db, captures string, warcDirs ...string) archive.DeleteOptions {
	dirs := []string{archiveFiles(db) + ".warc"}
	for _, d := range warcDirs {
		if d != "" && filepath.Clean(d) != filepath.Clean(dirs[0]) {
			dirs = append(dirs, d)
		}
	}
	return archive.DeleteOptions{CaptureBase: captures, CaptureOwner: harvest.CaptureArticleID, WARCDirs: dirs}
}
