package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/herald-archive/herald/internal/fetch"
	"github.com/herald-archive/herald/internal/harvest"
	"github.com/herald-archive/herald/internal/queue"
)

// harvestFlags are the flags of herald harvest (and herald demo's harvest).
type harvestFlags struct {
	watch        bool
	urls         string
	warcDir      string
	concurrency  int
	delay        time.Duration
	userAgent    string
	allowPrivate bool
	maxPages     int
	depth        int
	timeout      time.Duration
	asJSON       bool
	progress     string
	verbose      bool
	nats         natsFlags
}

func newHarvestCmd(e *env) *cobra.Command {
	var f harvestFlags
	cmd := &cobra.Command{
		Use:   "harvest [URL...]",
		Short: "Fetch new articles from the sources that are due, or from the URLs given",
		Long: `Harvest fetches articles politely (robots.txt, one request at a time per
host with a delay, back-off on errors), keeps every response in WARC files
beside the archive, extracts the articles and stores them without duplicates.

  herald harvest                 poll every due source once (herald source add)
  herald harvest --watch         keep polling sources on schedule until interrupted
  herald harvest URL...          harvest these URLs once: a feed or sitemap has its
                                 entries fetched, a web page is stored if it is an
                                 article and crawled if it is a listing
  herald harvest --urls FILE     fetch the page URLs listed in FILE (- for stdin)

With URLs (as arguments or --urls), the exit status is 1 when any of them
could not be harvested in this run (each is listed as "failed", with why;
one deferred for a retry in a later run counts too). Polling the due
sources, it is 1 when none could be polled (every one failed: the network
down, say); one source failing among others is a site down, reported in
the summary and polled again by later runs.

The queue of URLs lives in the archive, URLs given here included: an
interrupted harvest (even a killed one) continues where it stopped the next
time herald harvest runs. One harvest of an archive runs at a time (herald
serve's included): another is refused while it runs, as two would each ask
the same hosts at their own pace (the lock is ARCHIVE.harvest.lock beside a
SQLite archive, an advisory lock in PostgreSQL).
URLs on loopback and private networks are refused unless --allow-private.
A URL that fails for a passing reason (a 5xx, a timeout, a site down) is
tried again by later runs, at intervals growing from 10 minutes, for a day
after it was queued and at least three tries; a host that asks to wait
(Retry-After, Crawl-delay) more than two minutes has its URLs deferred
until then, without a try counted, rather than waited for.

Each URL is fetched once: one fetched, queued or failed before is skipped
as seen. A failure is not final for a URL you name again, though: a URL
given as an argument is always harvested again, and one in a --urls list
that failed before (for any reason) is tried again unless it was fetched.
A URL refused by this run's settings or the site's current robots.txt
(private address, robots) is also tried again when a feed, sitemap or site
lists it again, so a later run with --allow-private (or a robots.txt that
allows it) fetches it; a source whose own URL was refused as a private
address is polled by the next run with --allow-private, not at its next
poll. Other failures (a 404, not HTML, too large) stay
failed when a feed lists the URL again. A sitemap's lastmod later than
the archived copy has the page fetched again, once per lastmod value: the
last value seen for each URL is kept in the archive, so harvests run from
cron do not fetch a page again for a lastmod an earlier run acted on.

With --nats, this process is the fleet's coordinator: it polls the sources
and fills the queue of URLs as usual, then hands each URL (at most one per
host per --delay) to the herald worker processes on that JetStream server,
and returns when they have finished them. See docs/distributed.md.

At the end a summary says what was fetched, stored, skipped (and why) and
which hosts failed.`,
		Example: `  herald harvest https://news.example.org/feed.xml
  herald harvest --max-pages 200 https://news.example.org/
  herald harvest --urls urls.txt --delay 2s
  herald harvest --watch`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHarvest(cmd.Context(), e, f, args)
		},
	}
	addHarvestFlags(cmd, &f)
	fl := cmd.Flags()
	fl.BoolVar(&f.watch, "watch", false, "keep running, polling sources on schedule, until interrupted")
	fl.StringVar(&f.urls, "urls", "", "fetch the page URLs listed in this file, one a line (- for stdin)")
	fl.BoolVar(&f.asJSON, "json", false, "print the summary as JSON (its run time as duration_ms)")
	addNATSFlags(cmd, &f.nats, false)
	return cmd
}

