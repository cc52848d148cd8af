package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
)

// herald delete refuses to run without --dry-run or --yes, without a
// selection, or with a bad one, before opening the archive; a dry run
// lists and keeps; --yes deletes what the query or the URLs name and
// nothing else, the copies of a deleted article staying; an unknown URL
// deletes nothing.
func TestDeleteCommand(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "del.db")
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	story := "The ferry operator raised fares by a tenth from June, blaming fuel costs, and spared season tickets until the autumn, when the new timetable starts."
	var recs []*store.Record
	for i, u := range []string{"https://one.example/fares", "https://two.example/fares", "https://wrong.example/a", "https://wrong.example/b", "https://three.example/library"} {
		text := story
		switch {
		case strings.Contains(u, "wrong"):
			text = "A page from a site harvested by mistake, number " + u[len(u)-1:] + ", about nothing the archive wants to keep."
		case strings.Contains(u, "library"):
			text = "The library opens on Sundays from next month, with longer hours in winter for students."
		}
		recs = append(recs, &store.Record{Article: article.Article{URL: u, Title: "Title " + u[8:], Text: text,
			Published: time.Date(2024, 5, i+1, 0, 0, 0, 0, time.UTC)}})
	}
	if _, err := archive.Ingest(ctx, st, recs); err != nil {
		t.Fatal(err)
	}
	st.Close()
	count := func(q string) int {
		t.Helper()
		out, stderr, code := herald(t, "", "--db", db, "search", "--json", "--all-copies", q)
		if code != 0 && code != 1 {
			t.Fatalf("search %q: exit %d %s", q, code, stderr)
		}
		return strings.Count(out, `"id"`)
	}
	if n := count(""); n != 5 {
		t.Fatalf("%d articles archived, want 5", n)
	}

	missing := filepath.Join(t.TempDir(), "missing.db")
	for _, args := range [][]string{
		{"site:wrong.example"},                       // neither --dry-run nor --yes
		{"site:wrong.example", "--dry-run", "--yes"}, // both
		{"--yes"}, // nothing named
		{"site:wrong.example", "--url", "https://wrong.example/a", "--yes"},
		{"--url", "mailto:a@b", "--yes"},
		{`"unclosed`, "--yes"},
		{"x", "--yes", "--batch", "0"},
	} {
		if _, stderr, code := herald(t, "", append([]string{"--db", missing, "delete"}, args...)...); code != 2 || stderr == "" {
			t.Errorf("delete %v: exit %d, %q; want a clear refusal", args, code, stderr)
		}
	}

	out, stderr, code := herald(t, "", "--db", db, "delete", "site:wrong.example", "--dry-run")
	if code != 0 || strings.Count(out, "https://wrong.example/") != 2 || !strings.Contains(out, "2 articles matched, 2 would be deleted (dry run") {
		t.Errorf("--dry-run: exit %d\n%s%s", code, out, stderr)
	}
	if n := count("site:wrong.example"); n != 2 {
		t.Errorf("after a dry run, %d articles of wrong.example, want 2", n)
	}
	out, stderr, code = herald(t, "", "--db", db, "delete", "site:wrong.example", "--yes")
	if code != 0 || !strings.Contains(out, "2 articles matched, 2 deleted") {
		t.Errorf("--yes: exit %d\n%s%s", code, out, stderr)
	}
	if n := count("site:wrong.example"); n != 0 {
		t.Errorf("after delete, %d articles of wrong.example, want 0", n)
	}

	// A known URL and an unknown one: nothing goes.
	_, stderr, code = herald(t, "", "--db", db, "delete", "--url", "https://one.example/fares", "--url", "https://nowhere.example/x", "--yes")
	if code != 1 || !strings.Contains(stderr, "no archived article has the URL https://nowhere.example/x (nothing was deleted)") {
		t.Errorf("unknown URL: exit %d %q", code, stderr)
	}
	if n := count("ferry"); n != 2 {
		t.Errorf("after a refused delete, %d copies of the story, want 2", n)
	}
	// The first of a story's two copies: the other stays, alone now.
	out, stderr, code = herald(t, "", "--db", db, "delete", "--url", "https://one.example/fares?utm_source=x", "--yes", "--json")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var d archive.Deleted
	var sum archive.DeleteSummary
	if code != 0 || len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &d) != nil || json.Unmarshal([]byte(lines[1]), &sum) != nil ||
		d.URL != "https://one.example/fares" || d.Copies != 1 || sum.Deleted != 1 || sum.Matched != 1 {
		t.Errorf("--url --json: exit %d\n%s%s", code, out, stderr)
	}
	out, _, _ = herald(t, "", "--db", db, "search", "--json", "--all-copies", "ferry")
	if !strings.Contains(out, "https://two.example/fares") || strings.Contains(out, "https://one.example/fares") {
		t.Errorf("after deleting one copy, the story's search:\n%s", out)
	}
	out, _, _ = herald(t, "", "--db", db, "stats")
	if !strings.Contains(out, "articles            2\n") {
		t.Errorf("stats after deletes:\n%s", out)
	}
}

