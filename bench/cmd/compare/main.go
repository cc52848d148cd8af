// Command compare measures Herald's extractor side by side with reference
// extractors — go-trafilatura (with and without its fallback extractors),
// readeck's go-readability v2 — and x/net/html parsing alone (the floor),
// in one run on one machine, over the same benchmark data:
//
//   - ScrapingHub body F1, precision and recall (scored exactly as
//     ../shared/bench/README.md says, by internal/benchmark);
//   - Readability-fixture metadata rates, for the fields each extractor
//     provides;
//   - pages/s on one core (GOMAXPROCS=1), allocations and bytes per page,
//     and the most one page allocated; optionally pages/s on all cores.
//
// It prints a markdown table, or JSON with --json. It lives in its own
// module (github.com/herald-archive/herald/bench) so that Herald itself
// never depends on the reference extractors.
//
//	cd bench && go run ./cmd/compare [--data DIR] [--runs N] [--all-cores] [--only NAMES] [--json]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"

	"github.com/herald-archive/herald/extract"
	"github.com/herald-archive/herald/internal/benchmark"
	"github.com/herald-archive/herald/internal/benchmark/heraldbench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "compare:", err)
		}
		os.Exit(2)
	}
}

// extractors returns every extractor the comparison knows, in table order.
func extractors() []benchmark.Extractor {
	traf := func(fallback bool) benchmark.Func {
		return func(in benchmark.Input) (benchmark.Output, error) {
			u, _ := url.Parse(in.URL)
			// The options of go-trafilatura's own comparison script.
			res, err := trafilatura.Extract(bytes.NewReader(in.HTML), trafilatura.Options{
				OriginalURL:     u,
				EnableFallback:  fallback,
				ExcludeComments: true,
			})
			if err != nil {
				return benchmark.Output{}, err
			}
			m := res.Metadata
			var authors []string
			for a := range strings.SplitSeq(m.Author, "; ") {
				if a = strings.TrimSpace(a); a != "" {
					authors = append(authors, a)
				}
			}
			return benchmark.Output{Text: res.ContentText, Meta: benchmark.Meta{
				Title: m.Title, Authors: authors, Language: m.Language, Published: m.Date, SiteName: m.Sitename,
			}}, nil
		}
	}
	// Herald also runs without statistical language detection: on pages
	// that declare no language, detection is a large share of its cost.
	noDetect := heraldbench.Extractor(extract.Options{NoLanguageDetection: true})
	noDetect.Name += " (no language detection)"
	return []benchmark.Extractor{
		heraldbench.Extractor(extract.Options{}),
		noDetect,
		{Name: "go-trafilatura", Func: traf(false), Fields: benchmark.AllFields},
		{Name: "go-trafilatura+fallback", Func: traf(true), Fields: benchmark.AllFields},
		{Name: "go-readability v2", Func: readabilityFunc, Fields: benchmark.AllFields},
		{Name: "x/net/html Parse", Func: parseOnly, NoBody: true},
	}
}

func readabilityFunc(in benchmark.Input) (benchmark.Output, error) {
	u, _ := url.Parse(in.URL)
	a, err := readability.FromReader(bytes.NewReader(in.HTML), u)
	if err != nil {
		return benchmark.Output{}, err
	}
	var text strings.Builder
	if a.Node != nil {
		if err := a.RenderText(&text); err != nil {
			return benchmark.Output{}, err
		}
	}
	out := benchmark.Output{Text: text.String(), Meta: benchmark.Meta{
		Title: a.Title(), Language: a.Language(), SiteName: a.SiteName(),
	}}
	if b := strings.TrimSpace(a.Byline()); b != "" {
		out.Meta.Authors = []string{b}
	}
	if t, err := a.PublishedTime(); err == nil {
		out.Meta.Published = t
	}
	return out, nil
}

func parseOnly(in benchmark.Input) (benchmark.Output, error) {
	_, err := html.Parse(bytes.NewReader(in.HTML))
	return benchmark.Output{}, err
}