// addHarvestFlags defines the flags shared with herald demo.
func addHarvestFlags(cmd *cobra.Command, f *harvestFlags) {
	fl := cmd.Flags()
	fl.StringVar(&f.warcDir, "warc-dir", "", "folder for WARC captures (default: the archive path + .warc)")
	fl.IntVar(&f.concurrency, "concurrency", harvest.DefaultConcurrency, "fetches in flight across hosts, 1 to 1024 (one at a time per host)")
	fl.DurationVar(&f.delay, "delay", harvest.DefaultDelay, "least time between requests to one host (robots.txt Crawl-delay may raise it); 0 for none, only for your own sites")
	fl.StringVar(&f.userAgent, "user-agent", "", "User-Agent sent, naming you and a contact URL (default Herald/<version> (+https://github.com/herald-archive/herald))")
	fl.BoolVar(&f.allowPrivate, "allow-private", false, "allow fetching URLs on loopback and private networks")
	fl.IntVar(&f.maxPages, "max-pages", 0, "most queued pages fetched in this run (0: no cap); the feeds, sitemaps and site pages polled (URLs given included) do not count; the rest stays queued")
	fl.IntVar(&f.depth, "depth", harvest.DefaultMaxDepth, "links followed from a site's seed page when crawling (a listing's next pages count as one, up to 20 of them)")
	fl.DurationVar(&f.timeout, "timeout", 0, "limit for one fetch, connect to last byte (default 60s)")
	fl.StringVar(&f.progress, "progress", "auto", "progress bars: auto (on a terminal), always or never")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "log each source poll (and, twice, each failed URL)")
}

// harvestOptions turns flags into harvest.Options for the archive at db.
func harvestOptions(f harvestFlags, db string, logger *slog.Logger) harvest.Options {
	warcDir := f.warcDir
	if warcDir == "" {
		warcDir = db + ".warc"
	}
	delay := f.delay
	if delay == 0 {
		delay = -1 // the flag's 0 means none; Options' zero means the default
	}
	return harvest.Options{
		Concurrency:  f.concurrency,
		Delay:        delay,
		UserAgent:    f.userAgent,
		AllowPrivate: f.allowPrivate,
		Timeout:      f.timeout,
		MaxPages:     f.maxPages,
		MaxDepth:     f.depth,
		WARCDir:      warcDir,
		CaptureBase:  filepath.Dir(db),
		Logger:       logger,
	}
}

// check refuses harvest flags out of range, which harvest.Options would
// otherwise take for its defaults (--concurrency 0 fetching 8 at once,
// --depth 0 following links two deep) or for "none" (--delay -1s).
func (f harvestFlags) check() error {
	switch {
	case f.concurrency < 1 || f.concurrency > maxConcurrency:
		return concurrencyError(f.concurrency)
	case f.maxPages < 0:
		return fmt.Errorf("--max-pages %d: want 0 (no cap) or more", f.maxPages)
	case f.depth < 1:
		return fmt.Errorf("--depth %d: want 1 or more (the seed page itself is always fetched)", f.depth)
	}
	if err := politeFlag("--delay", f.delay); err != nil {
		return err
	}
	if err := folderFlag("--warc-dir", f.warcDir, false); err != nil {
		return err
	}
	return timeoutFlag(f.timeout)
}

// folderFlag checks a flag that names a folder (none when path is empty):
// a folder that exists, or, unless mustExist, none yet (made when first
// written to); not a file.
func folderFlag(name, path string, mustExist bool) error {
	if path == "" {
		return nil
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !mustExist:
		return nil
	case err != nil:
		return fmt.Errorf("%s %s: %w", name, path, unwrapPath(err))
	case !st.IsDir():
		return fmt.Errorf("%s %s: a file, not a folder", name, path)
	}
	return nil
}

// maxConcurrency bounds --concurrency of herald harvest and herald
// worker: fetches or jobs in flight in one process. Requests to one host
// go one at a time whatever it says, so more than a thousand only helps
// a harvest of more hosts at once than one process should poll, and the
// harvester sizes its queues by it: --concurrency 1000000000 asked for
// gigabytes before fetching anything.
const maxConcurrency = 1024

