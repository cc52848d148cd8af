package textcorpus

import (
	"slices"
	"testing"
)

func TestBylineNames(t *testing.T) {
	tests := []struct {
		in   string
		want []string // nil: not a byline
	}{
		{"By Jane Doe", []string{"Jane Doe"}},
		{"BY JANE DOE", []string{"JANE DOE"}},
		{"By Jane Doe and John Smith", []string{"Jane Doe", "John Smith"}},
		{"By Jane Doe, John Smith and Ana Lima", []string{"Jane Doe", "John Smith", "Ana Lima"}},
		{"By Jane Doe, Staff Writer", []string{"Jane Doe"}},
		{"By Jane Doe, Reuters", []string{"Jane Doe"}},
		{"By Jan van der Berg", []string{"Jan van der Berg"}},
		{"By J. R. Smith", []string{"J. R. Smith"}},
		{"By Jane Q. Doe-Lee", []string{"Jane Q. Doe-Lee"}},
		{"Von Anna Müller und Jörg Weber", []string{"Anna Müller", "Jörg Weber"}},
		{"Par Marie Dupont", []string{"Marie Dupont"}},
		{"Por María José García", []string{"María José García"}},
		// not bylines
		{"By Reuters", nil},
		{"By Staff Writers", nil},
		{"By the end of the week, talks had stalled.", nil},
		{"By then the harbour was closed", nil},
		{"By car and by train", nil},
		{"By Jane", nil},
		{"By Jane Doe: the harbour reopens", nil},
		{"Jane Doe", nil},
		{"By jane@example.com", nil},
		{"By ", nil},
		{"By Jane Doe (photos)", nil},
		{"By A Very Long Name Of Many Words Here", nil},
	}
	for _, tt := range tests {
		got, ok := bylineNames(tt.in)
		if ok != (tt.want != nil) || !slices.Equal(got, tt.want) {
			t.Errorf("bylineNames(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}
