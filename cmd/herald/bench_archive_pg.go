package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/herald-archive/herald/internal/store/postgres"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// runBenchArchivePostgres is bench archive on a PostgreSQL archive: the
// same ingest, queries, timeline and export as on SQLite, plus the
// server's CPU time, which on PostgreSQL is spent outside this process
// (read from /proc when the server runs on this machine and the role may
// see its data directory).
func runBenchArchivePostgres(ctx context.Context, e *env, f benchArchiveFlags) error {
	if f.articles < 1 || f.queries < 1 || f.batch < 1 {
		return errors.New("--articles, --queries and --batch must be positive")
	}
	db, err := postgres.Open(ctx, e.db)
	if err != nil {
		return fmt.Errorf("open %s: %w", archiveName(e.db), err)
	}
	defer db.Close()
	st, err := db.Stats(ctx)
	if err != nil {
		return err
	}
	switch {
	case f.reuse && st.Articles == 0:
		return fmt.Errorf("--reuse: %s holds no articles", archiveName(e.db))
	case !f.reuse && st.Articles > 0:
		return fmt.Errorf("%s holds %d articles: give an empty database or schema, or --reuse to measure it", archiveName(e.db), st.Articles)
	}
	server := serverCPU(db.DataDirectory(ctx))
	out := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	defer out.Flush()
	fmt.Fprintf(out, "archive\t%s\n", archiveName(e.db))
	if !f.reuse {
		s0 := server()
		wall, cpu, err := benchIngest(ctx, db, f, e.stderr)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "ingest\t%.0f articles/s, %.0f articles/CPU-s of herald (%d articles in %s, %s CPU; batches of %d)\n",
			float64(f.articles)/wall.Seconds(), float64(f.articles)/cpu.Seconds(), f.articles,
			wall.Round(time.Second), cpu.Round(time.Second), f.batch)
		if s := server() - s0; s > 0 {
			fmt.Fprintf(out, "ingest: server\t%s CPU (%.0f articles/CPU-s, herald and server together)\n",
				s.Round(time.Second), float64(f.articles)/(cpu+s).Seconds())
		}
	}
	t, c, s0 := time.Now(), storetest.CPUTime(), server()
	if err := db.Optimize(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "optimize (VACUUM ANALYZE)\t%s (server %s CPU)\n", time.Since(t).Round(time.Second),
		(server() - s0 + storetest.CPUTime() - c).Round(time.Second))
	if st, err = db.Stats(ctx); err != nil {
		return err
	}
	text := float64(max(st.TextBytes, 1))
	fmt.Fprintf(out, "articles\t%d (%d in duplicate clusters)\n", st.Articles, st.Duplicates)
	fmt.Fprintf(out, "size\t%s for %s of text: %.3f× the raw text\n", humanBytes(float64(st.Bytes)), humanBytes(text), float64(st.Bytes)/text)
	if space, err := db.Space(ctx); err == nil {
		var parts []string
		for i, u := range space {
			if i == 6 {
				break
			}
			parts = append(parts, fmt.Sprintf("%s %.3f×", u.Name, float64(u.Bytes)/text))
		}
		fmt.Fprintf(out, "largest (with indexes)\t%s\n", strings.Join(parts, ", "))
	}
	return benchReads(ctx, out, db, f, server)
}

// serverCPU returns a function reporting the CPU time used so far by the
// PostgreSQL server whose data directory is dir: the postmaster (with
// the backends it has reaped) and its live children, from /proc. It
// reports 0 when that cannot be read (another machine, no permission).
func serverCPU(dir string) func() time.Duration {
	none := func() time.Duration { return 0 }
	if dir == "" {
		return none
	}
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return none
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		return none
	}
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	return func() time.Duration {
		var total int64
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			p, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			f, err := os.Open(filepath.Join("/proc", e.Name(), "stat"))
			if err != nil {
				continue
			}
			line, _ := bufio.NewReader(f).ReadString('\n')
			f.Close()
			// Fields after the command name (which may hold spaces).
			i := strings.LastIndexByte(line, ')')
			if i < 0 {
				continue
			}
			fs := strings.Fields(line[i+1:])
			if len(fs) < 15 {
				continue
			}
			ppid, _ := strconv.Atoi(fs[1])
			num := func(k int) int64 { v, _ := strconv.ParseInt(fs[k], 10, 64); return v }
			switch {
			case p == pid:
				total += num(11) + num(12) + num(13) + num(14) // utime stime cutime cstime
			case ppid == pid:
				total += num(11) + num(12)
			}
		}
		return time.Duration(total) * tick
	}
}
