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
}

func newBenchArchiveCmd(e *env) *cobra.Command {
	var f benchArchiveFlags
	cmd := &cobra.Command{
		Use:   "archive",
		Short: "Build a synthetic archive and time ingest, search, timeline and export",
		Long: `Bench archive generates a deterministic synthetic archive (500 sites over
five years, realistic article lengths, a Zipf vocabulary, 3% syndicated
copies) into --db through the real ingest path (canonical URL, content
hash, MinHash near-duplicate check, one transaction per 1,000 articles),
then measures:

  - bulk ingest rate (articles/s);
  - archive size against the raw text size;
  - search latency (p50, p95) for a word, a phrase, and a word with site
    and date filters, over --queries different queries of each kind;
  - timeline of a common word by month;
  - export rate (JSON lines, discarded).

With --reuse an existing archive at --db is measured without ingesting.`,
		Example: `  herald bench archive --db /tmp/bench-100k.db --articles 100000
  herald bench archive --db /tmp/bench-100k.db --reuse`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBenchArchive(cmd.Context(), e, f)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.articles, "articles", 100_000, "articles to generate")
	fl.BoolVar(&f.reuse, "reuse", false, "measure the existing archive at --db instead of building one")
	fl.IntVar(&f.queries, "queries", 50, "queries of each kind to time")
	fl.Int64Var(&f.seed, "seed", 1, "generator seed")
	return cmd
}

func runBenchArchive(ctx context.Context, e *env, f benchArchiveFlags) error {
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
	if f.articles < 1 || f.queries < 1 {
		return errors.New("--articles and --queries must be positive")
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
		rate, err := benchIngest(ctx, db, f, e.stderr)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "ingest\t%.0f articles/s (%d articles, batches of %d)\n", rate, f.articles, importBatch)
		if err := db.Checkpoint(ctx); err != nil {
			return err
		}
	}
	st, err := db.Stats(ctx)
	if err != nil {
		return err
	}
	size := fileSize(e.db) + fileSize(e.db+"-wal")
	fmt.Fprintf(out, "articles\t%d (%d in duplicate clusters)\n", st.Articles, st.Duplicates)
	fmt.Fprintf(out, "size\t%s for %s of text: %.2f× the raw text\n", humanBytes(float64(size)), humanBytes(float64(st.TextBytes)), float64(size)/float64(max(st.TextBytes, 1)))

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
	for _, k := range kinds {
		var lat []time.Duration
		for i := 0; i < f.queries; i++ {
			q, err := query.Parse(k.make(i))
			if err != nil {
				return err
			}
			t := time.Now()
			if _, err := db.Search(ctx, q, store.SearchOptions{Limit: 20, Collapse: true}); err != nil {
				return err
			}
			lat = append(lat, time.Since(t))
		}
		fmt.Fprintf(out, "%s\tp50 %s  p95 %s  (%d queries, 20 hits, collapsed)\n", k.name, pct(lat, 50), pct(lat, 95), len(lat))
	}
	var lat []time.Duration
	for i := 0; i < max(5, f.queries/10); i++ {
		q, _ := query.Parse(words[i%len(words)])
		t := time.Now()
		if _, err := db.Timeline(ctx, q, store.TimelineOptions{By: store.Month}); err != nil {
			return err
		}
		lat = append(lat, time.Since(t))
	}
	fmt.Fprintf(out, "timeline: common word by month\tp50 %s  p95 %s  (%d queries)\n", pct(lat, 50), pct(lat, 95), len(lat))

	t := time.Now()
	n, err := exportStream(ctx, db, &query.Query{}, "jsonl", "", io.Discard)
	if err != nil {
		return err
	}
	el := time.Since(t)
	fmt.Fprintf(out, "export jsonl\t%.0f articles/s (%d in %s)\n", float64(n)/el.Seconds(), n, el.Round(time.Millisecond))
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(out, "go heap in use at end\t%s\n", humanBytes(float64(ms.HeapInuse)))
	return nil
}

func benchIngest(ctx context.Context, db store.Store, f benchArchiveFlags, progress io.Writer) (float64, error) {
	g := storetest.NewGenerator(f.seed)
	batch := make([]*store.Record, 0, importBatch)
	start := time.Now()
	last := start
	for i := 0; i < f.articles; i++ {
		r := g.Next().Record
		// The archive derives these itself; start from extracted fields.
		r.ID, r.ContentHash, r.ClusterID, r.Version = "", "", "", 0
		batch = append(batch, r)
		if len(batch) == cap(batch) || i == f.articles-1 {
			if _, err := archive.Ingest(ctx, db, batch); err != nil {
				return 0, err
			}
			batch = batch[:0]
			if time.Since(last) > 10*time.Second {
				last = time.Now()
				fmt.Fprintf(progress, "ingested %d/%d (%.0f/s)\n", i+1, f.articles, float64(i+1)/time.Since(start).Seconds())
			}
		}
	}
	return float64(f.articles) / time.Since(start).Seconds(), nil
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
