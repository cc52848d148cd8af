package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/herald-archive/herald/extract"
	"github.com/herald-archive/herald/internal/benchmark"
	"github.com/herald-archive/herald/internal/benchmark/heraldbench"
)

func newBenchCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure Herald against benchmark data",
	}
	cmd.AddCommand(newBenchExtractCmd(e), newBenchArchiveCmd(e))
	return cmd
}

type benchFlags struct {
	data          string
	cores         string
	runs          int
	json          bool
	worst         int
	disagreements bool
	jsonl         string
	noDetect      bool
}

func newBenchExtractCmd(e *env) *cobra.Command {
	var f benchFlags
	cmd := &cobra.Command{
		Use:   "extract",
		Short: "Score and time the extractor on the ScrapingHub and Readability sets",
		Long: `Bench extract measures Herald's extractor on the benchmark data:

  - ScrapingHub article bodies (181 pages): precision, recall and F1 of
    4-word shingles, computed exactly as the published benchmark table;
  - Readability.js fixtures (130 pages): the rate at which title, byline,
    language, published time and site name match the fixture;
  - speed over the ScrapingHub pages on one core (GOMAXPROCS=1) and on all
    cores (one worker per core): pages/s, allocations and bytes per page,
    and a bound on the heap one page needs.

The data directory is --data, else $HERALD_BENCH_DIR, else ../shared/bench
beside the root of the Herald source tree containing the current
directory. Other engineers' builds make timings noisy: compare runs made
on a quiet machine.

With --jsonl, the extracted ScrapingHub bodies are written as JSON lines
{"input": "<id>.html.gz", "text": ...} for an independent scorer.`,
		Example: `  herald bench extract
  herald bench extract --cores 1 --runs 5 --worst 20
  herald bench extract --disagreements --runs 0
  herald bench extract --json > bench.json
  herald bench extract --runs 0 --jsonl /tmp/herald.jsonl`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBenchExtract(cmd.Context(), e, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.data, "data", "", "benchmark data directory (default $"+benchmark.EnvDataDir+", else ../shared/bench beside the source tree)")
	fl.StringVar(&f.cores, "cores", "both", "speed measurements: 1 (GOMAXPROCS=1), all (a worker per core) or both")
	fl.IntVar(&f.runs, "runs", 3, "passes over the pages per speed measurement; 0 skips speed")
	fl.BoolVar(&f.json, "json", false, "print the report as JSON")
	fl.IntVar(&f.worst, "worst", 10, "list this many ScrapingHub pages with the lowest F1")
	fl.BoolVarP(&f.disagreements, "disagreements", "v", false, "list every metadata disagreement with the Readability fixtures")
	fl.StringVar(&f.jsonl, "jsonl", "", "also write the extracted bodies to this file as JSON lines")
	fl.BoolVar(&f.noDetect, "no-detect-language", false, "do not guess the language of pages that declare none")
	return cmd
}

// benchReport is the JSON form of the report.
type benchReport struct {
	Extractor   string                `json:"extractor"`
	DataDir     string                `json:"data_dir"`
	Go          string                `json:"go"`
	CPUs        int                   `json:"cpus"`
	ScrapingHub *benchmark.BodyScore  `json:"scrapinghub,omitempty"`
	Worst       []benchmark.PageScore `json:"worst,omitempty"`
	Readability *benchmark.MetaScore  `json:"readability,omitempty"`
	OneCore     *benchmark.Speed      `json:"one_core,omitempty"`
	AllCores    *benchmark.Speed      `json:"all_cores,omitempty"`
}

func runBenchExtract(ctx context.Context, e *env, f benchFlags) error {
	opts := benchmark.RunOptions{Runs: f.runs}
	cores, err := choice("--cores", f.cores, "1", "all", "both")
	if err != nil {
		return err
	}
	switch cores {
	case "1":
		opts.OneCore = true
	case "all":
		opts.AllCores = true
	case "both":
		opts.OneCore, opts.AllCores = true, true
	}
	if f.runs < 0 || f.worst < 0 {
		return fmt.Errorf("--runs and --worst must not be negative")
	}
	dir := f.data
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("bench extract: %w", err)
		}
		dir = benchmark.FindDataDir(os.Getenv(benchmark.EnvDataDir), wd)
	}
	data, err := benchmark.Load(dir)
	if err != nil {
		return fmt.Errorf("bench extract: %w", err)
	}

	x := heraldbench.Extractor(extract.Options{NoLanguageDetection: f.noDetect})
	rep, err := benchmark.Run(ctx, data, x, opts)
	if err != nil {
		return fmt.Errorf("bench extract: %w", err)
	}
	if f.jsonl != "" {
		if err := writeBenchJSONL(f.jsonl, data.ScrapingHub, rep.Texts); err != nil {
			return fmt.Errorf("bench extract: %w", err)
		}
	}

	out := benchReport{
		Extractor:   rep.Name,
		DataDir:     dir,
		Go:          runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		CPUs:        runtime.NumCPU(),
		Readability: rep.Meta,
		OneCore:     rep.OneCore,
		AllCores:    rep.AllCores,
	}
	if rep.Body != nil {
		out.Worst = rep.Body.Worst(f.worst)
		body := *rep.Body
		body.PerPage = nil
		out.ScrapingHub = &body
	}
	if out.Readability != nil && !f.disagreements {
		meta := *out.Readability
		meta.Disagreements = nil
		out.Readability = &meta
	}
	if f.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("bench extract: write report: %w", err)
		}
		return nil
	}
	return printBenchReport(e.stdout, out, rep.Meta)
}

