package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
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
	if f.profile != "" {
		pf, err := os.Create(f.profile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
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

// benchReads times searches, timelines and an export, with this
// process's CPU time and the server's (server returns 0 when unknown).
func benchReads(ctx context.Context, out io.Writer, db store.Store, f benchArchiveFlags, server func() time.Duration) error {
	g := storetest.NewGenerator(f.seed)
	words := []string{"government", "election", "climate", "hospital", "market", "police", "energy", "teachers", "festival", "harvest"}
	phrases := []string{`"prime minister"`, `"climate change"`, `"central bank"`, `"interest rates"`, `"supreme court"`, `"public health"`, `"united nations"`, `"stock market"`, `"heavy rain"`, `"city council"`}
	kinds := []struct {
		name string
		make func(i int) string
	}{
		{"search: one word", func(i int) string { return words[i%len(words)] }},
		{"search: phrase", func(i int) string { return phrases[i%len(phrases)] }},
		{"search: word + site + dates", func(i int) string {
			y := 2020 + i%4
			return fmt.Sprintf("%s site:%s after:%d-01-01 before:%d-01-01", words[i%len(words)], g.Site(i*7), y, y+2)
		}},
	}
	measure := func(name string, n int, do func(i int) error) error {
		var lat, cpu []time.Duration
		for i := range n {
			t, c, s := time.Now(), storetest.CPUTime(), server()
			if err := do(i); err != nil {
				return err
			}
			lat, cpu = append(lat, time.Since(t)), append(cpu, storetest.CPUTime()-c+server()-s)
		}
		fmt.Fprintf(out, "%s\tp50 %s  p95 %s;  CPU (herald + server) p50 %s  p95 %s  (%d queries)\n",
			name, pct(lat, 50), pct(lat, 95), pct(cpu, 50), pct(cpu, 95), len(lat))
		return nil
	}
	for _, k := range kinds {
		if err := measure(k.name+", 20 hits collapsed", f.queries, func(i int) error {
			q, err := query.Parse(k.make(i))
			if err != nil {
				return err
			}
			_, err = db.Search(ctx, q, store.SearchOptions{Limit: 20, Collapse: true})
			return err
		}); err != nil {
			return err
		}
	}
	if err := measure("timeline: common word by month", max(5, f.queries/5), func(i int) error {
		q, _ := query.Parse(words[i%len(words)])
		_, err := db.Timeline(ctx, q, store.TimelineOptions{By: store.Month})
		return err
	}); err != nil {
		return err
	}
	t, c, s := time.Now(), storetest.CPUTime(), server()
	n, err := exportStream(ctx, db, &query.Query{}, "jsonl", "", io.Discard)
	if err != nil {
		return err
	}
	el, elc, els := time.Since(t), storetest.CPUTime()-c, server()-s
	fmt.Fprintf(out, "export jsonl\t%.0f articles/s, %.0f articles/CPU-s (%d in %s, %s CPU herald + %s server)\n",
		float64(n)/el.Seconds(), float64(n)/(elc+els).Seconds(), n, el.Round(time.Millisecond),
		elc.Round(time.Millisecond), els.Round(time.Millisecond))
	return nil
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
