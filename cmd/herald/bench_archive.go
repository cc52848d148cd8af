package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

type benchArchiveFlags struct {
	articles int
	reuse    bool
	queries  int
	seed     int64
	batch    int
	optimize bool
	dense    bool
	cold     bool
}

func newBenchArchiveCmd(e *env) *cobra.Command {
	var f benchArchiveFlags
	cmd := &cobra.Command{
		Use:   "archive",
		Short: "Build a synthetic archive and time ingest, search, timeline and export",
		Long: `Bench archive generates a deterministic synthetic archive (500 sites over
five years, realistic article lengths, a Zipf vocabulary, phrases each in
0.5-4% of the articles, 3% syndicated copies) into --db through the real ingest path (canonical URL, content
hash, MinHash near-duplicate check, one transaction per --batch articles;
the next batch is generated while one is stored), then measures:

  - bulk ingest rate (articles/s, and per CPU-second of the process,
    generator included);
  - archive size against the raw text size, and the largest tables and
    indexes;
  - search latency (p50, p95) for a word, a phrase, and a word with site
    and date filters, over --queries different queries of each kind,
    with the CPU time per query;
  - timeline of a common word by month;
  - export rate (JSON lines, discarded).

Before the reads it warms the archive's caches, as herald serve does when
it starts, and reports how long that took: a one-shot command's first
timeline and first collapsed search pay it instead. --cold leaves them
cold, to measure reads as such a command would.

Wall times on a shared machine depend on its load; CPU times much less so.
With --reuse an existing archive at --db is measured without ingesting.`,
		Example: `  herald bench archive --db /tmp/bench-100k.db --articles 100000
  herald bench archive --db /tmp/bench-100k.db --reuse`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBenchArchive(cmd.Context(), e, f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.articles, "articles", 100_000, "articles to generate")
	fl.BoolVar(&f.reuse, "reuse", false, "measure the existing archive at --db instead of building one")
	fl.IntVar(&f.queries, "queries", 50, "queries of each kind to time")
	fl.Int64Var(&f.seed, "seed", 1, "generator seed")
	fl.IntVar(&f.batch, "batch", 5000, "articles per ingest transaction")
	fl.BoolVar(&f.optimize, "optimize", false, "merge the full-text index after ingesting (sqlite.DB.Optimize), and time it")
	fl.BoolVar(&f.cold, "cold", false, "do not warm the archive's caches before the reads (as a one-shot command finds them)")
	fl.BoolVar(&f.dense, "dense-phrases", false, "generate as before December 2026, with each phrase in half of the articles (see storetest.Generator)")
	return cmd
}

func runBenchArchive(ctx context.Context, e *env, f benchArchiveFlags) error {
	if isPostgres(e.db) {
		return runBenchArchivePostgres(ctx, e, f) // bench_archive_pg.go
	}
	_, err := os.Stat(e.db)
	exists := err == nil
	switch {
	case f.reuse && !exists:
		return fmt.Errorf("--reuse: no archive at %s", e.db)
	case !f.reuse && exists:
		return fmt.Errorf("%s exists: give a new --db path, or --reuse to measure it", e.db)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return err
	}
	if f.articles < 1 || f.queries < 1 || f.batch < 1 {
		return errors.New("--articles, --queries and --batch must be positive")
	}
	db, err := sqlite.Open(ctx, e.db)
	if err != nil {
		return err
	}
	defer db.Close()
	out := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	defer out.Flush()
	fmt.Fprintf(out, "archive\t%s\n", e.db)

	if !f.reuse {
		wall, cpu, err := benchIngest(ctx, db, f, e.stderr)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "ingest\t%.0f articles/s, %.0f articles/CPU-s (%d articles in %s, %s CPU; batches of %d)\n",
			float64(f.articles)/wall.Seconds(), float64(f.articles)/cpu.Seconds(), f.articles,
			wall.Round(time.Second), cpu.Round(time.Second), f.batch)
		gen := generatorCPU(f.seed, min(f.articles, 20_000))
		fmt.Fprintf(out, "ingest without the generator\t%.0f articles/CPU-s (the generator takes %s CPU an article)\n",
			float64(f.articles)/(cpu-gen*time.Duration(f.articles)).Seconds(), gen.Round(time.Microsecond))
		if err := db.Checkpoint(ctx); err != nil {
			return err
		}
	}
	if f.reuse {
		if err := db.Checkpoint(ctx); err != nil {
			return err
		}
	}
	if f.optimize {
		t, cpu := time.Now(), storetest.CPUTime()
		if err := db.Optimize(ctx); err != nil {
			return err
		}
		if err := db.Checkpoint(ctx); err != nil {
			return err
		}
		fmt.Fprintf(out, "optimize\t%s (%s CPU)\n", time.Since(t).Round(time.Second), (storetest.CPUTime() - cpu).Round(time.Second))
	}
	st, err := db.Stats(ctx)
	if err != nil {
		return err
	}
	size := fileSize(e.db) + fileSize(e.db+"-wal")
	text := float64(st.TextBytes)
	fmt.Fprintf(out, "articles\t%d (%d in duplicate clusters)\n", st.Articles, st.Duplicates)
	if text == 0 {
		// Nothing to measure the sizes against (an empty archive, --reuse).
		fmt.Fprintf(out, "size\t%s, no text\n", humanBytes(float64(size)))
	} else {
		fmt.Fprintf(out, "size\t%s for %s of text: %.3f× the raw text\n", humanBytes(float64(size)), humanBytes(text), float64(size)/text)
	}
	if space, err := db.Space(ctx); err == nil && text > 0 {
		var parts []string
		for i, u := range space {
			if i == 6 {
				break
			}
			parts = append(parts, fmt.Sprintf("%s %.3f×", u.Name, float64(u.Bytes)/text))
		}
		fmt.Fprintf(out, "largest\t%s\n", strings.Join(parts, ", "))
	}

	if err := benchReads(ctx, out, db, f, nil); err != nil {
		return err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(out, "go heap in use at end\t%s\n", humanBytes(float64(ms.HeapInuse)))
	return nil
}

// benchReads times searches, timelines and an export, with this
// process's CPU time and, when server is not nil, the database server's.
func benchReads(ctx context.Context, out io.Writer, db store.Store, f benchArchiveFlags, server func() time.Duration) error {
	cpuLabel, hitsOnLine, hitsInCount := "CPU (herald + server)", ", pages of 20 collapsed", ""
	withServer := server != nil
	if !withServer {
		server = func() time.Duration { return 0 }
		cpuLabel, hitsOnLine, hitsInCount = "CPU", "", ", pages of 20, collapsed"
	}
	if w, ok := db.(store.Warmer); ok && !f.cold {
		t := time.Now()
		if err := w.Warm(ctx); err != nil {
			return err
		}
		fmt.Fprintf(out, "warm caches\t%s (as herald serve does at start; --cold skips it)\n", time.Since(t).Round(time.Millisecond))
	}
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
	measure := func(name, countNote string, n int, do func(i int) error) error {
		var lat, cpu []time.Duration
		for i := range n {
			t, c, s := time.Now(), storetest.CPUTime(), server()
			if err := do(i); err != nil {
				return err
			}
			lat, cpu = append(lat, time.Since(t)), append(cpu, storetest.CPUTime()-c+server()-s)
		}
		fmt.Fprintf(out, "%s\tp50 %s  p95 %s;  %s p50 %s  p95 %s  (%d queries%s)\n",
			name, pct(lat, 50), pct(lat, 95), cpuLabel, pct(cpu, 50), pct(cpu, 95), len(lat), countNote)
		return nil
	}
	for _, k := range kinds {
		if err := measure(k.name+hitsOnLine, hitsInCount, f.queries, func(i int) error {
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
	if err := measure("timeline: common word by month", "", max(5, f.queries/5), func(i int) error {
		q, _ := query.Parse(words[i%len(words)])
		_, err := db.Timeline(ctx, q, store.TimelineOptions{By: store.Month})
		return err
	}); err != nil {
		return err
	}
	t, c, s := time.Now(), storetest.CPUTime(), server()
	n, err := exportStream(ctx, db.Scan, &query.Query{}, "jsonl", "", io.Discard)
	if err != nil {
		return err
	}
	el, elc, els := time.Since(t), storetest.CPUTime()-c, server()-s
	if !withServer {
		fmt.Fprintf(out, "export jsonl\t%.0f articles/s, %.0f articles/CPU-s (%d in %s, %s CPU)\n",
			float64(n)/el.Seconds(), float64(n)/elc.Seconds(), n, el.Round(time.Millisecond), elc.Round(time.Millisecond))
		return nil
	}
	fmt.Fprintf(out, "export jsonl\t%.0f articles/s, %.0f articles/CPU-s (%d in %s, %s CPU herald + %s server)\n",
		float64(n)/el.Seconds(), float64(n)/(elc+els).Seconds(), n, el.Round(time.Millisecond),
		elc.Round(time.Millisecond), els.Round(time.Millisecond))
	return nil
}

// benchIngest stores f.articles generated articles through archive.Bulk
// (as herald import does) in batches of f.batch, generating the next
// batch meanwhile, and returns the wall and CPU time it took (the
// generator's CPU time included).
func benchIngest(ctx context.Context, db store.Store, f benchArchiveFlags, progress io.Writer) (wall, cpu time.Duration, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []*store.Record, 1)
	go func() {
		defer close(batches)
		g := storetest.NewGenerator(f.seed)
		g.DensePhrases = f.dense
		for done := 0; done < f.articles; {
			batch := make([]*store.Record, min(f.batch, f.articles-done))
			for i := range batch {
				r := g.Next().Record
				// The archive derives these itself; start from extracted fields.
				r.ID, r.ContentHash, r.ClusterID, r.Version = "", "", "", 0
				batch[i] = r
			}
			done += len(batch)
			select {
			case batches <- batch:
			case <-ctx.Done():
				return
			}
		}
	}()
	start, cpu0 := time.Now(), storetest.CPUTime()
	last, done := start, 0
	stored := func(res []archive.Result) { // on the loader's goroutine, batch after batch
		done += len(res)
		if time.Since(last) > 10*time.Second {
			last = time.Now()
			fmt.Fprintf(progress, "ingested %d/%d (%.0f/s, %.0f/CPU-s)\n", done, f.articles,
				float64(done)/time.Since(start).Seconds(), float64(done)/(storetest.CPUTime()-cpu0).Seconds())
		}
	}
	b := archive.NewBulk(ctx, db)
	for batch := range batches {
		if err := b.Add(batch, stored); err != nil {
			b.Close()
			return 0, 0, err
		}
	}
	if err := b.Close(); err != nil {
		return 0, 0, err
	}
	return time.Since(start), storetest.CPUTime() - cpu0, nil
}

// generatorCPU is the CPU time the generator takes per article, on n.
func generatorCPU(seed int64, n int) time.Duration {
	g := storetest.NewGenerator(seed)
	c := storetest.CPUTime()
	for range n {
		g.Next()
	}
	return (storetest.CPUTime() - c) / time.Duration(n)
}

func pct(d []time.Duration, p int) string {
	s := slices.Clone(d)
	slices.Sort(s)
	i := min(len(s)-1, (len(s)*p+99)/100-1)
	return s[max(i, 0)].Round(10 * time.Microsecond).String()
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}
