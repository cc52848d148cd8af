package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/text/encoding/charmap"

	"github.com/herald-archive/herald/internal/export"
)

// herald runs the real CLI in-process and returns stdout, stderr and the
// exit status.
func herald(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

const examplePage = "../../examples/harbour-reopens.html"

func TestExtractOneFile(t *testing.T) {
	out, stderr, code := herald(t, "", "extract", "--no-detect-language", "--url", "https://gazette.example.org/2021/06/03/harbour-reopens.html", examplePage)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	if rec["title"] != "Harbour reopens after storm repairs" {
		t.Errorf("title = %v", rec["title"])
	}
	if _, ok := rec["input"]; ok {
		t.Errorf("single input must not carry \"input\"")
	}
	text, _ := rec["text"].(string)
	if !strings.Contains(text, "breakwater had been rebuilt") || strings.Contains(text, "Share on") {
		t.Errorf("text = %q", text)
	}
}

func TestExtractSeveralInputsWithFailure(t *testing.T) {
	dir := t.TempDir()
	gz := filepath.Join(dir, "page.html.gz")
	src, err := os.ReadFile(examplePage)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(src)
	zw.Close()
	if err := os.WriteFile(gz, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(dir, "doc.pdf")
	os.WriteFile(pdf, []byte("%PDF-1.4 binary"), 0o644)

	out, _, code := herald(t, string(src), "extract", "--no-detect-language", examplePage, filepath.Join(dir, "missing.html"), gz, pdf, "-")
	if code != 1 {
		t.Errorf("exit %d, want 1 when an input fails", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 {
		t.Fatalf("got %d lines, want one per input:\n%s", len(lines), out)
	}
	wantErr := []bool{false, true, false, true, false}
	for i, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if rec["input"] == nil {
			t.Errorf("line %d has no input field", i+1)
		}
		_, hasErr := rec["error"]
		if hasErr != wantErr[i] {
			t.Errorf("line %d (%v): error present = %v, want %v", i+1, rec["input"], hasErr, wantErr[i])
		}
	}
}

func TestExtractBadUsage(t *testing.T) {
	for _, args := range [][]string{
		{"extract"},
		{"extract", "--format", "xml", examplePage},
		{"extract", "--url", "ftp://x", examplePage},
		{"extract", "-", "-"},
	} {
		_, stderr, code := herald(t, "", args...)
		if code == 0 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want a message and non-zero exit", args, code, stderr)
		}
	}
}

func TestExtractTextAndMarkdown(t *testing.T) {
	out, _, code := herald(t, "", "extract", "--no-detect-language", "--format", "text", "--url", "https://gazette.example.org/2021/06/03/harbour-reopens.html", examplePage)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.HasPrefix(out, " date 2021-06-03 https://gazette.example.org/2021/06/03/harbour-reopens.html\n\nHarbour reopens after storm repairs\n\n") {
		t.Errorf("text format:\n%s", out)
	}
	out, _, code = herald(t, "", "extract", "--no-detect-language", "--format", "markdown", examplePage)
	if code != 0 || !strings.HasPrefix(out, "# Harbour reopens after storm repairs\n") {
		t.Errorf("markdown (exit %d):\n%s", code, out)
	}
}

// archiveLines builds JSON lines of n distinct articles across sites.
func archiveLines(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		rec := map[string]any{
			"url":       fmt.Sprintf("https://site%d.example/2024/05/%02d/story-%d.html", i%3, i%28+1, i),
			"title":     fmt.Sprintf("Story number %d about the harbour", i),
			"published": fmt.Sprintf("2024-05-%02dT10:00:00Z", i%28+1),
			"authors":   []string{"Mara Quill"},
			"tags":      []string{"harbour", fmt.Sprintf("tag%d", i%2)},
			"language":  "en",
			"text":      fmt.Sprintf("Paragraph one of story %d tells of ships %d and tides.\n\nParagraph two adds the council's view on berth %d, and a quote from the harbour master about number %d.", i, i*7, i*13, i*31),
		}
		j, _ := json.Marshal(rec)
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestImportSearchExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	in := filepath.Join(dir, "in.jsonl")
	data := archiveLines(30)
	// A malformed line in the middle is reported and skipped.
	lines := strings.SplitAfter(data, "\n")
	data = strings.Join(lines[:10], "") + "{not json\n" + strings.Join(lines[10:], "")
	os.WriteFile(in, []byte(data), 0o644)

	_, stderr, code := herald(t, "", "--db", db, "import", "jsonl", in)
	if code != 1 || !strings.Contains(stderr, "in.jsonl:11") || !strings.Contains(stderr, "30 new") ||
		!strings.Contains(stderr, "1 record or file skipped") {
		t.Fatalf("import: exit %d, stderr:\n%s", code, stderr)
	}
	// Importing again stores nothing twice.
	_, stderr, _ = herald(t, "", "--db", db, "import", "jsonl", in)
	if !strings.Contains(stderr, "0 new") || !strings.Contains(stderr, "30 unchanged") {
		t.Errorf("re-import:\n%s", stderr)
	}

	out, _, code := herald(t, "", "--db", db, "search", "--json", "harbour site:site1.example")
	if code != 0 {
		t.Fatalf("search exit %d", code)
	}
	// The search API's shape (docs/api.md): the store's highlight
	// markers in the snippet, and the snippet split into parts.
	var res struct {
		Query string `json:"query"`
		Sort  string `json:"sort"`
		Total int    `json:"total"`
		Hits  []struct {
			Snippet string `json:"snippet"`
			Parts   []struct {
				Text  string `json:"text"`
				Match bool   `json:"match"`
			} `json:"snippet_parts"`
		} `json:"hits"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Total != 10 || res.Query != "harbour site:site1.example" || res.Sort != "relevance" || len(res.Hits) == 0 {
		t.Fatalf("search: total %d, query %q, sort %q, %d hits; want 10, the query, relevance", res.Total, res.Query, res.Sort, len(res.Hits))
	}
	for _, h := range res.Hits {
		var joined strings.Builder
		matched := 0
		for _, p := range h.Parts {
			joined.WriteString(p.Text)
			if p.Match {
				matched++
				if !strings.EqualFold(p.Text, "harbour") {
					t.Errorf("matched part %q", p.Text)
				}
			}
		}
		if matched == 0 || !strings.Contains(h.Snippet, "\u0002") || strings.Contains(h.Snippet, "<<") ||
			joined.String() != strings.NewReplacer("\u0002", "", "\u0003", "").Replace(h.Snippet) {
			t.Errorf("snippet %q, parts %+v", h.Snippet, h.Parts)
		}
	}
	_, stderr, code = herald(t, "", "--db", db, "search", `harbour "unclosed`)
	if code != 2 || !strings.Contains(stderr, "column") {
		t.Errorf("bad query: exit %d, %q", code, stderr)
	}

	e1, _, _ := herald(t, "", "--db", db, "export")
	e2, _, _ := herald(t, "", "--db", db, "export")
	if e1 != e2 || strings.Count(e1, "\n") != 30 {
		t.Fatalf("export not stable or incomplete (%d lines)", strings.Count(e1, "\n"))
	}
	db2 := filepath.Join(dir, "b.db")
	if _, stderr, code := herald(t, e1, "--db", db2, "import", "jsonl", "-"); code != 0 {
		t.Fatalf("re-import of export: %d %s", code, stderr)
	}
	e3, _, _ := herald(t, "", "--db", db2, "export")
	if e3 != e1 {
		t.Errorf("export → import → export changed the records")
	}

	csvOut, _, _ := herald(t, "", "--db", db, "export", "--format", "csv", "tag:tag1")
	if !strings.HasPrefix(csvOut, strings.Join(export.Columns, ",")+"\n") || strings.Count(csvOut, "https://") < 15 {
		t.Errorf("csv export:\n%.400s", csvOut)
	}
	tdir := filepath.Join(dir, "corpus")
	if _, stderr, code := herald(t, "", "--db", db, "export", "--format", "text", "--out", tdir); code != 0 {
		t.Fatalf("text export: %s", stderr)
	}
	files, _ := filepath.Glob(filepath.Join(tdir, "2024-05-*.txt"))
	if len(files) != 30 {
		t.Errorf("text export wrote %d files, want 30", len(files))
	}

	tl, _, code := herald(t, "", "--db", db, "timeline", "--json", "--by", "month", "harbour")
	if code != 0 || !strings.Contains(tl, `"count": 30`) {
		t.Errorf("timeline: %s", tl)
	}
}

func TestReadCommandsNeedAnArchive(t *testing.T) {
	db := filepath.Join(t.TempDir(), "missing.db")
	for _, args := range [][]string{{"stats"}, {"search", "x"}, {"export"}, {"timeline"}} {
		_, stderr, code := herald(t, "", append([]string{"--db", db}, args...)...)
		if code == 0 || !strings.Contains(stderr, "no archive") {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("a read command created %s", db)
	}
}

// An export that cannot write where --out points names the user's path
// and the reason (not the temporary file it writes first), and leaves
// nothing behind.
func TestExportOutErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(archiveLines(3)), 0o644)
	if _, stderr, code := herald(t, "", "--db", db, "import", "jsonl", in); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	missing := filepath.Join(dir, "no-such-folder", "out.csv")
	_, stderr, code := herald(t, "", "--db", db, "export", "--format", "csv", "--out", missing)
	if code != 2 || !strings.Contains(stderr, "cannot write "+missing+": the folder "+filepath.Dir(missing)+" does not exist") {
		t.Errorf("missing folder: exit %d, %q", code, stderr)
	}
	below := filepath.Join(in, "out.csv")
	_, stderr, code = herald(t, "", "--db", db, "export", "--format", "csv", "--out", below)
	if code != 2 || !strings.Contains(stderr, "cannot write "+below+": "+in+" is a file, not a folder") {
		t.Errorf("below a file: exit %d, %q", code, stderr)
	}
	folder := filepath.Join(dir, "folder")
	os.Mkdir(folder, 0o755)
	_, stderr, code = herald(t, "", "--db", db, "export", "--out", folder)
	if code != 2 || !strings.Contains(stderr, "is a folder") {
		t.Errorf("folder: exit %d, %q", code, stderr)
	}
	if left, _ := os.ReadDir(folder); len(left) != 0 {
		t.Errorf("export left %d files in %s", len(left), folder)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("export left temporary files: %v", left)
	}
}

func TestImportNoisyText(t *testing.T) {
	dir := t.TempDir()
	noisy := " date 2022-02-08 https://example-news.com/20220208/talks-helped-avoid-escalation-1092846822.html\n\n" +
		"Talks Helped Avoid Further Escalation, President Says\n\nTalks Helped Avoid Further Escalation, President Says\n\n" +
		"2022-02-08T10:30+0000\n\n/html/head/meta[@name='og:title']/@content\n\n" +
		"The president arrived on Monday to meet his counterpart.The spokesman said talks would go on.\n\n" +
		"Example News feedback@example-news.com +74950000000  252 60   1920 1080 true   en_EN\n"
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte(noisy), 0o644)
	db := filepath.Join(dir, "a.db")
	if _, stderr, code := herald(t, "", "--db", db, "import", "text", dir); code != 0 {
		t.Fatalf("import text: %d %s", code, stderr)
	}
	out, _, _ := herald(t, "", "--db", db, "export")
	var rec map[string]any
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["title"] != "Talks Helped Avoid Further Escalation, President Says" || rec["language"] != "en" {
		t.Errorf("record: %v", rec)
	}
	text, _ := rec["text"].(string)
	if !strings.Contains(text, "counterpart.\n\nThe spokesman") || strings.Contains(text, "xpath") || strings.Contains(text, "/html/head") {
		t.Errorf("text = %q", text)
	}
}

// TestImportTextEncodings: files that are not UTF-8 are read in the
// encoding they look like and the closing lines say so; one whose
// encoding cannot be told is skipped with a hint, and --encoding names
// the encoding (an unknown name is refused before anything is read).
func TestImportTextEncodings(t *testing.T) {
	dir := t.TempDir()
	ru := " date 2022-02-08 https://novosti.example.ru/a\n\nПереговоры завершились без соглашения\n\n" +
		"Делегации покинули столицу во вторник, так и не договорившись о спорных пунктах пропуска. " +
		"Следующий раунд переговоров, по словам представителей обеих сторон, состоится в марте.\n"
	cp1251, err := charmap.Windows1251.NewEncoder().String(ru)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte(cp1251), 0o644)
	junk := []byte(" date 2022-02-08 https://x.example/c\n\n")
	for i := range 300 {
		junk = append(junk, byte(0x80+(i*37)%128))
	}
	os.WriteFile(filepath.Join(dir, "b.txt"), junk, 0o644)
	db := filepath.Join(dir, "a.db")

	_, stderr, code := herald(t, "", "--db", db, "import", "text", "--encoding", "klingon", dir)
	if code != 2 || !strings.Contains(stderr, `--encoding: unknown encoding "klingon"`) {
		t.Errorf("unknown encoding: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("an unknown encoding created the archive")
	}
	_, stderr, code = herald(t, "", "--db", db, "import", "text", dir)
	if code != 1 || !strings.Contains(stderr, "b.txt: skipped") || !strings.Contains(stderr, "name it with --encoding") ||
		!strings.Contains(stderr, "1 file as windows-1251") {
		t.Errorf("import: exit %d, %q", code, stderr)
	}
	out, _, code := herald(t, "", "--db", db, "search", "--json", "переговоров")
	if code != 0 || !strings.Contains(out, "Переговоры завершились без соглашения") {
		t.Errorf("search: exit %d, %s", code, out)
	}
	// Named, the same file is the same article: unchanged.
	_, stderr, code = herald(t, "", "--db", db, "import", "text", "--encoding", "cp1251", filepath.Join(dir, "a.txt"))
	if code != 0 || !strings.Contains(stderr, "1 unchanged") || strings.Contains(stderr, "look like") {
		t.Errorf("--encoding cp1251: exit %d, %q", code, stderr)
	}
}

// A command given too few or too many arguments says what it takes, from
// its usage line, rather than cobra's count of "arg(s)" or its "unknown
// command" for an argument of a command that takes none; the command is
// named once after the one "herald:" prefix.
func TestArgumentErrorsSayWhatIsWanted(t *testing.T) {
	db := filepath.Join(t.TempDir(), "herald.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"extract"}, "herald: extract needs INPUT... (see herald extract --help)\n"},
		{[]string{"import", "jsonl"}, "herald: import jsonl needs FILE... (see herald import jsonl --help)\n"},
		{[]string{"import", "text"}, "herald: import text needs FILE|DIR... (see herald import text --help)\n"},
		{[]string{"import", "warc"}, "herald: import warc needs FILE|URL... | --list FILE|URL (see herald import warc --help)\n"},
		{[]string{"source", "add"}, "herald: source add needs URL (see herald source add --help)\n"},
		{[]string{"source", "add", "https://a.example/feed", "https://b.example/feed"},
			"herald: source add takes URL, not 2 arguments: [\"https://a.example/feed\" \"https://b.example/feed\"]\n"},
		{[]string{"source", "pause"}, "herald: source pause needs ID (see herald source pause --help)\n"},
		{[]string{"withheld", "add"}, "herald: withheld add needs URL... (see herald withheld add --help)\n"},
		{[]string{"withheld", "release"}, "herald: withheld release needs (URL | ID)... (see herald withheld release --help)\n"},
		{[]string{"import"}, "herald: import needs a subcommand: jsonl, text, warc (see herald import --help)\n"},
		{[]string{"stats", "extra"}, "herald: stats takes no arguments, not [\"extra\"] (see herald stats --help)\n"},
		{[]string{"import", "text", "a.txt", "-"}, "herald: import text reads files, not standard input (-): save it to a file first\n"},
		{[]string{"import", "warc", "-"}, "herald: import warc reads files, not standard input (-): save it to a file first\n"},
		{[]string{"delete", "site:a.example", "--dry-run", "--yes"}, "herald: --dry-run and --yes: choose one (--dry-run lists what would be deleted, --yes deletes it)\n"},
		{[]string{"source", "list", "a", "b"}, "herald: source list takes no arguments, not [\"a\" \"b\"] (see herald source list --help)\n"},
	} {
		_, stderr, code := herald(t, "", append([]string{"--db", db}, tc.args...)...)
		if code != 2 || stderr != tc.want {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a refused command created the archive")
	}
}

// TestFlagValueErrorsSayWhatIsWanted runs every command with a value of
// the wrong kind for each of its numeric, boolean and duration flags,
// and with each flag that takes a value given none: the error names the
// flag and says what it wants, in one line, without the parser's wording
// (`invalid argument "abc" for "--limit" flag: strconv.ParseInt: …`), and
// the exit status is 2.
func TestFlagValueErrorsSayWhatIsWanted(t *testing.T) {
	db := filepath.Join(t.TempDir(), "herald.db")
	bad := map[string]string{"int": "abc", "int64": "1.5", "uint": "-1", "uint64": "x", "float64": "many",
		"bool": "maybe", "duration": "10"}
	want := map[string]string{"int": "want a whole number", "int64": "want a whole number", "uint": "want a whole number, 0 or more",
		"uint64": "want a whole number, 0 or more", "float64": "want a number", "bool": "want true or false",
		"duration": "want a duration such as 500ms, 30s, 5m or 2h"}
	root, _ := newRootCmd(strings.NewReader(""), io.Discard, io.Discard)
	checked := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if !c.Runnable() || c.Name() == "help" {
			return
		}
		path := strings.Fields(c.CommandPath())[1:]
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if v, ok := bad[f.Value.Type()]; ok {
				args := append(append([]string{"--db", db}, path...), "--"+f.Name+"="+v)
				_, stderr, code := herald(t, "", args...)
				w := fmt.Sprintf("herald: --%s %q: %s", f.Name, v, want[f.Value.Type()])
				if code != 2 || !strings.HasPrefix(stderr, w) || strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, "strconv") {
					t.Errorf("%v: exit %d, stderr %q; want 2 and %q", args, code, stderr, w)
				}
				checked++
			}
			if f.NoOptDefVal == "" {
				args := append(append([]string{"--db", db}, path...), "--"+f.Name)
				_, stderr, code := herald(t, "", args...)
				w := fmt.Sprintf("herald: --%s needs a value: %s\n", f.Name, f.Usage)
				if code != 2 || stderr != w {
					t.Errorf("%v: exit %d, stderr %q; want 2 and %q", args, code, stderr, w)
				}
			}
		})
	}
	walk(root)
	_, stderr, code := herald(t, "", "--db", db, "search", "--limit", "99999999999999999999", "x")
	if w := "herald: --limit \"99999999999999999999\": out of range\n"; code != 2 || stderr != w {
		t.Errorf("--limit out of range: exit %d, stderr %q; want 2 and %q", code, stderr, w)
	}
	if checked < 40 {
		t.Errorf("checked %d flags; the walk missed the command tree", checked)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a refused command created the archive")
	}
}