// herald delete --withhold keeps a takedown out: a later import of an
// export made before skips it (counted as withheld), herald withheld
// lists it with its reason, keeps out a URL not archived yet, refuses
// one that is, and releases them, after which the import archives the
// article again.
func TestWithheldCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "kept.db")
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var recs []*store.Record
	for i, u := range []string{"https://paper.example/a", "https://paper.example/b"} {
		recs = append(recs, &store.Record{Article: article.Article{URL: u, Title: "Story " + u[len(u)-1:],
			Text:      "A story about " + u[len(u)-1:] + " that the paper ran in May, with quotes from the people concerned and a long second paragraph.",
			Published: time.Date(2024, 5, i+1, 0, 0, 0, 0, time.UTC)}})
	}
	if _, err := archive.Ingest(ctx, st, recs); err != nil {
		t.Fatal(err)
	}
	st.Close()
	export := filepath.Join(dir, "before.jsonl")
	if _, stderr, code := herald(t, "", "--db", db, "export", "--format", "jsonl", "--out", export); code != 0 {
		t.Fatalf("export: %s", stderr)
	}

	if _, stderr, code := herald(t, "", "--db", db, "delete", "--url", "https://paper.example/a", "--yes", "--reason", "x"); code != 2 || !strings.Contains(stderr, "--reason goes with --withhold") {
		t.Errorf("--reason alone: exit %d %q", code, stderr)
	}
	out, stderr, code := herald(t, "", "--db", db, "delete", "--url", "https://paper.example/a", "--yes", "--withhold", "--reason", "takedown request 17")
	if code != 0 || !strings.Contains(out, "1 deleted and withheld") {
		t.Fatalf("delete --withhold: exit %d\n%s%s", code, out, stderr)
	}
	_, stderr, code = herald(t, "", "--db", db, "import", "jsonl", export)
	if code != 0 || !strings.Contains(stderr, "0 new") || !strings.Contains(stderr, "1 unchanged") || !strings.Contains(stderr, "1 withheld") {
		t.Errorf("import of the earlier export: exit %d %q", code, stderr)
	}
	out, _, _ = herald(t, "", "--db", db, "search", "--json", "--all-copies", "story")
	if strings.Contains(out, "https://paper.example/a") || !strings.Contains(out, "https://paper.example/b") {
		t.Errorf("after the import, the archive holds:\n%s", out)
	}

	if out, stderr, code := herald(t, "", "--db", db, "withheld", "add", "https://paper.example/c?utm_source=feed", "--reason", "court order"); code != 0 || !strings.Contains(out, "withheld 1 URL") {
		t.Errorf("withheld add: exit %d %s%s", code, out, stderr)
	}
	if _, stderr, code := herald(t, "", "--db", db, "withheld", "add", "https://paper.example/b"); code != 1 || !strings.Contains(stderr, "the archive holds https://paper.example/b") {
		t.Errorf("withheld add of an archived URL: exit %d %q", code, stderr)
	}
	if _, stderr, code := herald(t, "", "--db", db, "withheld", "add", "not-a-url"); code != 2 || stderr == "" {
		t.Errorf("withheld add not-a-url: exit %d %q", code, stderr)
	}
	out, _, code = herald(t, "", "--db", db, "withheld", "list")
	if code != 0 || !strings.Contains(out, "https://paper.example/a  (takedown request 17)") || !strings.Contains(out, "https://paper.example/c  (court order)") ||
		!strings.Contains(out, "2 articles withheld") || strings.Index(out, "/a ") > strings.Index(out, "/c ") {
		t.Errorf("withheld list: exit %d\n%s", code, out)
	}

	if out, stderr, code := herald(t, "", "--db", db, "withheld", "release", "https://paper.example/a", "https://paper.example/zzz"); code != 1 ||
		!strings.Contains(out, "released 1 URL") || !strings.Contains(stderr, "not withheld: https://paper.example/zzz") {
		t.Errorf("withheld release: exit %d %s%s", code, out, stderr)
	}
	if _, stderr, code := herald(t, "", "--db", db, "import", "jsonl", export); code != 0 || !strings.Contains(stderr, "1 new") || strings.Contains(stderr, "withheld") {
		t.Errorf("import after release: exit %d %q", code, stderr)
	}
	out, _, _ = herald(t, "", "--db", db, "withheld", "list", "--json")
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, `"url":"https://paper.example/c"`) {
		t.Errorf("withheld list --json after release:\n%s", out)
	}
}