// writeBenchJSONL writes one {"input", "text"} line per page, in page
// order, as the independent scorer's -jsonl mode reads them.
func writeBenchJSONL(path string, pages []benchmark.Page, texts map[string]string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write jsonl: %w", err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, p := range pages {
		rec := struct {
			Input string `json:"input"`
			Text  string `json:"text"`
		}{p.File(), texts[p.ID]}
		if err := enc.Encode(rec); err != nil {
			f.Close()
			return fmt.Errorf("write jsonl %s: %w", path, err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write jsonl %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write jsonl %s: %w", path, err)
	}
	return nil
}

// printBenchReport writes the human-readable report. full is the metadata
// score with its disagreements, for their count.
func printBenchReport(w io.Writer, r benchReport, full *benchmark.MetaScore) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s — data %s — %s, %d CPUs\n", r.Extractor, r.DataDir, r.Go, r.CPUs)
	if b := r.ScrapingHub; b != nil {
		fmt.Fprintf(bw, "\nScrapingHub bodies (%d pages): F1 %.3f  precision %.3f  recall %.3f  (empty %d, errors %d)\n",
			b.Pages, b.F1, b.Precision, b.Recall, b.Empty, b.Errors)
	}
	if m := r.Readability; m != nil {
		fmt.Fprintf(bw, "\nReadability metadata (%d cases, errors %d): share matching the fixture, among cases where it has a value\n", m.Cases, m.Errors)
		tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
		for _, rt := range m.Rates {
			fmt.Fprintf(tw, "  %s\t%.3f\t(%d/%d)\n", rt.Field, rt.Rate, rt.Matched, rt.Cases)
		}
		tw.Flush()
		if len(m.Disagreements) > 0 {
			fmt.Fprintf(bw, "  disagreements (%d):\n", len(m.Disagreements))
			for _, d := range m.Disagreements {
				fmt.Fprintf(bw, "    %-28s %-13s expected %q\n    %-28s %-13s got      %q\n", d.Case, d.Field, d.Expected, "", "", d.Got)
			}
		} else if full != nil && len(full.Disagreements) > 0 {
			fmt.Fprintf(bw, "  %d disagreements (list them with --disagreements)\n", len(full.Disagreements))
		}
	}
	if r.OneCore != nil || r.AllCores != nil {
		fmt.Fprintln(bw, "\nSpeed over the ScrapingHub pages (wall-clock rates are noisy while other work runs on this machine;")
		fmt.Fprintln(bw, "per-CPU-second rates much less so):")
		for _, s := range []*benchmark.Speed{r.OneCore, r.AllCores} {
			if s == nil {
				continue
			}
			cores := "1 core (GOMAXPROCS=1)"
			if s.Workers > 1 {
				cores = fmt.Sprintf("%d cores (a worker each)", s.Workers)
			}
			fmt.Fprintf(bw, "  %-24s %7.1f pages/s best pass, %7.1f mean", cores+":", s.BestPagesSec, s.PagesSec)
			if s.CPUPagesSec > 0 {
				fmt.Fprintf(bw, ";  per CPU-second %7.1f best, %7.1f mean", s.BestCPUPagesSec, s.CPUPagesSec)
			}
			fmt.Fprintf(bw, "\n  %-24s %.0f allocs/page, %s/page; %d pages in %.2fs (%.1f MB/s), %d errors\n",
				"", s.AllocsPerPage, humanBytes(s.BytesPerPage), s.Pages, s.Elapsed.Seconds(), s.MBSec, s.Errors)
		}
		s := r.OneCore
		if s == nil {
			s = r.AllCores
		}
		fmt.Fprintf(bw, "  peak heap per page ≤ %s (most allocated by one page: %s)\n", humanBytes(float64(s.PeakPageBytes)), s.PeakPage)
	}
	if len(r.Worst) > 0 {
		fmt.Fprintf(bw, "\nWorst %d ScrapingHub pages by F1:\n", len(r.Worst))
		tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  F1\tP\tR\tid\turl")
		for _, p := range r.Worst {
			note := ""
			if p.Error != "" {
				note = "  error: " + p.Error
			} else if p.Empty {
				note = "  (empty)"
			}
			fmt.Fprintf(tw, "  %.3f\t%.3f\t%.3f\t%s\t%s%s\n", p.F1, p.Precision, p.Recall, p.ID[:min(12, len(p.ID))], p.URL, note)
		}
		tw.Flush()
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("bench extract: write report: %w", err)
	}
	return nil
}

// humanBytes formats a byte count with a binary unit.
func humanBytes(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", n)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", n), ".0") + " " + units[i]
}
