package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/demo"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/warc"
)

// warcRecords reads every record of WARC files, in order; a damaged
// record fails.
func warcRecords(t *testing.T, files ...string) []*warc.Record {
	t.Helper()
	var recs []*warc.Record
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		rd := warc.NewReader(f)
		for {
			rec, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			recs = append(recs, rec)
		}
		f.Close()
	}
	return recs
}

// responsesOf returns the response records of the WARC file whose target
// URI want accepts, by target URI; every record of the file must have a
// true block digest.
func responsesOf(t *testing.T, file string, want func(uri string) bool) map[string]*warc.Record {
	t.Helper()
	found := map[string]*warc.Record{}
	for _, rec := range warcRecords(t, file) {
		if err := rec.CheckBlockDigest(); err != nil {
			t.Error(err)
		}
		if rec.Type == warc.TypeResponse && want(rec.TargetURI) {
			found[rec.TargetURI] = rec
		}
	}
	return found
}

// warcTargets returns the target URIs of the records of WARC files, and
// how many records stand for erased ones; a damaged record fails.
func warcTargets(t *testing.T, files ...string) (targets map[string]bool, erased int) {
	t.Helper()
	targets = map[string]bool{}
	for _, rec := range warcRecords(t, files...) {
		if rec.IsErased() {
			erased++
		}
		targets[rec.TargetURI] = true
	}
	return targets, erased
}

