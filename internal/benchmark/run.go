package benchmark

import "fmt"

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
// end a benchmark run.
func ExtractAll(inputs []Input, fn Func) ([]Output, []error) {
	out := make([]Output, len(inputs))
	errs := make([]error, len(inputs))
	for i, in := range inputs {
		out[i], errs[i] = safeCall(fn, in)
	}
	return out, errs
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
	Body *BodyScore `json:"body,omitempty"`
	Meta *MetaScore `json:"meta,omitempty"`
	// Texts are the predicted bodies by page id (for --jsonl dumps).
	Texts map[string]string `json:"-"`
}

// MeasureQuality extracts every page of d with x and scores the bodies
// (ScrapingHub) and the metadata x provides (Readability).
func MeasureQuality(d *Data, x Extractor) Quality {
	var q Quality
	if !x.NoBody {
		outs, errs := ExtractAll(ScrapingHubInputs(d.ScrapingHub), x.Func)
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
		outs, errs := ExtractAll(ReadabilityInputs(d.Readability), x.Func)
		metas := make([]Meta, len(outs))
		for i, o := range outs {
			metas[i] = o.Meta
		}
		s := ScoreMetadata(d.Readability, metas, errs, x.Fields)
		q.Meta = &s
	}
	return q
}
