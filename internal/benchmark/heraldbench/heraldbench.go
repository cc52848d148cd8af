// Package heraldbench adapts Herald's extractor to the benchmark harness:
// it turns extract.Extract into a benchmark.Extractor. It lives apart from
// package benchmark so that the extract package's own tests can use the
// harness without an import cycle.
package heraldbench

import (
	"github.com/herald-archive/herald/extract"
	"github.com/herald-archive/herald/internal/benchmark"
)

// Name is how Herald appears in reports.
const Name = "herald " + extract.Version

// Extractor returns Herald's extractor with the given base options; each
// page's URL is filled in from the benchmark input. Herald provides every
// scored metadata field.
func Extractor(opts extract.Options) benchmark.Extractor {
	return benchmark.Extractor{
		Name:   Name,
		Fields: benchmark.AllFields,
		Func: func(in benchmark.Input) (benchmark.Output, error) {
			o := opts
			o.URL = in.URL
			res, err := extract.Extract(in.HTML, o)
			if err != nil {
				return benchmark.Output{}, err
			}
			return Output(res), nil
		},
	}
}

// Output converts an extraction result to what the benchmark reads.
func Output(res *extract.Result) benchmark.Output {
	a := &res.Article
	return benchmark.Output{
		Text: a.Text,
		Meta: benchmark.Meta{
			Title:     a.Title,
			Authors:   a.Authors,
			Language:  a.Language,
			Published: a.Published,
			SiteName:  a.SiteName,
		},
	}
}
