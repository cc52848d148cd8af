package benchmark

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ModulePath is the module whose root FindDataDir looks for.
const ModulePath = "github.com/herald-archive/herald"

// EnvDataDir is the environment variable that names the benchmark data
// directory; callers read it and pass its value to FindDataDir.
const EnvDataDir = "HERALD_BENCH_DIR"

// ErrNoData is returned (wrapped) when the benchmark data directory or one
// of its sets is missing. Tests skip on it; commands report it.
var ErrNoData = errors.New("benchmark data not found")

// FindDataDir returns the benchmark data directory: explicit when it is
// not empty (a --data flag, else $HERALD_BENCH_DIR), otherwise
// ../shared/bench relative to the root of the Herald module found by
// walking up from start (the nested bench module is skipped, since its
// module path differs), otherwise ../shared/bench relative to start. It
// does not check that the directory exists; Load does.
func FindDataDir(explicit, start string) string {
	if explicit != "" {
		return explicit
	}
	for dir := start; ; {
		if isHeraldRoot(dir) {
			return filepath.Join(dir, "..", "shared", "bench")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return filepath.Join(start, "..", "shared", "bench")
}

// isHeraldRoot reports whether dir holds the go.mod of ModulePath.
func isHeraldRoot(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "module"); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`) == ModulePath
		}
	}
	return false
}

// Page is one ScrapingHub page with its true body.
type Page struct {
	// ID is the page id (the file name before ".html.gz").
	ID string
	// URL is the page's original address, from the ground truth.
	URL string
	// HTML is the decompressed page.
	HTML []byte
	// Truth is the annotated article body.
	Truth string
	// Ref is Truth prepared for scoring.
	Ref *Reference
}

// File is the page's file name, as the independent scorer's -jsonl mode
// expects it in the "input" field.
func (p *Page) File() string { return p.ID + ".html.gz" }

// LoadScrapingHub reads the ScrapingHub set from dir (the "scrapinghub"
// folder of the data directory): ground-truth.json and html/<id>.html.gz
// for every id in it, sorted by id.
func LoadScrapingHub(dir string) ([]Page, error) {
	truth, err := readGroundTruth(dir)
	if err != nil {
		return nil, err
	}
	pages := make([]Page, 0, len(truth))
	for id, t := range truth {
		html, err := readGzip(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			return nil, noData("load scrapinghub page", err)
		}
		pages = append(pages, Page{ID: id, URL: t.URL, HTML: html, Truth: t.ArticleBody, Ref: NewReference(t.ArticleBody)})
	}
	slices.SortFunc(pages, func(a, b Page) int { return strings.Compare(a.ID, b.ID) })
	return pages, nil
}

// LoadTruth reads only the ground truth of the ScrapingHub set in dir,
// prepared for scoring and sorted by id: enough to score prediction files.
func LoadTruth(dir string) ([]Truth, error) {
	truth, err := readGroundTruth(dir)
	if err != nil {
		return nil, err
	}
	out := make([]Truth, 0, len(truth))
	for id, t := range truth {
		out = append(out, Truth{ID: id, URL: t.URL, Ref: NewReference(t.ArticleBody)})
	}
	slices.SortFunc(out, func(a, b Truth) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

type groundTruth struct {
	ArticleBody string `json:"articleBody"`
	URL         string `json:"url"`
}

func readGroundTruth(dir string) (map[string]groundTruth, error) {
	b, err := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	if err != nil {
		return nil, noData("load scrapinghub", err)
	}
	var truth map[string]groundTruth
	if err := json.Unmarshal(b, &truth); err != nil {
		return nil, fmt.Errorf("load scrapinghub ground truth: %w", err)
	}
	return truth, nil
}

// Truths returns the pages' prepared truths for ScoreBodies.
func Truths(pages []Page) []Truth {
	t := make([]Truth, len(pages))
	for i, p := range pages {
		t[i] = Truth{ID: p.ID, URL: p.URL, Ref: p.Ref}
	}
	return t
}

func readGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, zr); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return buf.Bytes(), nil
}

// LoadPredictions reads a published prediction file of the ScrapingHub set
// (scrapinghub/output/<tool>.json): {id: {"articleBody": ...}}, possibly
// wrapped as {"version": ..., "output": {...}}.
func LoadPredictions(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load predictions: %w", err)
	}
	type body struct {
		ArticleBody string `json:"articleBody"`
	}
	var wrapped struct {
		Output map[string]body `json:"output"`
	}
	m := map[string]body{}
	if err := json.Unmarshal(b, &wrapped); err == nil && wrapped.Output != nil {
		m = wrapped.Output
	} else if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("load predictions %s: %w", path, err)
	}
	out := make(map[string]string, len(m))
	for id, v := range m {
		out[id] = v.ArticleBody
	}
	return out, nil
}

// ReadabilityURL is the page URL Readability.js's test suite gives every
// fixture; extractors get it so relative links resolve the same way.
const ReadabilityURL = "http://fakehost/test/page.html"

// Expected is a Readability fixture's expected-metadata.json. Empty
// strings stand for null.
type Expected struct {
	Title         string `json:"title"`
	Byline        string `json:"byline"`
	Lang          string `json:"lang"`
	SiteName      string `json:"siteName"`
	PublishedTime string `json:"publishedTime"`
}

// Case is one Readability fixture.
type Case struct {
	// Name is the fixture's folder name.
	Name     string
	HTML     []byte
	Expected Expected
}

// LoadReadability reads the Readability fixtures from dir (the
// "readability" folder of the data directory): every sub-folder with a
// source.html and an expected-metadata.json, sorted by name.
func LoadReadability(dir string) ([]Case, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, noData("load readability", err)
	}
	var cases []Case
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, e.Name(), "source.html"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load readability case %s: %w", e.Name(), err)
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name(), "expected-metadata.json"))
		if err != nil {
			return nil, fmt.Errorf("load readability case %s: %w", e.Name(), err)
		}
		c := Case{Name: e.Name(), HTML: src}
		if err := json.Unmarshal(b, &c.Expected); err != nil {
			return nil, fmt.Errorf("load readability case %s: %w", e.Name(), err)
		}
		cases = append(cases, c)
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("load readability: %w: no cases in %s", ErrNoData, dir)
	}
	return cases, nil
}

// Data is the whole benchmark data set.
type Data struct {
	Dir         string
	ScrapingHub []Page
	Readability []Case
}

// Load reads both sets from the data directory dir.
func Load(dir string) (*Data, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a directory (give --data DIR or set %s)", ErrNoData, dir, EnvDataDir)
	}
	sh, err := LoadScrapingHub(filepath.Join(dir, "scrapinghub"))
	if err != nil {
		return nil, err
	}
	rd, err := LoadReadability(filepath.Join(dir, "readability"))
	if err != nil {
		return nil, err
	}
	return &Data{Dir: dir, ScrapingHub: sh, Readability: rd}, nil
}

// noData wraps a missing-file error with ErrNoData so callers can skip.
func noData(what string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w: %w", what, ErrNoData, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