// TestUnknownFlagErrors: an unknown flag is named with where to look; a
// command whose arguments are a query also says how to give a query term
// that starts with "-".
func TestUnknownFlagErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "herald.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"stats", "--nope"}, "herald: unknown flag --nope (see herald stats --help)\n"},
		{[]string{"source", "add", "-x", "https://a.example/"}, "herald: unknown flag -x (see herald source add --help)\n"},
		{[]string{"search", "-zebra"}, "herald: unknown flag -z in -zebra (see herald search --help; a query that starts with - goes after --: herald search -- '-word …')\n"},
		{[]string{"timeline", "--from", "2024-01-01"}, "herald: unknown flag --from (see herald timeline --help; a query that starts with - goes after --: herald timeline -- '-word …')\n"},
	} {
		_, stderr, code := herald(t, "", append([]string{"--db", db}, tc.args...)...)
		if code != 2 || stderr != tc.want {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestFileErrorsNameTheFileOnce: a file argument that is missing or a
// folder is reported once, by the name given, with the reason (not
// "x: open x: …" or "read x: read x: …"), and so are an address to listen
// on and a URL to extract; a folder among several WARC
// files is skipped like a missing one (exit 1), not the end of the import.
func TestFileErrorsNameTheFileOnce(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	folder := filepath.Join(dir, "folder")
	os.Mkdir(folder, 0o755)
	missing := filepath.Join(dir, "missing")
	if _, _, code := herald(t, "", "--db", db, "migrate"); code != 0 {
		t.Fatal("migrate failed")
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"extract", missing}, 1, "herald: " + missing + ": no such file or directory\n"},
		{[]string{"extract", folder}, 1, "herald: " + folder + ": a folder, not a file\n"},
		{[]string{"import", "jsonl", missing}, 1, "herald: " + missing + ": skipped: no such file or directory\n"},
		{[]string{"import", "jsonl", folder}, 1, "herald: " + folder + ": skipped: a folder, not a file\n"},
		{[]string{"import", "warc", missing}, 1, "herald: " + missing + ": no such file or directory\n"},
		{[]string{"import", "warc", folder, missing}, 1, "herald: " + folder + ": a folder, not a file\n"},
		{[]string{"harvest", "--urls", missing}, 2, "herald: --urls " + missing + ": no such file or directory\n"},
		{[]string{"harvest", "--urls", folder}, 2, "herald: --urls " + folder + ": a folder, not a file\n"},
		{[]string{"serve", "--addr", "nonsense"}, 2, "herald: --addr nonsense: missing port in address\n"},
		{[]string{"extract", "https://127.0.0.1:1/"}, 1, "herald: https://127.0.0.1:1/: private address refused (give --allow-private"},
	} {
		_, stderr, code := herald(t, "", append([]string{"--db", db}, tc.args...)...)
		if code != tc.code || !strings.HasPrefix(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q first", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}

// TestURLArgumentErrors: a URL argument that is refused is named once,
// with what is wanted, not with the canonicaliser's or the fetcher's
// own repetition of it ("--url "x": canonicalise url "x": not absolute").
func TestURLArgumentErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	if _, _, code := herald(t, "", "--db", db, "migrate"); code != 0 {
		t.Fatal("migrate failed")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"delete", "--url", "notaurl", "--yes"}, "herald: --url \"notaurl\": want an absolute http or https URL\n"},
		{[]string{"delete", "--url", "ftp://x.example/a", "--yes"}, "herald: --url \"ftp://x.example/a\": want an http or https URL\n"},
		{[]string{"withheld", "add", "ftp://x.example/a"}, "herald: \"ftp://x.example/a\": want an http or https URL\n"},
		{[]string{"withheld", "add", "https:///path"}, "herald: \"https:///path\": want an absolute http or https URL\n"},
		{[]string{"source", "add", "https://127.0.0.1:1/feed"},
			"herald: detect kind of https://127.0.0.1:1/feed: private address refused (give --allow-private for a site on your own network; harvests of it need it too)\n"},
	} {
		_, stderr, code := herald(t, "", append([]string{"--db", db}, tc.args...)...)
		if code != 2 || stderr != tc.want {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestHelpAndCompletionUsage: help for a command that does not exist and
// completion for a shell it does not know fail (exit 2) as any unknown
// subcommand does, where cobra printed the usage and exited 0; the right
// uses still work.
func TestHelpAndCompletionUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"help", "nosuch"}, "herald: no help topic \"nosuch\" (see herald --help)\n"},
		{[]string{"help", "import", "csv"}, "herald: no help topic \"import csv\" (see herald --help)\n"},
		{[]string{"completion"}, "herald: completion needs a subcommand: bash, fish, powershell, zsh (see herald completion --help)\n"},
		{[]string{"completion", "nosh"}, "herald: unknown subcommand \"nosh\" for herald completion (want bash, fish, powershell, zsh)\n"},
	} {
		out, stderr, code := herald(t, "", tc.args...)
		if code != 2 || stderr != tc.want || out != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want 2 and %q", tc.args, code, stderr, clipText(out), tc.want)
		}
	}
	for _, args := range [][]string{{"help"}, {"help", "search"}, {"help", "import", "jsonl"}, {"completion", "bash"}} {
		out, stderr, code := herald(t, "", args...)
		if code != 0 || stderr != "" || out == "" {
			t.Errorf("%v: exit %d, stderr %q, %d bytes out; want 0 and the output", args, code, stderr, len(out))
		}
	}
}