// header describes the run, for the reader of the table.
type header struct {
	DataDir  string    `json:"data_dir"`
	Go       string    `json:"go"`
	CPUs     int       `json:"cpus"`
	Runs     int       `json:"runs"`
	LoadAvg  string    `json:"load_avg,omitempty"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data", "", "benchmark data directory (default $"+benchmark.EnvDataDir+", else ../shared/bench beside the Herald source tree)")
	runs := fs.Int("runs", 3, "passes over the ScrapingHub pages per speed measurement; 0 skips speed")
	allCores := fs.Bool("all-cores", false, "also measure pages/s with one worker per core")
	only := fs.String("only", "", "comma-separated extractor names to run (case-insensitive prefixes, e.g. herald,go-traf)")
	asJSON := fs.Bool("json", false, "print JSON instead of a markdown table")
	disagreements := fs.Bool("disagreements", false, "list each extractor's metadata disagreements after the table (and keep them in --json)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *runs < 0 {
		return fmt.Errorf("--runs must not be negative")
	}
	dir := *dataDir
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		dir = benchmark.FindDataDir(os.Getenv(benchmark.EnvDataDir), wd)
	}
	data, err := benchmark.Load(dir)
	if err != nil {
		return err
	}
	xs := selectExtractors(extractors(), *only)
	if len(xs) == 0 {
		return fmt.Errorf("--only %q matches no extractor", *only)
	}

	h := header{DataDir: dir, Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		CPUs: runtime.NumCPU(), Runs: *runs, LoadAvg: loadAvg(), Started: time.Now()}
	fmt.Fprintf(stderr, "compare: measuring %d extractors (quality of each, then speed passes interleaved)…\n", len(xs))
	reports, err := benchmark.RunAll(ctx, data, xs, benchmark.RunOptions{Runs: *runs, OneCore: true, AllCores: *allCores})
	if err != nil {
		return err
	}
	h.Finished = time.Now()
	if la := loadAvg(); la != "" {
		h.LoadAvg += " → " + la
	}

	if *asJSON {
		for _, r := range reports {
			if r.Body != nil {
				r.Body.PerPage = nil
			}
			if r.Meta != nil && !*disagreements {
				r.Meta.Disagreements = nil
			}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Header  header              `json:"header"`
			Reports []*benchmark.Report `json:"reports"`
		}{h, reports})
	}
	if err := printTable(stdout, h, reports, len(data.ScrapingHub), len(data.Readability)); err != nil {
		return err
	}
	if *disagreements {
		return printDisagreements(stdout, reports)
	}
	return nil
}

func printDisagreements(w io.Writer, reports []*benchmark.Report) error {
	var b strings.Builder
	for _, r := range reports {
		if r.Meta == nil || len(r.Meta.Disagreements) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### %s: %d metadata disagreements\n\n| case | field | expected | got |\n|---|---|---|---|\n", r.Name, len(r.Meta.Disagreements))
		for _, d := range r.Meta.Disagreements {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", d.Case, d.Field, cell(d.Expected), cell(d.Got))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cell quotes a value for a markdown table cell.
func cell(s string) string {
	if s == "" {
		return "–"
	}
	return "`" + strings.NewReplacer("|", "\\|", "`", "'", "\n", " ").Replace(s) + "`"
}

func selectExtractors(all []benchmark.Extractor, only string) []benchmark.Extractor {
	if only == "" {
		return all
	}
	var out []benchmark.Extractor
	for _, x := range all {
		for p := range strings.SplitSeq(only, ",") {
			if p = strings.TrimSpace(p); p != "" && strings.HasPrefix(strings.ToLower(x.Name), strings.ToLower(p)) {
				out = append(out, x)
				break
			}
		}
	}
	return out
}