// herald delete --erase-captures: the harvested page's capture leaves the
// archive's WARC file, whose other pages still re-extract; an article
// imported from the user's WARC file is deleted and its capture left,
// said on stderr, the file untouched; a capture whose file is not where
// the archive says stops the run before deleting, and the run goes
// through once the file is back.
func TestDeleteEraseCapturesCommand(t *testing.T) {
	site := demoSite(t, demo.Options{})
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	harvestJSON(t, db, site+"/feed.xml")
	files, _ := filepath.Glob(db + ".warc/*.warc.gz")
	if len(files) != 1 {
		t.Fatalf("warc files %v", files)
	}
	arts := demo.Articles()
	gone, kept := site+arts[0].Path(), site+arts[1].Path()
	if targets, _ := warcTargets(t, files...); !targets[gone] {
		t.Fatalf("the harvest's WARC file lacks %s", gone)
	}

	// The user's own WARC file, imported.
	w, err := warc.NewWriter(filepath.Join(dir, "mine"), warc.WriterOptions{Prefix: "crawl"})
	if err != nil {
		t.Fatal(err)
	}
	const theirs = "https://elsewhere.example/2026/jane-doe"
	page := "<html><head><title>Jane Doe speaks</title></head><body><article><h1>Jane Doe speaks</h1><p>" +
		strings.Repeat("Jane Doe spoke to the council about the harbour and the ferry fares for a long time. ", 8) + "</p></article></body></html>"
	ref, err := w.WriteExchange(context.Background(), warc.Exchange{TargetURI: theirs, Date: time.Now(),
		ResponseRaw: fmt.Appendf(nil, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s", len(page), page)})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	userFile := filepath.Join(dir, "mine", ref.File)
	if _, stderr, code := herald(t, "", "--db", db, "import", "warc", userFile); code != 0 {
		t.Fatalf("import warc: %s", stderr)
	}
	before, _ := archiveStats(t, db)
	userBytes, err := os.ReadFile(userFile)
	if err != nil {
		t.Fatal(err)
	}

	missing := filepath.Join(dir, "nowhere")
	if _, stderr, code := herald(t, "", "--db", db, "delete", "--url", gone, "--yes", "--erase-captures", "--captures", missing); code != 2 || !strings.Contains(stderr, "--captures "+missing+": no such file or directory") {
		t.Errorf("a --captures folder that is not there: exit %d, %s", code, stderr)
	}
	if _, stderr, code := herald(t, "", "--db", db, "delete", "--url", gone, "--yes", "--captures", dir); code != 2 || !strings.Contains(stderr, "--captures goes with --erase-captures") {
		t.Errorf("--captures alone: exit %d %q", code, stderr)
	}
	out, stderr, code := herald(t, "", "--db", db, "delete", "--url", gone, "--url", theirs, "--dry-run", "--erase-captures")
	if code != 0 || !strings.Contains(out, "captures: 1 capture in 1 WARC file would be erased (0 that no article points at; 1 file searched), 1 left") {
		t.Errorf("dry run: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = herald(t, "", "--db", db, "delete", "--url", gone, "--url", theirs, "--yes", "--erase-captures")
	if code != 0 || !strings.Contains(out, "2 deleted") || !strings.Contains(out, "captures: 1 capture erased (0 that no article pointed at), 2 WARC records overwritten in 1 file, 1 file searched, 1 left") ||
		!strings.Contains(stderr, "left the capture of ") || !strings.Contains(stderr, userFile+" at offset ") || !strings.Contains(stderr, "a WARC file you imported") {
		t.Errorf("--erase-captures: exit %d\n%s%s", code, out, stderr)
	}
	targets, erased := warcTargets(t, files...)
	if targets[gone] || !targets[kept] || erased != 1 {
		t.Errorf("after the erasure, the WARC file holds %s: %v, %s: %v, %d erased records", gone, targets[gone], kept, targets[kept], erased)
	}
	if after, _ := os.ReadFile(userFile); !bytes.Equal(after, userBytes) {
		t.Error("the user's imported WARC file changed")
	}
	out, stderr, code = herald(t, "", "--db", db, "reextract")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d articles", before-2)) || !strings.Contains(out, "0 changed") || !strings.Contains(out, "problems none") {
		t.Errorf("reextract of the others: exit %d\n%s%s", code, out, stderr)
	}

	// The WARC folder moved away: nothing is deleted, and the message
	// says where capture paths were looked for.
	moved := filepath.Join(dir, "elsewhere")
	if err := os.Rename(db+".warc", moved); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := herald(t, "", "--db", db, "delete", "--url", kept, "--dry-run", "--erase-captures"); code != 1 || !strings.Contains(stderr, "no such file") {
		t.Errorf("missing WARC file, dry run: exit %d %q", code, stderr)
	}
	_, stderr, code = herald(t, "", "--db", db, "delete", "--url", kept, "--yes", "--erase-captures")
	if code != 1 || !strings.Contains(stderr, "no such file") || !strings.Contains(stderr, "taken from "+dir) || !strings.Contains(stderr, "was not deleted") {
		t.Errorf("missing WARC file: exit %d %q", code, stderr)
	}
	if n, _ := archiveStats(t, db); n != before-2 {
		t.Errorf("after the refused erasure, %d articles, want %d", n, before-2)
	}
	if err := os.Rename(moved, db+".warc"); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = herald(t, "", "--db", db, "delete", "--url", kept, "--yes", "--erase-captures", "--json")
	if code != 0 || !strings.Contains(out, `"captures":{"erased":1,"records":2,"files":1,"scanned":1,"redacted":3,"redacted_entries":3}`) {
		t.Errorf("--json: exit %d\n%s%s", code, out, stderr)
	}
	if targets, _ := warcTargets(t, files...); targets[kept] {
		t.Errorf("the WARC file still holds %s", kept)
	}
}

// herald delete --erase-captures on a harvest of a feed and a news
// sitemap: the captures of both are redacted in place, the deleted
// article's item and url blanked, the other entries kept byte for byte;
// nothing of the article is left in them (nor its page, nor its summary,
// anywhere in the WARC file), every record reads with true digests at its
// offset, and herald check --fixity finds the archive sound.
func TestDeleteRedactsFeedsCommand(t *testing.T) {
	site := demoSite(t, demo.Options{})
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	harvestJSON(t, db, site+"/feed.xml", site+"/sitemap.xml")
	files, _ := filepath.Glob(db + ".warc/*.warc.gz")
	if len(files) != 1 {
		t.Fatalf("warc files %v", files)
	}
	arts := demo.Articles()
	gone, kept := arts[0], arts[1]
	docs := func() map[string]*warc.Record {
		return responsesOf(t, files[0], func(u string) bool { return u == site+"/feed.xml" || u == site+"/sitemap.xml" })
	}
	before := docs()
	if len(before) != 2 || !strings.Contains(string(before[site+"/feed.xml"].Payload), html.EscapeString(gone.Title)) {
		t.Fatalf("the harvest's feed and sitemap captures: %v", before)
	}
	beforeBytes, _ := os.ReadFile(files[0])

	out, stderr, code := herald(t, "", "--db", db, "delete", "--url", site+gone.Path(), "--yes", "--erase-captures")
	// The feed, the sitemap and the two pages whose related lists link
	// to the article.
	if code != 0 || !strings.Contains(out, "; feeds, sitemaps and pages naming them: 4 captures redacted (4 entries and links blanked)\n") {
		t.Fatalf("delete: exit %d\n%s%s", code, out, stderr)
	}
	// Nothing of the page is left, not even in other pages' links.
	text := plainWARC(t, files[0])
	for _, g := range []string{gone.Title, html.EscapeString(gone.Title), gone.Summary, html.EscapeString(gone.Summary), gone.Path()} {
		if strings.Contains(text, g) {
			t.Errorf("the WARC file still holds %q", g)
		}
	}
	for u, rec := range docs() {
		for _, g := range []string{html.EscapeString(gone.Title), gone.Path()} {
			if strings.Contains(string(rec.Block), g) {
				t.Errorf("%s still holds %q", u, g)
			}
		}
	}
	if !strings.Contains(text, html.EscapeString(kept.Title)) {
		t.Errorf("the WARC file lost %q", kept.Title)
	}
	after := docs()
	for u, rec := range after {
		if rec.RecordID != before[u].RecordID || rec.Offset != before[u].Offset || rec.Header.Get(warc.RedactedField) == "" {
			t.Errorf("%s: record %s at %d (%s %q), was %s at %d", u, rec.RecordID, rec.Offset, warc.RedactedField,
				rec.Header.Get(warc.RedactedField), before[u].RecordID, before[u].Offset)
		}
		// Only spaces where bytes changed.
		old := before[u].Payload
		if len(rec.Payload) != len(old) {
			t.Fatalf("%s: payload of %d bytes, was %d", u, len(rec.Payload), len(old))
		}
		changed := 0
		for i := range old {
			if rec.Payload[i] != old[i] {
				changed++
				if rec.Payload[i] != ' ' {
					t.Fatalf("%s: byte %d is %q, not a blank", u, i, rec.Payload[i])
				}
			}
		}
		if changed == 0 {
			t.Errorf("%s: nothing blanked", u)
		}
	}
	if info, _ := os.Stat(files[0]); info.Size() != int64(len(beforeBytes)) {
		t.Errorf("the WARC file went from %d to %d bytes", len(beforeBytes), info.Size())
	}
	out, stderr, code = herald(t, "", "--db", db, "check", "--fixity")
	if code != 0 || !strings.Contains(out, "captures         sound") {
		t.Errorf("check --fixity: exit %d\n%s%s", code, out, stderr)
	}
	// Again: nothing more to redact.
	out, stderr, code = herald(t, "", "--db", db, "delete", "--url", site+kept.Path(), "--dry-run", "--erase-captures")
	if code != 0 || !strings.Contains(out, "feeds, sitemaps and pages naming them: 4 captures would be redacted") {
		t.Errorf("dry run for another article: exit %d\n%s%s", code, out, stderr)
	}
}

// plainWARC decompresses a whole gzip-per-record file, as zcat does.
func plainWARC(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// On PostgreSQL, captures are named relative to the working folder (a
// fleet's ./herald.warc): herald delete --erase-captures run from that
// folder erases them, and the other pages still re-extract.
func TestDeleteEraseCapturesPostgres(t *testing.T) {
	pg := pgtest.Schema(t)
	site := demoSite(t, demo.Options{})
	dir := t.TempDir()
	t.Chdir(dir)
	harvestJSON(t, pg, site+"/feed.xml")
	files, _ := filepath.Glob(filepath.Join(dir, "herald.warc", "*.warc.gz"))
	if len(files) != 1 {
		t.Fatalf("warc files %v", files)
	}
	before, _ := archiveStats(t, pg)
	gone := site + demo.Articles()[2].Path()
	out, stderr, code := herald(t, "", "--db", pg, "delete", "--url", gone, "--yes", "--erase-captures")
	if code != 0 || !strings.Contains(out, "captures: 1 capture erased") {
		t.Errorf("delete: exit %d\n%s%s", code, out, stderr)
	}
	if targets, erased := warcTargets(t, files...); targets[gone] || erased != 1 {
		t.Errorf("after the erasure the WARC file holds %s: %v (%d erased records)", gone, targets[gone], erased)
	}
	out, stderr, code = herald(t, "", "--db", pg, "reextract", "--dry-run")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d articles", before-1)) || !strings.Contains(out, "problems none") {
		t.Errorf("reextract: exit %d\n%s%s", code, out, stderr)
	}
}

// herald delete --erase-captures --dry-run counts what the real run then
// does: of two articles, one captured in the archive's WARC file and one
// whose capture lies in a WARC file Herald did not write (an
// uncompressed one, imported as JSON lines from another tool), the dry
// run counts one capture to erase, in one file, and one left, as the run
// with --yes then erases one and leaves the other. It used to count both
// as erased, in two files.
func TestDeleteDryRunCountsForeignFiles(t *testing.T) {
	db, u, _ := harbourArchive(t, "The city harbour reopened on Thursday.")
	dir := filepath.Dir(db)
	files, _ := filepath.Glob(db + ".warc/*.warc.gz")
	if len(files) != 1 {
		t.Fatalf("warc files %v", files)
	}
	// The same records, uncompressed: a WARC file another tool wrote.
	foreign := filepath.Join(dir, "theirs.warc")
	if err := os.WriteFile(foreign, []byte(plainWARC(t, files[0])), 0o644); err != nil {
		t.Fatal(err)
	}
	var resp *warc.Record
	for _, rec := range warcRecords(t, foreign) {
		if rec.Type == warc.TypeResponse {
			resp = rec
			break
		}
	}
	if resp == nil {
		t.Fatal("no response record")
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	const other = "https://elsewhere.example/2026/05/harbour-reopens.html"
	res, err := archive.Ingest(ctx, st, []*store.Record{{
		Article: article.Article{URL: other, Title: "Harbour reopens elsewhere", Text: "The harbour reopened, another tool says."},
		Source:  "https://elsewhere.example/feed.xml",
		Capture: &store.Capture{File: "theirs.warc", Offset: resp.Offset, RecordID: resp.RecordID},
	}})
	st.Close()
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res)
	}
	theirs := res[0].ID
	ours, _, err := urlID(u)
	if err != nil {
		t.Fatal(err)
	}

	summary := func(args ...string) (sum struct{ Captures archive.CaptureSummary }, stderr string) {
		t.Helper()
		out, stderr, code := herald(t, "", append([]string{"--db", db, "delete", "--id", ours, "--id", theirs, "--erase-captures", "--json"}, args...)...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != 0 || len(lines) != 3 {
			t.Fatalf("delete %v: exit %d\n%s%s", args, code, out, stderr)
		}
		if err := json.Unmarshal([]byte(lines[2]), &sum); err != nil {
			t.Fatal(err)
		}
		return sum, stderr
	}
	dry, dryErr := summary("--dry-run")
	real, realErr := summary("--yes")
	t.Logf("dry run %+v\nreal run %+v", dry.Captures, real.Captures)
	if d, r := dry.Captures, real.Captures; d.Erased != 1 || d.Files != 1 || len(d.Left) != 1 ||
		d.Erased != r.Erased || d.Files != r.Files || d.Records != r.Records || len(d.Left) != len(r.Left) || d.Scanned != r.Scanned {
		t.Errorf("the dry run's counts differ from the run's, or are not 1 erased in 1 file and 1 left")
	}
	for s, verb := range map[string]string{dryErr: "would leave", realErr: "left"} {
		if !strings.Contains(s, "herald: "+verb+" the capture of "+theirs+" in "+foreign+" at offset") || !strings.Contains(s, "not a WARC file a harvest wrote") {
			t.Errorf("stderr %q: want the foreign capture listed as %s", s, verb)
		}
	}
}
