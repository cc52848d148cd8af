package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/benchmark"
)

const page = `<!doctype html><html lang="en"><head><title>Harbour reopens - Gazette</title>
<meta property="og:site_name" content="Gazette">
<meta property="article:published_time" content="2021-06-03T10:00:00+02:00">
<meta name="author" content="Ann Lee"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Harbour reopens</h1>
<p>The city harbour reopened on Thursday after three weeks of repairs to the old breakwater, officials said.</p>
<p>Officials said the breakwater had been rebuilt to withstand stronger storms, and the fishing fleet returned at dawn.</p>
<p>Traders at the fish market said business had suffered badly while the boats were kept away from the harbour.</p>
</article><footer>Copyright Gazette</footer></body></html>`

// TestAdapters runs every extractor on a made-up page: each must find the
// body (except the bare parser) without error.
func TestAdapters(t *testing.T) {
	in := benchmark.Input{Name: "harbour", URL: "https://gazette.example.org/2021/06/03/harbour.html", HTML: []byte(page)}
	for _, x := range extractors() {
		out, err := x.Func(in)
		if err != nil {
			t.Errorf("%s: %v", x.Name, err)
			continue
		}
		if x.NoBody {
			continue
		}
		if !strings.Contains(out.Text, "rebuilt to withstand stronger storms") || strings.Contains(out.Text, "Copyright") {
			t.Errorf("%s: body %q", x.Name, out.Text)
		}
	}
}

func TestSelectExtractors(t *testing.T) {
	all := extractors()
	if got := selectExtractors(all, ""); len(got) != len(all) {
		t.Errorf("no filter: %d of %d", len(got), len(all))
	}
	got := selectExtractors(all, "HERALD, go-trafilatura")
	var names []string
	for _, x := range got {
		names = append(names, x.Name)
	}
	if len(got) != 4 || !strings.HasPrefix(names[0], "herald") || !strings.HasSuffix(names[1], "(no language detection)") ||
		names[2] != "go-trafilatura" || names[3] != "go-trafilatura+fallback" {
		t.Errorf("filtered names = %q", names)
	}
	if len(selectExtractors(all, "nothing")) != 0 {
		t.Error("an unknown name matched")
	}
}

func TestPrintTable(t *testing.T) {
	reports := []*benchmark.Report{
		{Name: "a", Body: &benchmark.BodyScore{F1: 0.9704, Precision: 0.96, Recall: 0.98},
			Meta:    &benchmark.MetaScore{Rates: []benchmark.FieldRate{{Field: benchmark.FieldTitle, Rate: 0.5}}},
			OneCore: &benchmark.Speed{PagesSec: 500, BestPagesSec: 600, CPUPagesSec: 550, BestCPUPagesSec: 640, AllocsPerPage: 1000, BytesPerPage: 2048, PeakPageBytes: 4096}},
		{Name: "b", OneCore: &benchmark.Speed{PagesSec: 100, BestPagesSec: 200, CPUPagesSec: 150, BestCPUPagesSec: 160, Errors: 2}},
	}
	var buf bytes.Buffer
	if err := printTable(&buf, header{Runs: 3}, reports, 181, 130); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"| a | 0.970 | 0.960 | 0.980 | 0.50 | – | – | – | – | – | – | 640 (550) | 600 (500) | 1000 | 2 | 4 |",
		"| b | – | – | – | – | – | – | – | – | – | – | 160 (150) | 200 (100), 2 errors | 0 | 0 | 0 |",
		"a on one core, per CPU-second: 4.0× b (wall clock 3.0×).",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestRunErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"--data", t.TempDir()}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "benchmark data not found") {
		t.Errorf("empty data dir: %v", err)
	}
	if err := run(context.Background(), []string{"--runs", "-2"}, &out, &errOut); err == nil {
		t.Error("negative --runs accepted")
	}
}