// concurrencyError is the error for a --concurrency out of range.
func concurrencyError(n int) error {
	return fmt.Errorf("--concurrency %d: want 1 to %d", n, maxConcurrency)
}

// politeFlag refuses a negative --delay: 0 is the way to say none.
func politeFlag(name string, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%s %s: want 0 (none, only for your own sites) or more", name, d)
	}
	return nil
}

// timeoutFlag refuses a negative --timeout (0 is the default).
func timeoutFlag(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("--timeout %s: want more than 0 (0: the default, %s)", d, fetch.DefaultTimeout)
	}
	return nil
}

func runHarvest(ctx context.Context, e *env, f harvestFlags, args []string) error {
	if err := f.check(); err != nil {
		return err
	}
	if f.watch && (len(args) > 0 || f.urls != "") {
		return errors.New("--watch polls the archive's sources; it takes no URLs (add them with herald source add)")
	}
	if len(args) > 0 && f.urls != "" {
		return errors.New("give URLs as arguments or with --urls, not both")
	}
	for _, a := range args {
		if _, err := sourceURLArg(a); err != nil {
			return err
		}
	}
	var pages []string
	if f.urls != "" {
		var err error
		if pages, err = readURLList(e, f.urls); err != nil {
			return err
		}
	}
	var err error
	if f.progress, err = choice("--progress", f.progress, progressChoices...); err != nil {
		return err
	}

	qc, err := f.nats.connect(ctx, "herald harvest", false)
	if err != nil {
		return err
	}
	if qc != nil {
		defer qc.Close()
	}
	db, err := openArchive(ctx, e, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if qc != nil {
		// URLs left in flight by a coordinator that died before handing
		// them over are lost only while the queue is empty: put them back.
		idle, err := qc.Idle(ctx)
		if err != nil {
			return err
		}
		if idle {
			if _, err := db.RequeueInFlight(ctx); err != nil {
				return err
			}
		}
		if ws, err := qc.Workers(ctx); err == nil && len(ws) == 0 {
			fmt.Fprintln(e.stderr, "herald: no herald worker is alive on this NATS server yet; the URLs wait in the queue until one starts (Ctrl-C leaves them there)")
		}
	}

	bars := f.progress == "always" || (f.progress == "auto" && isTerminal(e.stderr))
	var prog *harvestBars
	logOut := e.stderr
	if bars {
		prog = newHarvestBars(ctx, e.stderr)
		logOut = prog.p // log lines print above the bars
	}
	level := slog.LevelWarn
	if f.verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: level}))
	opts := harvestOptions(f, archiveFiles(e.db), logger)
	if prog != nil {
		opts.Progress = prog.update
	}
	if qc != nil {
		host, _ := os.Hostname()
		opts.Dispatcher = natsDispatcher{qc: qc, logger: logger}
		opts.Gate = qc.Hosts(queue.HostsOptions{Holder: fmt.Sprintf("coordinator-%s-%d", host, os.Getpid())})
		opts.Robots = qc.Robots()
	}
	h, err := harvest.New(db, opts)
	if err != nil {
		return err
	}

	var sum *harvest.Summary
	switch {
	case f.watch:
		fmt.Fprintf(e.stderr, "watching the archive's sources; interrupt (Ctrl-C) to stop\n")
		sum, err = h.Watch(ctx, func(s *harvest.Summary) {
			if s.Polled+s.Fetched > 0 {
				logger.Warn("harvest round", "fetched", s.Fetched, "new", s.New, "updated", s.Updated,
					"duplicate", s.Duplicate, "skipped", harvestSkippedTotal(s), "errors", s.Errors())
			}
		})
	case len(pages) > 0:
		sum, err = h.HarvestPages(ctx, pages, "urls:"+f.urls)
	case len(args) > 0:
		sum, err = h.Harvest(ctx, args)
	default:
		sum, err = h.RunDue(ctx)
	}
	if prog != nil {
		prog.finish()
	}
	if cerr := h.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if sum != nil {
		if perr := printHarvestSummary(e.stdout, sum, f.asJSON); perr != nil && err == nil {
			err = perr
		}
	}
	if err != nil && ctx.Err() != nil && !f.watch {
		return &exitError{code: 130, msg: "interrupted; run herald harvest again to continue where it stopped"}
	}
	if sum != nil && !f.allowPrivate && sum.Skipped[harvest.ReasonPrivate] > 0 {
		n := sum.Skipped[harvest.ReasonPrivate]
		were := "were"
		if n == 1 {
			were = "was"
		}
		fmt.Fprintf(e.stderr, "herald: %s on loopback or private networks %s refused; give --allow-private to fetch them (for sites you run)\n",
			spellCount(n, "URL"), were)
	}
	if given := max(len(args), len(pages)); err == nil && given > 0 && sum != nil && len(sum.PollErrors) > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("%d of %s could not be harvested (see above)", len(sum.PollErrors), spellCount(given, "URL"))}
	}
	if err == nil && len(args) == 0 && len(pages) == 0 && !f.watch && sum != nil && sum.Polled == 0 && len(sum.PollErrors) > 0 {
		// Every due source failed (the network down, a proxy refusing):
		// a cron job must be able to tell. One source of many failing is
		// a site down, which the summary reports and later runs retry.
		if srcs, lerr := db.ListSources(ctx); lerr == nil {
			failed := 0
			for _, s := range srcs {
				if _, ok := sum.PollErrors[s.URL]; ok {
					failed++
				}
			}
			if failed > 0 {
				return &exitError{code: 1, msg: fmt.Sprintf("no source could be polled: %s failed (see above)", spellCount(failed, "source"))}
			}
		}
	}
	if err == nil && len(args) == 0 && len(pages) == 0 && !f.watch && sum != nil && sum.Polled == 0 && sum.Fetched == 0 {
		if n, lerr := db.ListSources(ctx); lerr == nil && len(n) == 0 {
			if sum.Waiting > 0 {
				wait := "wait"
				if sum.Waiting == 1 {
					wait = "waits"
				}
				fmt.Fprintf(e.stderr, "herald: no sources to poll; %s %s in the queue, %s: run herald harvest again then\n",
					spellCount(sum.Waiting, "URL"), wait, nextDue(sum.NextDue, time.Now()))
			} else {
				fmt.Fprintln(e.stderr, "herald: no sources to poll (add one with herald source add URL, or give URLs)")
			}
		}
	}
	return err
}

