package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	// The zones below, in the test binary, on machines without a zoneinfo
	// database (a fresh CI machine may lack Debian's tzdata).
	_ "time/tzdata"
)

// readFolder returns the files of dir by name.
func readFolder(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	return files
}

// exportTextEnv, in the environment of a copy of the test binary, has
// TestExportTextDatesInUTC export the archive it names to a folder:
// "DB\nFOLDER".
const exportTextEnv = "HERALD_TEST_EXPORT_TEXT"

// exportTextIn writes the text export of db to out in a process whose
// time zone is tz. time.Local is read by every goroutine, so the test
// cannot change it in its own process.
func exportTextIn(t *testing.T, tz, db, out string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestExportTextDatesInUTC$", "-test.count=1")
	cmd.Env = append(os.Environ(), "TZ="+tz, exportTextEnv+"="+db+"\n"+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("export in TZ %s: %v\n%s", tz, err, b)
	}
}

// A text export dates files and headers by the UTC day, as the archive
// files articles (after:, before:, timelines), not by the zone the
// publisher declared; its bytes do not depend on the machine's zone; and
// a corpus read back keeps each article on its day.
func TestExportTextDatesInUTC(t *testing.T) {
	if spec := os.Getenv(exportTextEnv); spec != "" {
		db, out, _ := strings.Cut(spec, "\n")
		if tz := os.Getenv("TZ"); time.Local.String() != tz {
			t.Fatalf("time.Local is %s, not TZ %s", time.Local, tz)
		}
		if _, stderr, code := herald(t, "", "--db", db, "export", "--format", "text", "--out", out); code != 0 {
			t.Fatalf("export: exit %d\n%s", code, stderr)
		}
		return
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(`{"url":"https://a.example/late-vote","title":"Late council vote","published":"2025-03-01T23:30:00-05:00","text":"The council voted late at night on the harbour budget after a long debate.\n\nA second paragraph on what the vote means for the town."}
{"url":"https://b.example/early-ferry","title":"Early ferry in fog","published":"2025-03-02T00:30:00+09:00","text":"The first ferry of the morning left the quay in thick fog with a handful aboard.\n\nAnother paragraph on the ferry timetable and the fog."}
`), 0o644)
	if _, stderr, code := herald(t, "", "--db", db, "import", "jsonl", in); code != 0 {
		t.Fatalf("import: exit %d\n%s", code, stderr)
	}
	corpus := filepath.Join(dir, "corpus")
	if _, stderr, code := herald(t, "", "--db", db, "export", "--format", "text", "--out", corpus); code != 0 {
		t.Fatalf("export: exit %d\n%s", code, stderr)
	}
	first := readFolder(t, corpus)
	// The same bytes again, and in zones where the stored offsets are
	// the machine's own (stored times are then parsed into time.Local).
	for i, tz := range []string{"", "America/New_York", "Asia/Tokyo", "Pacific/Kiritimati"} {
		out := filepath.Join(dir, fmt.Sprintf("again%d", i))
		if tz == "" {
			if _, stderr, code := herald(t, "", "--db", db, "export", "--format", "text", "--out", out); code != 0 {
				t.Fatalf("export again: exit %d\n%s", code, stderr)
			}
		} else {
			exportTextIn(t, tz, db, out)
		}
		files := readFolder(t, out)
		if len(files) != len(first) {
			t.Fatalf("TZ %q: %d files, %d at first", tz, len(files), len(first))
		}
		for name, text := range first {
			if files[name] != text {
				t.Errorf("TZ %q: %s is %q, at first %q", tz, name, files[name], text)
			}
		}
	}
	var names []string
	for name, text := range first {
		names = append(names, name)
		if day := name[:len(time.DateOnly)]; !strings.HasPrefix(text, " date "+day+" ") {
			t.Errorf("%s begins %q: the header's date differs from the name's", name, text[:min(len(text), 40)])
		}
		switch {
		case strings.Contains(text, "a.example/late-vote") && !strings.HasPrefix(name, "2025-03-02-"),
			strings.Contains(text, "b.example/early-ferry") && !strings.HasPrefix(name, "2025-03-01-"):
			t.Errorf("%s: not named by its UTC day:\n%s", name, text)
		}
	}
	if len(names) != 2 {
		t.Fatalf("files %q, want 2", names)
	}
	// Read back, each article is on the day it was on.
	db2 := filepath.Join(dir, "b.db")
	if _, stderr, code := herald(t, "", "--db", db2, "import", "text", corpus); code != 0 {
		t.Fatalf("import text: exit %d\n%s", code, stderr)
	}
	for _, d := range []string{db, db2} {
		out, stderr, code := herald(t, "", "--db", d, "search", "after:2025-03-02 before:2025-03-03")
		if code != 0 || !strings.Contains(out, "Late council vote") || strings.Contains(out, "Early ferry") {
			t.Errorf("%s: articles of 2 March (UTC): exit %d\n%s%s", filepath.Base(d), code, out, stderr)
		}
	}
}