// clipText is s cut to 200 bytes, for messages.
func clipText(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// TestUnknownArchiveScheme: a --db (or migrate-archive --from/--to) URL
// of a kind Herald does not know (mysql://, a mistyped postgress://) is
// refused as such, without echoing its password, where it was taken for a
// SQLite file path ("no archive at mysql://…").
func TestUnknownArchiveScheme(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	if _, _, code := herald(t, "", "--db", db, "migrate"); code != 0 {
		t.Fatal("migrate failed")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--db", "mysql://u:secret@db.example/news", "stats"},
			"herald: archive location mysql://…: Herald does not know that kind of database: want a SQLite file path, sqlite:PATH or postgres://…\n"},
		{[]string{"--db", "postgress://u:secret@db.example/news", "search", "x"},
			"herald: archive location postgress://…: Herald does not know that kind of database: want a SQLite file path, sqlite:PATH or postgres://…\n"},
		{[]string{"--db", db, "migrate-archive", "--from", db, "--to", "mysql://u:secret@db.example/news"},
			"herald: destination: archive location mysql://…: Herald does not know that kind of database: want a SQLite file path, sqlite:PATH or postgres://…\n"},
	} {
		_, stderr, code := herald(t, "", tc.args...)
		if code != 2 || stderr != tc.want {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestFolderFlags: a flag naming a folder is checked before the command
// starts: serve's --captures must be a folder that exists (it served with
// every capture link broken), and --warc-dir may not be a file (the
// harvest failed with "warc writer: mkdir F: not a directory").
func TestFolderFlags(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	missing := filepath.Join(dir, "missing")
	if _, _, code := herald(t, "", "--db", db, "migrate"); code != 0 {
		t.Fatal("migrate failed")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--addr", "127.0.0.1:0", "--captures", missing}, "herald: --captures " + missing + ": no such file or directory\n"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--captures", file}, "herald: --captures " + file + ": a file, not a folder\n"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--admin-token", "0123456789abcdef0123", "--warc-dir", file}, "herald: --warc-dir " + file + ": a file, not a folder\n"},
		{[]string{"harvest", "--warc-dir", file}, "herald: --warc-dir " + file + ": a file, not a folder\n"},
		{[]string{"worker", "--nats", "nats://127.0.0.1:1", "--warc-dir", file}, "herald: --warc-dir " + file + ": a file, not a folder\n"},
	} {
		// Cancelled: a server or worker that starts in spite of the
		// flag stops at once rather than hanging the test.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var errb bytes.Buffer
		code := run(ctx, append([]string{"--db", db}, tc.args...), strings.NewReader(""), io.Discard, &errb)
		if stderr := errb.String(); code != 2 || stderr != tc.want {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestWorkerUsageErrors: herald worker's and queue dead's refusals read
// as the other commands' do: one "herald:", then the flag and what it
// wants, before any connection is tried.
func TestWorkerUsageErrors(t *testing.T) {
	t.Setenv("HERALD_DB", "")
	db := filepath.Join(t.TempDir(), "a.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"worker", "--nats", "nats://127.0.0.1:1"}, "herald: worker writes to the fleet's shared archive: give --db DSN (or set HERALD_DB)\n"},
		{[]string{"--db", db, "worker", "--nats", "nats://127.0.0.1:1", "--max-deliver", "0"}, "herald: --max-deliver 0: want 1 or more\n"},
		{[]string{"--db", db, "worker", "--nats", "nats://127.0.0.1:1", "--ack-wait", "500ms"}, "herald: --ack-wait 500ms: want 1s or more\n"},
		{[]string{"queue", "dead", "--nats", "nats://127.0.0.1:1", "--limit", "-5"}, "herald: --limit -5: want 0 (all) or more\n"},
		// Zero or less was taken for the default.
		{[]string{"--db", db, "worker", "--nats", "nats://127.0.0.1:1", "--drain-timeout", "0"}, "herald: --drain-timeout 0s: want more than 0\n"},
		{[]string{"--db", db, "worker", "--nats", "nats://127.0.0.1:1", "--lease-ttl", "-1m"}, "herald: --lease-ttl -1m0s: want more than 0\n"},
	} {
		_, stderr, code := herald(t, "", tc.args...)
		if code != 2 || stderr != tc.want {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// The closing line of an export counts in words that agree with the
// count: one article is "1 article" (it said "1 articles"), and so is one
// near-duplicate copy left out.
func TestExportCountsInWords(t *testing.T) {
	db := filepath.Join(t.TempDir(), "herald.db")
	if _, stderr, code := herald(t, archiveLines(1), "--db", db, "import", "jsonl", "-"); code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export"}, "exported 1 article\n"},
		{[]string{"export", "--collapse"}, "exported 1 article; 0 near-duplicate copies left out\n"},
	} {
		_, stderr, code := herald(t, "", append([]string{"--db", db}, c.args...)...)
		if code != 0 || stderr != c.want {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
		}
	}
}

// A JSON lines record that cannot be filed is skipped with a message a
// user can act on: which field is missing or wrong, without the
// importer's inner words. It said `prepare "": no usable http(s) URL`.
func TestImportNamesTheMissingURL(t *testing.T) {
	db := filepath.Join(t.TempDir(), "herald.db")
	in := `{"title":"No address","text":"A record without any url at all."}` + "\n" +
		`{"url":"ftp://files.example/a.txt","title":"FTP","text":"A record with an ftp url."}` + "\n"
	_, stderr, code := herald(t, in, "--db", db, "import", "jsonl", "-")
	for _, want := range []string{
		`-:1: skipped: no url: a record needs the http(s) URL of its page`,
		`-:2: skipped: url "ftp://files.example/a.txt": want an http(s) URL`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if code != 1 || strings.Contains(stderr, "prepare") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}

// A --urls file that is not a list of URLs (a binary file, a JSON lines
// file given by mistake) is refused naming its first line in short: the
// message quoted the whole line, hundreds of escaped bytes.
func TestURLListBadLineQuotedShort(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "list.txt")
	junk := `{"url":"http://x.example/a","title":"` + strings.Repeat("long title words ", 40) + `"}`
	if err := os.WriteFile(list, []byte(junk+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := herald(t, "", "--db", filepath.Join(dir, "herald.db"), "harvest", "--urls", list)
	if code != 2 || !strings.Contains(stderr, list+`:1: "{\"url\":\"http://x.example/a\"`) ||
		!strings.Contains(stderr, `…" is not an http(s) URL`) || len(stderr) > 200 {
		t.Errorf("exit %d, stderr (%d bytes):\n%s", code, len(stderr), stderr)
	}
}

// TestSearchSortArchived: --sort archived (and sort:archived) lists the
// articles in the order the archive stored them, latest first, whatever
// their dates; the answer names the sort.
func TestSearchSortArchived(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	// archiveLines dates story i on day i%28+1: stored 10 to 14, they are
	// dated 11 to 15 May; stored last, story 30 is dated 3 May.
	lines := strings.SplitAfter(archiveLines(31), "\n")
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(strings.Join(lines[10:15], "")+lines[30]), 0o644)
	if _, stderr, code := herald(t, "", "--db", db, "import", "jsonl", in); code != 0 {
		t.Fatalf("import: exit %d\n%s", code, stderr)
	}
	order := func(args ...string) (string, []string) {
		t.Helper()
		out, stderr, code := herald(t, "", append([]string{"--db", db, "search", "--json"}, args...)...)
		if code != 0 {
			t.Fatalf("search %q: exit %d\n%s", args, code, stderr)
		}
		var res struct {
			Sort string `json:"sort"`
			Hits []struct {
				Record struct {
					Title string `json:"title"`
				} `json:"record"`
			} `json:"hits"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, h := range res.Hits {
			titles = append(titles, strings.TrimPrefix(strings.TrimSuffix(h.Record.Title, " about the harbour"), "Story number "))
		}
		return res.Sort, titles
	}
	archived := []string{"30", "14", "13", "12", "11", "10"}
	for _, args := range [][]string{{"--sort", "archived", "harbour"}, {"harbour sort:archived"}, {"--sort", "archived", "lang:en"}} {
		if sort, got := order(args...); sort != "archived" || !slices.Equal(got, archived) {
			t.Errorf("search %q: %s order %v, want archived %v", args, sort, got, archived)
		}
	}
	if sort, got := order("--sort", "newest", "harbour"); sort != "newest" || !slices.Equal(got, []string{"14", "13", "12", "11", "10", "30"}) {
		t.Errorf("newest: %s %v", sort, got)
	}
}