// readURLList reads page URLs, one a line; blank lines and # comments are
// ignored.
func readURLList(e *env, name string) ([]string, error) {
	var r io.Reader = e.stdin
	if name != "-" {
		f, err := openFile(name)
		if err != nil {
			return nil, fmt.Errorf("--urls %s: %w", name, err)
		}
		defer f.Close()
		r = f
	}
	var out []string
	var lineErr error
	err := eachListLine(r, func(n int, line string) error {
		if _, err := sourceURLArg(line); err != nil {
			lineErr = fmt.Errorf("%s:%d: %w", name, n, err)
			return lineErr
		}
		out = append(out, line)
		return nil
	})
	switch {
	case err != nil && err == lineErr:
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("--urls %s: %w", name, unwrapPath(err))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s lists no URLs", name)
	}
	return out, nil
}

// eachListLine calls fn with each line of a list a user gives (URLs,
// sites, WARC files) that says something, trimmed, and its number: blank
// lines and # comments are passed over, as is a byte order mark. It
// stops at fn's first error.
func eachListLine(r io.Reader, fn func(n int, line string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF") // as some editors write
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := fn(n, line); err != nil {
			return err
		}
	}
	return sc.Err()
}

func harvestSkippedTotal(s *harvest.Summary) int {
	n := 0
	for _, v := range s.Skipped {
		n += v
	}
	return n
}

