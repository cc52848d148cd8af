package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-archive/herald/article"
)

// TestImportJSONLCaptureRefsElsewhere: JSON lines exported from one
// archive and imported into another (in another folder) keep their
// capture references, which name the first archive's WARC files. The
// import says how many records came with a capture reference whose file
// is not where this archive looks for it, and names the first; copied
// there, the files are found and the import says nothing. A capture
// read through such a reference is then refused where another file of
// the same name holds another record (TestCaptureNotInThisArchive,
// TestReextractCaptureNotInThisArchive).
func TestImportJSONLCaptureRefsElsewhere(t *testing.T) {
	const u = "https://gazette.example/news/2026/05/04/harbour-reopens.html"
	page := `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Harbour reopens</title></head>
<body><article><h1>Harbour reopens</h1><p>` + strings.Repeat("The city harbour reopened on Thursday after three weeks of repairs. ", 6) + `</p></article></body></html>`
	old := capturedArchive(t, u, page, article.Article{URL: u, Title: "Harbour reopens", Text: "The harbour story."})
	export := filepath.Join(t.TempDir(), "export.jsonl")
	if _, stderr, code := herald(t, "", "--db", old, "export", "--out", export); code != 0 {
		t.Fatalf("export: exit %d %s", code, stderr)
	}
	b, err := os.ReadFile(export)
	if err != nil || !strings.Contains(string(b), `"capture":{"file":"old.db.warc/`) {
		t.Fatalf("the export holds no capture reference: %s (%v)", b, err)
	}
	// A record without one is not counted.
	if err := os.WriteFile(export, append(b, []byte(`{"url":"https://elsewhere.example/a","title":"A","text":"No capture."}`+"\n")...), 0o644); err != nil {
		t.Fatal(err)
	}

	newDir := t.TempDir()
	db := filepath.Join(newDir, "new.db")
	_, stderr, code := herald(t, "", "--db", db, "import", "jsonl", export)
	want := "1 record came with a capture reference to a WARC file that is not where this archive looks for it (" +
		filepath.Join(newDir, "old.db.warc") + string(filepath.Separator)
	if code != 0 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "docs/export.md") {
		t.Errorf("import: exit %d\n%s\nwant exit 0 and %q", code, stderr, want)
	}

	// With the WARC folder copied along, nothing to say.
	warcs, err := os.ReadDir(old + ".warc")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(newDir, "old.db.warc"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range warcs {
		b, err := os.ReadFile(filepath.Join(old+".warc", f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(newDir, "old.db.warc", f.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db2 := filepath.Join(newDir, "new2.db")
	if _, stderr, code := herald(t, "", "--db", db2, "import", "jsonl", export); code != 0 || strings.Contains(stderr, "capture reference") {
		t.Errorf("import with the files copied: exit %d\n%s\nwant no word of capture references", code, stderr)
	}
	if out, stderr, code := herald(t, "", "--db", db2, "reextract"); code != 0 || !strings.Contains(out, u+": ") || strings.Contains(out, "capture unreadable") || strings.Contains(out, "capture not in") {
		t.Errorf("reextract with the files copied: exit %d\n%s%s", code, out, stderr)
	}
}
