package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/demo"
	"github.com/herald-archive/herald/internal/harvest"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/web"
)

type demoFlags struct {
	addr    string
	noServe bool
	keep    bool
}

func newDemoCmd(e *env) *cobra.Command {
	var f demoFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Try Herald offline: harvest a bundled sample news site and browse the archive",
		Long: `Demo serves a small news site bundled with Herald (The Harbour Gazette:
twenty made-up articles in five sections, a feed, a sitemap, AMP pages and
syndicated copies) on a loopback port, harvests it through the real
pipeline (feed and sitemap as sources, polite fetching, WARC capture,
extraction, deduplication) into a fresh archive, and serves the archive's
web interface, printing its URL. Nothing leaves the machine.

The archive goes to a temporary folder that is removed when the demo stops,
unless --db is given (or --keep, which prints where it is). --db must name
a new archive or one an earlier demo made: the demo refuses to add its
made-up articles to an archive of real ones. --db may name a
PostgreSQL database (postgres://…); the WARC files then go to ./herald.warc.`,
		Example: `  herald demo
  herald demo --db demo.db --addr 127.0.0.1:9000`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dbGiven := cmd.Flags().Changed("db")
			return runDemo(cmd.Context(), e, f, dbGiven)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address of the web interface (a free port is used if it is taken)")
	fl.BoolVar(&f.noServe, "no-serve", false, "harvest and print the summary, without serving the archive")
	fl.BoolVar(&f.keep, "keep", false, "keep the temporary archive when the demo stops")
	return cmd
}

func runDemo(ctx context.Context, e *env, f demoFlags, dbGiven bool) error {
	dbPath := e.db
	if !dbGiven {
		dir, err := os.MkdirTemp("", "herald-demo-")
		if err != nil {
			return err
		}
		if !f.keep {
			defer os.RemoveAll(dir)
		}
		dbPath = filepath.Join(dir, "herald.db")
	}
	// --db may name a PostgreSQL database too; its WARC files then go
	// to ./herald.warc, as for herald harvest.
	db, err := openLocation(ctx, dbPath, true)
	if err != nil {
		return err
	}
	defer db.Close()

	// The sample site's URLs name its port: an archive kept from an
	// earlier demo gets the same port again, so that its articles are
	// the same articles (on another port every page would be stored
	// again, as a copy).
	addr := "127.0.0.1:0"
	earlier, err := earlierDemoAddr(ctx, db)
	if err != nil {
		return err
	}
	if earlier != "" {
		addr = earlier
	} else if s, err := db.Stats(ctx); err != nil {
		return err
	} else if s.Articles > 0 {
		// Not an archive an earlier demo made: its made-up articles
		// would mix with real ones.
		return &exitError{code: 2, msg: fmt.Sprintf("%s holds %s and no earlier demo; the demo adds made-up articles, so it wants an archive of its own: give --db a new path, or no --db for a temporary one",
			archiveName(dbPath), spellCount(s.Articles, "article"))}
	}
	site, err := demo.Start(addr, demo.Options{})
	if err != nil && earlier != "" {
		fmt.Fprintf(e.stderr, "herald: the sample site's earlier address %s is taken (%v); its pages get new URLs, and the archive will hold them twice\n", earlier, err)
		site, err = demo.Start("127.0.0.1:0", demo.Options{})
	}
	if err != nil {
		return err
	}
	defer site.Close()
	fmt.Fprintf(e.stdout, "Sample site (The Harbour Gazette) at %s/\n", site.URL)
	fmt.Fprintf(e.stdout, "Archive at %s\n", archiveName(dbPath))
	files := archiveFiles(dbPath)

	for _, s := range []*store.Source{
		{URL: site.URL + "/feed.xml", Kind: store.KindFeed},
		{URL: site.URL + "/sitemap.xml", Kind: store.KindSitemap},
	} {
		// The site's port changes each run; an archive kept from an
		// earlier demo simply gains these sources too.
		if err := db.AddSource(ctx, s); err != nil && !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opts := harvestOptions(harvestFlags{concurrency: 4, depth: harvest.DefaultMaxDepth}, files, logger)
	opts.AllowPrivate = true // the sample site is ours, on loopback
	h, err := harvest.New(db, opts)
	if err != nil {
		return err
	}
	sum, err := h.RunDue(ctx)
	if cerr := h.Close(); err == nil {
		err = cerr
	}
	if sum != nil {
		if perr := printHarvestSummary(e.stdout, sum, false); perr != nil && err == nil {
			err = perr
		}
	}
	if err != nil {
		return err
	}
	if f.noServe {
		return nil
	}

	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "herald: cannot listen on %s (%v); using another port\n", f.addr, listenReason(err))
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return fmt.Errorf("listen on a free loopback port: %w", listenReason(err))
		}
	}
	srv := web.New(db, web.Options{AllowPrivate: true, Logger: logger, CaptureDir: filepath.Dir(files)})
	fmt.Fprintf(e.stdout, "\nBrowse the archive at http://%s/  (Ctrl-C to stop)\n", ln.Addr())
	fmt.Fprintf(e.stdout, "Meanwhile, in another terminal: %s --db %s search harbour\n", invocation(os.Args[0]), archiveName(dbPath))
	if err := web.Run(ctx, ln, srv, logger); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "Stopped.")
	return nil
}

// earlierDemoAddr returns the loopback address of the sample site whose
// feed an earlier demo added to db as a source, or "" when there is none.
func earlierDemoAddr(ctx context.Context, db store.Store) (string, error) {
	srcs, err := db.ListSources(ctx)
	if err != nil {
		return "", err
	}
	for _, s := range srcs {
		u, err := url.Parse(s.URL)
		if err == nil && u.Scheme == "http" && u.Hostname() == "127.0.0.1" && u.Port() != "" && u.Path == "/feed.xml" {
			return u.Host, nil
		}
	}
	return "", nil
}

// invocation is how the user ran this program, as a command to print in a
// hint: "herald", or "go run ./cmd/herald" for a binary go run built in
// its temporary folder (README's first command).
func invocation(arg0 string) string {
	if strings.Contains(filepath.ToSlash(arg0), "/go-build") {
		return "go run ./cmd/herald"
	}
	return "herald"
}