// loadAvg returns the 1, 5 and 15 minute load averages where the system
// shows them (Linux), else "".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func printTable(w io.Writer, h header, reports []*benchmark.Report, pages, cases int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Data %s: ScrapingHub %d pages, Readability %d cases. %s, %d CPUs, %d runs per speed figure, load average %s.\n\n",
		h.DataDir, pages, cases, h.Go, h.CPUs, h.Runs, h.LoadAvg)
	cols := []string{"extractor", "F1", "P", "R", "title", "byline", "byline names", "language", "published", "published date", "site name", "pages/CPU-s 1 core", "pages/s 1 core"}
	anyAll := false
	for _, r := range reports {
		anyAll = anyAll || r.AllCores != nil
	}
	if anyAll {
		cols = append(cols, "pages/s all cores")
	}
	cols = append(cols, "allocs/page", "KiB/page", "max KiB one page")
	fmt.Fprintf(&b, "| %s |\n|%s\n", strings.Join(cols, " | "), strings.Repeat("---|", len(cols)))
	for _, r := range reports {
		row := []string{r.Name}
		if r.Body != nil {
			row = append(row, f3(r.Body.F1), f3(r.Body.Precision), f3(r.Body.Recall))
		} else {
			row = append(row, "–", "–", "–")
		}
		for _, f := range []benchmark.Field{benchmark.FieldTitle, benchmark.FieldByline, benchmark.FieldBylineNames,
			benchmark.FieldLanguage, benchmark.FieldPublished, benchmark.FieldPublishedDate, benchmark.FieldSiteName} {
			cell := "–"
			if r.Meta != nil {
				if rt, ok := r.Meta.Rate(f); ok {
					cell = fmt.Sprintf("%.2f", rt.Rate)
				}
			}
			row = append(row, cell)
		}
		s := r.OneCore
		if s != nil && s.CPUPagesSec > 0 {
			row = append(row, fmt.Sprintf("%.0f (%.0f)", s.BestCPUPagesSec, s.CPUPagesSec))
		} else {
			row = append(row, "–")
		}
		row = append(row, speedCell(s))
		if anyAll {
			row = append(row, speedCell(r.AllCores))
		}
		if s != nil {
			row = append(row, fmt.Sprintf("%.0f", s.AllocsPerPage), fmt.Sprintf("%.0f", s.BytesPerPage/1024), fmt.Sprintf("%.0f", float64(s.PeakPageBytes)/1024))
		} else {
			row = append(row, "–", "–", "–")
		}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(row, " | "))
	}
	// Speed relative to the first extractor (Herald), the figure the
	// targets are stated in: per CPU-second (robust to other load) and
	// per wall-clock second, both best passes.
	if len(reports) > 0 && reports[0].OneCore != nil && reports[0].OneCore.PagesSec > 0 {
		base := reports[0].OneCore
		var rel []string
		for _, r := range reports[1:] {
			s := r.OneCore
			if s == nil || s.BestPagesSec == 0 {
				continue
			}
			cpu := "–"
			if base.BestCPUPagesSec > 0 && s.BestCPUPagesSec > 0 {
				cpu = fmt.Sprintf("%.1f×", base.BestCPUPagesSec/s.BestCPUPagesSec)
			}
			rel = append(rel, fmt.Sprintf("%s %s (wall clock %.1f×)", cpu, r.Name, base.BestPagesSec/s.BestPagesSec))
		}
		if len(rel) > 0 {
			fmt.Fprintf(&b, "\n%s on one core, per CPU-second: %s.\n", reports[0].Name, strings.Join(rel, ", "))
		}
	}
	b.WriteString("\nMetadata rates: share of Readability cases whose fixture has the field where the extractor agrees " +
		"(rules in internal/benchmark ScoreMetadata). Speeds: best pass (mean over all passes), passes of the " +
		"extractors interleaved; pages/CPU-s counts the process's CPU time, which other load on the machine barely " +
		"changes, pages/s counts wall-clock time. \"max KiB one page\" bounds the heap one page needs.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func f3(x float64) string { return fmt.Sprintf("%.3f", x) }

func speedCell(s *benchmark.Speed) string {
	if s == nil {
		return "–"
	}
	cell := fmt.Sprintf("%.0f (%.0f)", s.BestPagesSec, s.PagesSec)
	if s.Errors > 0 {
		cell += fmt.Sprintf(", %d errors", s.Errors)
	}
	return cell
}
