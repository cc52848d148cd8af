package benchmark

import (
	"context"
	"fmt"
)

// Input is one page handed to an extractor.
type Input struct {
	// Name identifies the page in reports: a ScrapingHub id or a
	// Readability case name.
	Name string
	// URL is the page's address (for relative links and URL dates).
	URL string
	// HTML is the page. Extractors must not modify it.
	HTML []byte
}

// Output is what the benchmark reads from an extractor's result.
type Output struct {
	Text string
	Meta Meta
}

// Func extracts one page. It must be safe for concurrent use.
type Func func(Input) (Output, error)

// Extractor is an extractor under test.
type Extractor struct {
	// Name is shown in reports.
	Name string
	// Func does the work.
	Func Func
	// Fields lists the metadata fields the extractor provides (a subset of
	// AllFields); only those are scored. Empty means metadata is not
	// scored at all (e.g. a bare parser).
	Fields []Field
	// NoBody means the extractor gives no body text (a bare parser), so
	// the body score is skipped.
	NoBody bool
}

// ScrapingHubInputs returns the pages as extractor inputs.
func ScrapingHubInputs(pages []Page) []Input {
	in := make([]Input, len(pages))
	for i, p := range pages {
		in[i] = Input{Name: p.ID, URL: p.URL, HTML: p.HTML}
	}
	return in
}

// ReadabilityInputs returns the cases as extractor inputs, each with
// ReadabilityURL as its address.
func ReadabilityInputs(cases []Case) []Input {
	in := make([]Input, len(cases))
	for i, c := range cases {
		in[i] = Input{Name: c.Name, URL: ReadabilityURL, HTML: c.HTML}
	}
	return in
}

// ExtractAll runs fn over the inputs in order, on the calling goroutine.
// A panic in fn is turned into that page's error, so one bad page cannot
// end a benchmark run. It stops early, returning ctx's error, when ctx is
// done.
func ExtractAll(ctx context.Context, inputs []Input, fn Func) ([]Output, []error, error) {
	out := make([]Output, len(inputs))
	errs := make([]error, len(inputs))
	for i, in := range inputs {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		out[i], errs[i] = safeCall(fn, in)
	}
	return out, errs, nil
}

func safeCall(fn Func, in Input) (out Output, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("extract %s: panic: %v", in.Name, r)
		}
	}()
	out, err = fn(in)
	if err != nil {
		err = fmt.Errorf("extract %s: %w", in.Name, err)
	}
	return out, err
}

// Quality is an extractor's body and metadata scores.
type Quality struct {
	Body *BodyScore
	Meta *MetaScore
	// Texts are the predicted bodies by ScrapingHub page id.
	Texts map[string]string
}

// MeasureQuality extracts every page of d with x and scores the bodies
// (ScrapingHub) and the metadata x provides (Readability).
func MeasureQuality(ctx context.Context, d *Data, x Extractor) (Quality, error) {
	var q Quality
	if !x.NoBody {
		outs, errs, err := ExtractAll(ctx, ScrapingHubInputs(d.ScrapingHub), x.Func)
		if err != nil {
			return q, fmt.Errorf("score %s bodies: %w", x.Name, err)
		}
		q.Texts = make(map[string]string, len(outs))
		errByID := map[string]error{}
		for i, p := range d.ScrapingHub {
			q.Texts[p.ID] = outs[i].Text
			if errs[i] != nil {
				errByID[p.ID] = errs[i]
			}
		}
		s := ScoreBodies(Truths(d.ScrapingHub), q.Texts, errByID)
		q.Body = &s
	}
	if len(x.Fields) > 0 {
		outs, errs, err := ExtractAll(ctx, ReadabilityInputs(d.Readability), x.Func)
		if err != nil {
			return q, fmt.Errorf("score %s metadata: %w", x.Name, err)
		}
		metas := make([]Meta, len(outs))
		for i, o := range outs {
			metas[i] = o.Meta
		}
		s := ScoreMetadata(d.Readability, metas, errs, x.Fields)
		q.Meta = &s
	}
	return q, nil
}

// RunOptions say what Run measures besides quality.
type RunOptions struct {
	// Runs is how many times each page is extracted per speed
	// measurement; 0 skips speed.
	Runs int
	// OneCore and AllCores select the speed measurements: one worker with
	// GOMAXPROCS=1, and one worker per core.
	OneCore, AllCores bool
}

// Report is everything measured for one extractor.
type Report struct {
	Name     string     `json:"name"`
	Body     *BodyScore `json:"body,omitempty"`
	Meta     *MetaScore `json:"meta,omitempty"`
	OneCore  *Speed     `json:"one_core,omitempty"`
	AllCores *Speed     `json:"all_cores,omitempty"`
	// Texts are the predicted bodies by ScrapingHub page id.
	Texts map[string]string `json:"-"`
}

// Run measures x on d: quality first (which also warms the extractor up),
// then speed over the ScrapingHub pages. It stops early when ctx is done.
func Run(ctx context.Context, d *Data, x Extractor, opts RunOptions) (*Report, error) {
	r, err := RunAll(ctx, d, []Extractor{x}, opts)
	if err != nil {
		return nil, err
	}
	return r[0], nil
}

// RunAll measures several extractors on d in one run: the quality of each
// in turn, then their speeds with passes interleaved (see MeasureSpeeds),
// so their throughputs are comparable even on a machine whose load drifts.
func RunAll(ctx context.Context, d *Data, xs []Extractor, opts RunOptions) ([]*Report, error) {
	reports := make([]*Report, len(xs))
	fns := make([]Func, len(xs))
	for i, x := range xs {
		q, err := MeasureQuality(ctx, d, x)
		if err != nil {
			return nil, err
		}
		reports[i] = &Report{Name: x.Name, Body: q.Body, Meta: q.Meta, Texts: q.Texts}
		fns[i] = x.Func
	}
	if opts.Runs <= 0 {
		return reports, nil
	}
	inputs := ScrapingHubInputs(d.ScrapingHub)
	if opts.OneCore {
		s, err := MeasureSpeeds(ctx, inputs, fns, SpeedOptions{Runs: opts.Runs, Workers: 1})
		if err != nil {
			return nil, fmt.Errorf("measure speed on one core: %w", err)
		}
		for i := range reports {
			reports[i].OneCore = &s[i]
		}
	}
	if opts.AllCores {
		s, err := MeasureSpeeds(ctx, inputs, fns, SpeedOptions{Runs: opts.Runs})
		if err != nil {
			return nil, fmt.Errorf("measure speed on all cores: %w", err)
		}
		for i := range reports {
			reports[i].AllCores = &s[i]
		}
	}
	return reports, nil
}
