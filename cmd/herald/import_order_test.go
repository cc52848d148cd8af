package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// import jsonl reports the lines it skips in line order, whether a line
// is refused as it is read (not JSON) or when its batch is stored (no
// URL): they came out of order, the lines refused on reading first.
func TestImportSkipsInLineOrder(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "bad.jsonl")
	lines := archiveLines(3)
	os.WriteFile(in, []byte(lines[:len(lines)-1]+"\n"+
		"not json\n"+ // 4
		`{"title":"No url","text":"A record without the URL of its page, on line five."}`+"\n"+ // 5
		`{"url":"https://example.org/a/6","title":"Six","text":"The sixth line is a sound record about the harbour."}`+"\n"+
		`{"url":"notaurl","title":"Seven","text":"The seventh line has a URL that is not one."}`+"\n"+ // 7
		`{"url":"https://example.org/a/8"`+"\n"), 0o644) // 8
	_, stderr, code := herald(t, "", "--db", filepath.Join(dir, "a.db"), "import", "jsonl", in)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got []int
	for _, m := range regexp.MustCompile(`bad\.jsonl:(\d+): skipped`).FindAllStringSubmatch(stderr, -1) {
		n, _ := strconv.Atoi(m[1])
		got = append(got, n)
	}
	if want := []int{4, 5, 7, 8}; len(got) != len(want) || got[0] != 4 || got[1] != 5 || got[2] != 7 || got[3] != 8 {
		t.Errorf("skipped lines reported as %v, want %v:\n%s", got, want, stderr)
	}
}
