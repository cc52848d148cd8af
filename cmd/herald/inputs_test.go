package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// importLines imports JSON lines into a new archive in dir and returns its
// path.
func importLines(t *testing.T, dir, lines string) string {
	t.Helper()
	db := filepath.Join(dir, "a.db")
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(lines), 0o644)
	if _, stderr, code := herald(t, "", "--db", db, "import", "jsonl", in); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	return db
}

// TestExportOutTargets: --out never replaces the archive itself, - is
// standard output, a link is followed, and the file gets ordinary
// permissions (or keeps those of the file it replaces).
func TestExportOutTargets(t *testing.T) {
	dir := t.TempDir()
	db := importLines(t, dir, archiveLines(3))
	before, _ := os.ReadFile(db)
	for _, target := range []string{db, db + "-wal"} {
		if _, err := os.Stat(target); err != nil {
			continue // no log file left after a clean close
		}
		_, stderr, code := herald(t, "", "--db", db, "export", "--out", target)
		if code != 2 || !strings.Contains(stderr, "is the archive") {
			t.Errorf("--out %s: exit %d, %q", target, code, stderr)
		}
	}
	t.Setenv("HERALD_DB", db)
	if _, stderr, code := herald(t, "", "export", "--format", "csv", "-o", db); code != 2 || !strings.Contains(stderr, "is the archive") {
		t.Errorf("HERALD_DB and -o: exit %d, %q", code, stderr)
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
		t.Fatal("the archive changed")
	}

	stdout, _, code := herald(t, "", "--db", db, "export", "--out", "-")
	if code != 0 || strings.Count(stdout, "\n") != 3 {
		t.Errorf("--out -: exit %d, %d lines", code, strings.Count(stdout, "\n"))
	}
	if _, err := os.Stat("-"); err == nil {
		os.Remove("-")
		t.Error("--out - wrote a file named -")
	}

	out := filepath.Join(dir, "out.jsonl")
	link := filepath.Join(dir, "link.jsonl")
	os.Symlink("out.jsonl", link) // relative, to a file not made yet
	if _, stderr, code := herald(t, "", "--db", db, "export", "--out", link); code != 0 {
		t.Fatalf("export to a link: %d %s", code, stderr)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	st, err := os.Stat(out)
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("the link's target: %v, mode %v", err, st.Mode())
	}
	os.Chmod(out, 0o640)
	if _, stderr, code := herald(t, "", "--db", db, "export", "--out", out); code != 0 {
		t.Fatalf("export again: %d %s", code, stderr)
	}
	if st, _ := os.Stat(out); st.Mode().Perm() != 0o640 {
		t.Errorf("mode after replacing = %v, want the file's own 0640", st.Mode().Perm())
	}
	if _, stderr, code := herald(t, "", "--db", db, "export", "--format", "text", "--out", "-"); code != 2 || !strings.Contains(stderr, "give --out DIR") {
		t.Errorf("text to -: exit %d, %q", code, stderr)
	}
}

// TestGroupCommandsNeedSubcommand: a group of commands given no
// subcommand, or an unknown one, is a usage error, not its help and 0.
func TestGroupCommandsNeedSubcommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "csv", "data.csv"}, `unknown subcommand "csv" for herald import (want jsonl, text, warc)`},
		{[]string{"import"}, "herald: import needs a subcommand: jsonl, text, warc"},
		{[]string{"source", "frob"}, `unknown subcommand "frob" for herald source`},
		// docs/export.md once wrote it so.
		{[]string{"migrate-archive", "a.db", "b.db"}, "migrate-archive names its archives with flags: herald migrate-archive --from a.db --to b.db"},
	} {
		_, stderr, code := herald(t, "", append([]string{"--db", db}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, %q", c.args, code, stderr)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a usage error created the archive")
	}
	if stdout, _, code := herald(t, "", "import", "--help"); code != 0 || !strings.Contains(stdout, "Available Commands") {
		t.Errorf("import --help: exit %d", code)
	}
}

// TestImportSkipsMissingPaths: a missing file or unreadable folder among
// the arguments of import text is reported and skipped, the rest
// imported; a byte order mark does not cost a JSON lines file its first
// record.
func TestImportSkipsMissingPaths(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus")
	os.MkdirAll(filepath.Join(corpus, "sub"), 0o755)
	os.WriteFile(filepath.Join(corpus, "a.txt"), []byte(" date 2022-02-08 https://example.com/a\n\nHarbour Reopens\n\nThe harbour reopened on Thursday.\n"), 0o644)
	os.WriteFile(filepath.Join(corpus, "sub", "b.txt"), []byte(" date 2022-02-09 https://example.com/b\n\nBridge Closes\n\nThe bridge closed on Friday.\n"), 0o644)
	db := filepath.Join(dir, "a.db")
	missing := filepath.Join(dir, "missing.txt")
	_, stderr, code := herald(t, "", "--db", db, "import", "text", missing, corpus)
	if code != 1 || !strings.Contains(stderr, missing+": skipped: no such file or directory") || !strings.Contains(stderr, "2 new") {
		t.Errorf("import text: exit %d, %q", code, stderr)
	}

	in := filepath.Join(dir, "bom.jsonl")
	os.WriteFile(in, append([]byte("\xEF\xBB\xBF"), archiveLines(2)...), 0o644)
	db2 := filepath.Join(dir, "b.db")
	if _, stderr, code := herald(t, "", "--db", db2, "import", "jsonl", in); code != 0 || !strings.Contains(stderr, "2 new") {
		t.Errorf("jsonl with a byte order mark: exit %d, %q", code, stderr)
	}
}

