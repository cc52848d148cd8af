package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The reason of a takedown is kept without the blanks around it, as the
// article page's form keeps it, whether given to herald delete
// --withhold or herald withheld add; it used to be kept as typed, so
// that "  request 17 " and "request 17" were two reasons, and a reason of
// blanks only was kept as one.
func TestWithheldReasonTrimmed(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	in := filepath.Join(dir, "in.jsonl")
	const u = "https://a.example/news/2026/01/02/one.html"
	if err := os.WriteFile(in, []byte(`{"url":"`+u+`","title":"One","text":"The first story about the harbour and the ferry and the council meeting on Tuesday evening."}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := herald(t, "", "--db", db, "import", "jsonl", in); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := herald(t, "", "--db", db, "delete", "--url", u, "--yes", "--withhold", "--reason", "  request 17 \n"); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := herald(t, "", "--db", db, "withheld", "add", "https://a.example/news/2026/01/03/two.html", "--reason", " \t "); code != 0 {
		t.Fatal(stderr)
	}
	out, stderr, code := herald(t, "", "--db", db, "withheld", "list", "--json")
	if code != 0 || !strings.Contains(out, `"reason":"request 17"}`) || strings.Count(out, `"reason"`) != 1 {
		t.Errorf("withheld list: exit %d\n%s%s\nwant the reason request 17, and none for the other", code, out, stderr)
	}
}
