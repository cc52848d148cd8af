package benchmark

import (
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
		s, err := MeasureSpeed(inputs, fn, SpeedOptions{Runs: 3, Workers: workers})
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
		if s.AllocsPerPage < 1 || s.BytesPerPage < 8000*16/3 {
			t.Errorf("workers %d: allocs/page %v bytes/page %v too low", workers, s.AllocsPerPage, s.BytesPerPage)
		}
	}
	if _, err := MeasureSpeed(nil, fn, SpeedOptions{}); err == nil {
		t.Error("MeasureSpeed(no pages) succeeded")
	}
}

func TestExtractAllRecoversPanics(t *testing.T) {
	outs, errs := ExtractAll([]Input{{Name: "ok"}, {Name: "boom"}}, func(in Input) (Output, error) {
		if in.Name == "boom" {
			panic("bad page")
		}
		return Output{Text: "fine"}, nil
	})
	if outs[0].Text != "fine" || errs[0] != nil {
		t.Errorf("ok page: %+v %v", outs[0], errs[0])
	}
	if errs[1] == nil || !strings.Contains(errs[1].Error(), "boom: panic: bad page") {
		t.Errorf("panic page error = %v", errs[1])
	}
}
