package benchmark

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
)

func TestMeasureSpeed(t *testing.T) {
	inputs := []Input{
		{Name: "small", HTML: []byte("<p>x</p>")},
		{Name: "big", HTML: []byte(strings.Repeat("<p>x</p>", 1000))},
		{Name: "bad", HTML: []byte("!")},
	}
	fn := func(in Input) (Output, error) {
		if in.Name == "bad" {
			return Output{}, errors.New("not html")
		}
		// Allocate in proportion to the page so the peak is "big".
		buf := append(make([]byte, 0, len(in.HTML)*16), in.HTML...)
		return Output{Text: string(buf)}, nil
	}
	procs := runtime.GOMAXPROCS(0)
	for _, workers := range []int{1, 2} {
		s, err := MeasureSpeed(context.Background(), inputs, fn, SpeedOptions{Runs: 3, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if got := runtime.GOMAXPROCS(0); got != procs {
			t.Errorf("GOMAXPROCS = %d after the run, was %d", got, procs)
		}
		if s.Pages != 9 || s.Runs != 3 || s.Workers != workers || s.Errors != 3 {
			t.Errorf("workers %d: pages/runs/workers/errors = %d/%d/%d/%d", workers, s.Pages, s.Runs, s.Workers, s.Errors)
		}
		if s.PagesSec <= 0 || s.Elapsed <= 0 || s.Bytes != int64(3*(8+8000+1)) {
			t.Errorf("workers %d: rate %v elapsed %v bytes %d", workers, s.PagesSec, s.Elapsed, s.Bytes)
		}
		if s.PeakPage != "big" || s.PeakPageBytes < 8000*16 {
			t.Errorf("workers %d: peak %d on %q, want ≥128000 on big", workers, s.PeakPageBytes, s.PeakPage)
		}
		// The passes are too short to be sure getrusage saw them, so only
		// check consistency when it did.
		if s.CPU > 0 && (s.CPUPagesSec <= 0 || s.BestCPUPagesSec < s.CPUPagesSec) {
			t.Errorf("workers %d: cpu %v rate %v best %v", workers, s.CPU, s.CPUPagesSec, s.BestCPUPagesSec)
		}
		if s.AllocsPerPage < 1 || s.BytesPerPage < 8000*16/3 {
			t.Errorf("workers %d: allocs/page %v bytes/page %v too low", workers, s.AllocsPerPage, s.BytesPerPage)
		}
	}
	if _, err := MeasureSpeed(context.Background(), nil, fn, SpeedOptions{}); err == nil {
		t.Error("MeasureSpeed(no pages) succeeded")
	}
}

func TestExtractAllRecoversPanics(t *testing.T) {
	outs, errs, err := ExtractAll(context.Background(), []Input{{Name: "ok"}, {Name: "boom"}}, func(in Input) (Output, error) {
		if in.Name == "boom" {
			panic("bad page")
		}
		return Output{Text: "fine"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if outs[0].Text != "fine" || errs[0] != nil {
		t.Errorf("ok page: %+v %v", outs[0], errs[0])
	}
	if errs[1] == nil || !strings.Contains(errs[1].Error(), "boom: panic: bad page") {
		t.Errorf("panic page error = %v", errs[1])
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fn := func(Input) (Output, error) { return Output{}, nil }
	in := []Input{{Name: "a"}}
	if _, _, err := ExtractAll(ctx, in, fn); !errors.Is(err, context.Canceled) {
		t.Errorf("ExtractAll: %v", err)
	}
	if _, err := MeasureSpeed(ctx, in, fn, SpeedOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("MeasureSpeed: %v", err)
	}
	d := &Data{ScrapingHub: []Page{{ID: "a", Ref: NewReference("x")}}}
	if _, err := Run(ctx, d, Extractor{Name: "x", Func: fn}, RunOptions{Runs: 1, OneCore: true}); !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
}

func TestRun(t *testing.T) {
	d := &Data{
		ScrapingHub: []Page{
			{ID: "p1", HTML: []byte("<p>alpha beta gamma delta</p>"), Ref: NewReference("alpha beta gamma delta")},
			{ID: "p2", HTML: []byte("<p>one two three four five</p>"), Ref: NewReference("one two three four five six")},
		},
		Readability: []Case{{Name: "c1", HTML: []byte("<title>T</title>"), Expected: Expected{Title: "T", Lang: "en"}}},
	}
	// A toy extractor: strips the tags it knows and reports a fixed title.
	fn := func(in Input) (Output, error) {
		text := strings.NewReplacer("<p>", "", "</p>", "", "<title>", "", "</title>", "").Replace(string(in.HTML))
		return Output{Text: text, Meta: Meta{Title: text}}, nil
	}
	r, err := Run(context.Background(), d, Extractor{Name: "toy", Func: fn, Fields: []Field{FieldTitle}}, RunOptions{Runs: 2, OneCore: true, AllCores: true})
	if err != nil {
		t.Fatal(err)
	}
	// p1 perfect; p2: 2 of 3 true shingles, none false.
	wantR := (1 + 2.0/3) / 2
	if r.Body == nil || !near(r.Body.Precision, 1) || !near(r.Body.Recall, wantR) {
		t.Errorf("body = %+v", r.Body)
	}
	if r.Texts["p2"] != "one two three four five" {
		t.Errorf("texts = %q", r.Texts)
	}
	if r.Meta == nil || len(r.Meta.Rates) != 1 || r.Meta.Rates[0].Rate != 1 {
		t.Errorf("meta = %+v", r.Meta)
	}
	if r.OneCore == nil || r.OneCore.Workers != 1 || r.AllCores == nil || r.AllCores.Pages != 4 {
		t.Errorf("speed = %+v / %+v", r.OneCore, r.AllCores)
	}
}

func TestMeasureSpeedsInterleaved(t *testing.T) {
	inputs := []Input{{Name: "a", HTML: []byte("abc")}, {Name: "b", HTML: []byte("defg")}}
	var order []string
	record := func(name string) Func {
		return func(in Input) (Output, error) {
			order = append(order, name+in.Name)
			return Output{}, nil
		}
	}
	speeds, err := MeasureSpeeds(context.Background(), inputs, []Func{record("x"), record("y")}, SpeedOptions{Runs: 2, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Warm-ups (x, then y), then pass 1 of x and y, then pass 2 of x and y.
	want := "xa xb ya yb xa xb ya yb xa xb ya yb"
	if got := strings.Join(order, " "); got != want {
		t.Errorf("call order %q, want %q", got, want)
	}
	for i, s := range speeds {
		if s.Pages != 4 || s.Bytes != 14 || s.BestPagesSec < s.PagesSec || s.PagesSec <= 0 {
			t.Errorf("speed %d = %+v", i, s)
		}
	}
}