// printHarvestSummary writes the closing summary of a harvest.
func printHarvestSummary(w io.Writer, s *harvest.Summary, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "harvest: %s\n", time.Duration(s.Duration).Round(time.Millisecond))
	polled := fmt.Sprintf("%d feeds/sitemaps", s.Polled)
	if s.Polled == 1 {
		polled = "1 feed/sitemap"
	}
	// Bytes counts the feeds and sitemaps read too: said apart from the
	// pages.
	fmt.Fprintf(bw, "  fetched    %s, %s polled (%d not modified), %s read in all\n",
		spellCount(s.Fetched, "page"), polled, s.NotModified, harvestBytes(s.Bytes))
	fmt.Fprintf(bw, "  articles   %d new, %d updated, %d duplicate, %d unchanged", s.New, s.Updated, s.Duplicate, s.Unchanged)
	if s.Refreshed > 0 {
		fmt.Fprintf(bw, ", %d refreshed (metadata only)", s.Refreshed)
	}
	fmt.Fprintln(bw)
	fmt.Fprintf(bw, "  queue      %s added, %d requeued as changed, %d deferred to a later run\n", spellCount(s.Queued, "URL"), s.Requeued, s.Deferred)
	if s.Retried > 0 {
		fmt.Fprintf(bw, "  retried    %s that had failed before\n", spellCount(s.Retried, "URL"))
	}
	if s.Dispatched > 0 {
		fmt.Fprintf(bw, "  workers    %s handed to the fleet (their articles are counted by herald status --db, not here)\n", spellCount(s.Dispatched, "URL"))
	}
	if s.Listings > 0 {
		fmt.Fprintf(bw, "  crawled    %s\n", spellCount(s.Listings, "listing page"))
	}
	if s.Waiting > 0 {
		fmt.Fprintf(bw, "  waiting    %s in the queue, %s\n", spellCount(s.Waiting, "URL"), nextDue(s.NextDue, time.Now()))
	}
	fmt.Fprintf(bw, "  skipped    %s\n", harvestCounts(s.Skipped))
	fmt.Fprintf(bw, "  errors     %s\n", harvestCounts(s.ErrorsByHost))
	urls := make([]string, 0, len(s.PollErrors))
	for u := range s.PollErrors {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	for _, u := range urls {
		fmt.Fprintf(bw, "  failed     %s: %s\n", stripControl(u), oneLine(stripControl(s.PollErrors[u])))
	}
	urls = urls[:0]
	for u := range s.Cut {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	for _, u := range urls {
		fmt.Fprintf(bw, "  cut off    %s: %s\n", stripControl(u), oneLine(stripControl(s.Cut[u])))
	}
	return bw.Flush()
}

// nextDue says when the next queued URL may be fetched, in UTC as every
// time Herald prints (the machine's zone went unnamed).
func nextDue(next, now time.Time) string {
	if !next.After(now) {
		return "the next due now"
	}
	in := next.Sub(now).Round(time.Second)
	return fmt.Sprintf("the next due at %s (in %s)", next.UTC().Format("2006-01-02 15:04:05 UTC"), in)
}

// harvestCounts writes "a 3, b 1", largest first, or "none".
func harvestCounts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", stripControl(k), m[k])
	}
	return strings.Join(parts, ", ")
}

func harvestBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// harvestBars shows fetch, extract and store progress on a terminal. The
// totals grow as URLs are queued.
type harvestBars struct {
	p                      *mpb.Progress
	fetch, extract, stored *mpb.Bar
	lastTotal              int64
}

func newHarvestBars(ctx context.Context, w io.Writer) *harvestBars {
	p := mpb.NewWithContext(ctx, mpb.WithOutput(w), mpb.WithWidth(32), mpb.WithRefreshRate(200*time.Millisecond), mpb.WithAutoRefresh())
	bar := func(name string) *mpb.Bar {
		return p.AddBar(0,
			mpb.PrependDecorators(decor.Name(name, decor.WC{W: 8, C: decor.DindentRight}), decor.CountersNoUnit("%d / %d", decor.WCSyncWidth)),
			mpb.AppendDecorators(decor.AverageSpeed(0, "%.1f/s", decor.WCSyncWidth)),
		)
	}
	return &harvestBars{p: p, fetch: bar("fetch"), extract: bar("extract"), stored: bar("store")}
}

// update is harvest.Options.Progress: called from one goroutine.
func (b *harvestBars) update(pr harvest.Progress) {
	total := int64(pr.Fetched + pr.Pending + pr.Queued)
	if total > b.lastTotal {
		b.lastTotal = total
		for _, bar := range []*mpb.Bar{b.fetch, b.extract, b.stored} {
			bar.SetTotal(total, false)
		}
	}
	b.fetch.SetCurrent(int64(pr.Fetched))
	b.extract.SetCurrent(int64(pr.Extracted))
	b.stored.SetCurrent(int64(pr.Stored))
}

func (b *harvestBars) finish() {
	for _, bar := range []*mpb.Bar{b.fetch, b.extract, b.stored} {
		bar.SetTotal(-1, true) // complete at the current count
	}
	b.p.Wait()
}