// TestImportLenientTimes: times as other tools write them import; an
// unreadable one skips its record with a clear message.
func TestImportLenientTimes(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "times.jsonl")
	lines := []string{
		`{"url":"https://a.example/1","title":"One","text":"Harbour text one.","published":""}`,
		`{"url":"https://a.example/2","title":"Two","text":"Harbour text two.","published":"2022-02-08"}`,
		`{"url":"https://a.example/3","title":"Three","text":"Harbour text three.","published":"2022-02-08 10:30:00","modified":null}`,
		`{"url":"https://a.example/4","title":"Four","text":"Harbour text four.","published":"yesterday"}`,
		`{"url":"https://a.example/5","title":"Five","text":"Harbour text five.","published":"2022-02-08T10:30:00+03:00","modified":"2022-02-09T08:00:00Z"}`,
	}
	os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	db := filepath.Join(dir, "a.db")
	_, stderr, code := herald(t, "", "--db", db, "import", "jsonl", in)
	if code != 1 || !strings.Contains(stderr, `times.jsonl:4: skipped`) || !strings.Contains(stderr, `time "yesterday"`) || !strings.Contains(stderr, "4 new") {
		t.Fatalf("import: exit %d, %q", code, stderr)
	}
	out, _, _ := herald(t, "", "--db", db, "export")
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct{ Title, Published, Modified string }
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		got[r.Title] = r.Published + " " + r.Modified
	}
	want := map[string]string{
		"One":   " ",
		"Two":   "2022-02-08T00:00:00Z ",
		"Three": "2022-02-08T10:30:00Z ",
		"Five":  "2022-02-08T10:30:00+03:00 2022-02-09T08:00:00Z",
	}
	for title, w := range want {
		if got[title] != w {
			t.Errorf("%s: published, modified = %q, want %q", title, got[title], w)
		}
	}
}

// TestSearchArguments: the words of a query may come as several
// arguments; a leading - gets a hint; pages past the end say so; --sort
// date is newest first, as sort:date is.
func TestSearchArguments(t *testing.T) {
	db := importLines(t, t.TempDir(), archiveLines(12))
	stdout, stderr, code := herald(t, "", "--db", db, "search", "--json", "harbour", "tag1")
	var res struct{ Total int }
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil || res.Total != 6 {
		t.Errorf("two words: exit %d, total %d, %q", code, res.Total, stderr)
	}
	_, stderr, code = herald(t, "", "--db", db, "search")
	if code != 2 || !strings.Contains(stderr, "herald search '' lists every article") {
		t.Errorf("no query: exit %d, %q", code, stderr)
	}
	_, stderr, code = herald(t, "", "--db", db, "search", "-tag1")
	if code != 2 || !strings.Contains(stderr, "a query that starts with - goes after --") {
		t.Errorf("-tag1: exit %d, %q", code, stderr)
	}
	stdout, stderr, code = herald(t, "", "--db", db, "search", "--json", "--", "harbour", "-tag1")
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil || res.Total != 6 {
		t.Errorf("-- harbour -tag1: exit %d, total %d, %q", code, res.Total, stderr)
	}
	stdout, _, code = herald(t, "", "--db", db, "search", "--limit", "5", "--page", "4", "harbour")
	if code != 0 || !strings.Contains(stdout, "12 stories match; page 4 is past the last (3).") {
		t.Errorf("past the end: exit %d, %q", code, stdout)
	}
	if _, stderr, code := herald(t, "", "--db", db, "search", "--page", "99999999999", "harbour"); code != 2 || !strings.Contains(stderr, "want 1 to") {
		t.Errorf("huge page: exit %d, %q", code, stderr)
	}
	byDate, _, code := herald(t, "", "--db", db, "search", "--json", "--sort", "date", "harbour")
	inQuery, _, _ := herald(t, "", "--db", db, "search", "--json", "harbour sort:date")
	// The same result but for the query echoed.
	unquery := func(s string) string {
		return strings.Replace(s, `"query": "harbour sort:date"`, `"query": "harbour"`, 1)
	}
	if code != 0 || byDate != unquery(inQuery) || !strings.Contains(byDate, `"sort": "newest"`) {
		t.Errorf("--sort date (exit %d) differs from sort:date:\n%s\n%s", code, byDate, inQuery)
	}
	if _, stderr, code := herald(t, "", "--db", db, "timeline", "-x"); code != 2 || !strings.Contains(stderr, "herald timeline -- ") {
		t.Errorf("timeline -x: exit %d, %q", code, stderr)
	}
}

