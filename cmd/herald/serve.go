package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/web"
)

// minTokenLen is the shortest admin token accepted: the token is the only
// thing between the network and the archive's sources.
const minTokenLen = 16

type serveFlags struct {
	addr         string
	adminToken   string
	captures     string
	allowPrivate bool
	quiet        bool
}

func newServeCmd(e *env) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the archive over HTTP: web pages and a JSON API",
		Long: `Serve starts Herald's web interface and JSON API (docs/api.md) on the
archive named by --db.

The server is read-only unless an admin token is given with --admin-token or
$HERALD_ADMIN_TOKEN (prefer the variable: command lines are visible to other
users). With a token, API clients add, pause, resume and remove sources with
"Authorization: Bearer <token>", and the sources page offers the same after
signing in with the token. Source URLs on loopback or private networks are
refused unless --allow-private is given.

Raw captures are read from the WARC files the archive points at, relative
to --captures (default: the archive's folder).

The server stops gracefully on SIGINT or SIGTERM.`,
		Example: `  herald serve
  HERALD_ADMIN_TOKEN=$(openssl rand -hex 16) herald serve --addr 0.0.0.0:8080
  herald serve --db /data/news.db --addr 127.0.0.1:9000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd, e, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	fl.StringVar(&f.adminToken, "admin-token", os.Getenv("HERALD_ADMIN_TOKEN"), "token that allows changes (also $HERALD_ADMIN_TOKEN); none: read-only")
	fl.StringVar(&f.captures, "captures", "", "folder that capture file names are relative to (default: the archive's folder)")
	fl.BoolVar(&f.allowPrivate, "allow-private", false, "accept source URLs on loopback and private networks")
	fl.BoolVar(&f.quiet, "quiet", false, "log only warnings and errors, not every request")
	return cmd
}

func runServe(cmd *cobra.Command, e *env, f serveFlags) error {
	ctx := cmd.Context()
	if f.adminToken != "" && len(f.adminToken) < minTokenLen {
		return fmt.Errorf("admin token too short: use at least %d characters (e.g. openssl rand -hex 16)", minTokenLen)
	}
	db, err := openArchive(ctx, e, false)
	if err != nil {
		return err
	}
	defer db.Close()
	captures := f.captures
	if captures == "" {
		captures = filepath.Dir(archiveFiles(e.db))
	}
	level := slog.LevelInfo
	if f.quiet {
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	srv := web.New(db, web.Options{
		AdminToken:   f.adminToken,
		AllowPrivate: f.allowPrivate,
		Logger:       log,
		CaptureDir:   captures,
	})
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	mode := "read-only"
	if f.adminToken != "" {
		mode = "admin token set"
	}
	fmt.Fprintf(e.stdout, "Serving %s (%s) at http://%s/\n", archiveName(e.db), mode, ln.Addr())
	if err := web.Run(ctx, ln, srv, log); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "Stopped.")
	return nil
}
