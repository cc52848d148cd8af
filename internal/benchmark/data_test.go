package benchmark

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// testDataDir is where the package's tests find the benchmark data:
// $HERALD_BENCH_DIR, else ../shared/bench beside the repository root.
func testDataDir(tb testing.TB) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	return FindDataDir(os.Getenv(EnvDataDir), wd)
}

func TestFindDataDir(t *testing.T) {
	root := t.TempDir()
	write := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	repo := filepath.Join(root, "main")
	write(filepath.Join(repo, "go.mod"), "// comment\nmodule github.com/herald-archive/herald\n\ngo 1.26\n")
	write(filepath.Join(repo, "bench", "go.mod"), "module github.com/herald-archive/herald/bench\n")
	deep := filepath.Join(repo, "bench", "cmd", "compare")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(root, "shared", "bench")

	if got := FindDataDir("/explicit", deep); got != "/explicit" {
		t.Errorf("explicit dir: got %q", got)
	}
	if got := FindDataDir("", deep); got != want {
		t.Errorf("from nested module: got %q, want %q", got, want)
	}
	if got := FindDataDir("", repo); got != want {
		t.Errorf("from root: got %q, want %q", got, want)
	}
	other := filepath.Join(root, "elsewhere")
	if got := FindDataDir("", other); got != filepath.Join(root, "shared", "bench") {
		t.Errorf("outside the repo: got %q", got)
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope"))
	if !errors.Is(err, ErrNoData) {
		t.Errorf("Load(missing) = %v, want ErrNoData", err)
	}
	empty := t.TempDir()
	if err := os.MkdirAll(filepath.Join(empty, "scrapinghub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(empty); !errors.Is(err, ErrNoData) {
		t.Errorf("Load(no ground truth) = %v, want ErrNoData", err)
	}
}

func TestLoadPredictionsForms(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.json")
	wrapped := filepath.Join(dir, "wrapped.json")
	os.WriteFile(plain, []byte(`{"id1": {"articleBody": "text one"}}`), 0o644)
	os.WriteFile(wrapped, []byte(`{"version": "1", "output": {"id1": {"articleBody": "text two"}}}`), 0o644)
	for path, want := range map[string]string{plain: "text one", wrapped: "text two"} {
		m, err := LoadPredictions(path)
		if err != nil {
			t.Fatal(err)
		}
		if m["id1"] != want || len(m) != 1 {
			t.Errorf("%s: got %v", filepath.Base(path), m)
		}
	}
	os.WriteFile(plain, []byte(`[1,2]`), 0o644)
	if _, err := LoadPredictions(plain); err == nil {
		t.Error("LoadPredictions accepted a JSON array")
	}
}

func TestLoadData(t *testing.T) {
	d, err := Load(testDataDir(t))
	if errors.Is(err, ErrNoData) {
		t.Skipf("benchmark data absent: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(d.ScrapingHub) != 181 {
		t.Errorf("%d ScrapingHub pages, want 181", len(d.ScrapingHub))
	}
	if len(d.Readability) != 130 {
		t.Errorf("%d Readability cases, want 130", len(d.Readability))
	}
	for _, p := range d.ScrapingHub {
		if len(p.HTML) == 0 || p.Truth == "" || p.Ref.Shingles() == 0 {
			t.Errorf("page %s: empty html or truth", p.ID)
		}
	}
}