// TestReadURLListBOM: a URL list that starts with a byte order mark
// reads as one without ("\ufeffhttp://… is not an http(s) URL" before).
func TestReadURLListBOM(t *testing.T) {
	path := filepath.Join(t.TempDir(), "urls.txt")
	os.WriteFile(path, []byte("\xEF\xBB\xBFhttps://news.example.org/a.html\r\n# a comment\nhttps://news.example.org/b.html\n"), 0o644)
	got, err := readURLList(&env{}, path)
	if err != nil || len(got) != 2 || got[0] != "https://news.example.org/a.html" {
		t.Errorf("readURLList = %q, %v", got, err)
	}
}

// TestImportJSONLShapeErrors checks that a line of the wrong shape is
// reported in the terms of the line, not of Herald's Go types: which
// field has which JSON type and what it should be.
func TestImportJSONLShapeErrors(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "shapes.jsonl")
	lines := []string{
		`{"url":"https://a.example/1","title":"One","text":"Harbour text one.","authors":"Jane Doe"}`,
		`{"url":5,"title":"Two","text":"Harbour text two."}`,
		`["https://a.example/3"]`,
		`{"url":"https://a.example/4","title":"Four","text":"Harbour text four.","word_count":"many"}`,
		`{"url":"https://a.example/5","title":"Five","text":"Harbour text five."}`,
		`{"url":"https://a.example/6","title":"Six","text":"Harbour text six.","word_count":1.5}`,
		`{"url":"https://a.example/7","title":"Seven","text":"Harbour text seven.","is_accessible_for_free":"yes"}`,
	}
	os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	_, stderr, code := herald(t, "", "--db", filepath.Join(dir, "a.db"), "import", "jsonl", in)
	for _, want := range []string{
		`shapes.jsonl:1: skipped: field "authors" has a string where an array of strings goes`,
		`shapes.jsonl:2: skipped: field "url" has a number where a string goes`,
		`shapes.jsonl:3: skipped: the line is an array, want a JSON object (one record per line)`,
		`shapes.jsonl:4: skipped: field "word_count" has a string where a whole number goes`,
		`shapes.jsonl:6: skipped: field "word_count" has the number 1.5 where a whole number goes`,
		`shapes.jsonl:7: skipped: field "is_accessible_for_free" has a string where true or false goes`,
		"1 new",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if code != 1 || strings.Contains(stderr, "Go struct") || strings.Contains(stderr, "jsonlLine") {
		t.Errorf("exit %d, stderr names Go types:\n%s", code, stderr)
	}
}

// TestImportNothingReadableCreatesNoArchive: an import whose inputs
// cannot any of them be read (a mistyped name, an empty folder) used to
// create an empty archive, which later commands then took for the
// user's; it now reports them and fails with nothing created. Where the
// archive exists, or one input is readable, the import goes on as before.
func TestImportNothingReadableCreatesNoArchive(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "new.db")
	missing := filepath.Join(dir, "typo.jsonl")
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args      []string
		stderrHas []string
	}{
		{[]string{"import", "jsonl", missing}, []string{"herald: " + missing + ": skipped: no such file or directory", "nothing to import: no input could be read"}},
		{[]string{"import", "warc", missing, empty}, []string{"herald: " + missing + ": no such file or directory", "herald: " + empty + ": a folder, not a file"}},
		{[]string{"import", "text", empty}, []string{"nothing to import: no .txt files in the folders given"}},
	} {
		_, stderr, code := herald(t, "", append([]string{"--db", db}, tc.args...)...)
		ok := code == 1
		for _, want := range tc.stderrHas {
			ok = ok && strings.Contains(stderr, want)
		}
		if !ok {
			t.Errorf("%v: exit %d\n%s", tc.args, code, stderr)
		}
		if _, err := os.Stat(db); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%v: the archive was created (%v)", tc.args, err)
		}
	}

	// One readable input: the archive is made and the rest skipped.
	good := filepath.Join(dir, "good.jsonl")
	if err := os.WriteFile(good, []byte(`{"url":"https://news.example/a","title":"A","text":"The harbour reopened on Thursday after three weeks of repairs to the breakwater."}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := herald(t, "", "--db", db, "import", "jsonl", missing, good)
	if code != 1 || !strings.Contains(stderr, "1 new") {
		t.Errorf("one readable input: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("one readable input: no archive (%v)", err)
	}
}
