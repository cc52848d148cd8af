package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every command that writes, run on an archive this process may not write
// (a file of mode 0444, which binds root too), fails with exit status 2
// and says in the user's words that the archive is read-only, which
// command changes it and what to do, without the words of the step that
// met the refusal ("begin", "drop band rows …", "withhold: …"). The
// archive is left as it was.
func TestWriteCommandsOnReadOnlyArchive(t *testing.T) {
	db, _, _ := harbourArchive(t, "An older extraction of the harbour story.")
	dir := filepath.Dir(db)
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(archiveLines(4)), 0o644)
	if _, stderr, code := herald(t, "", "--db", db, "import", "jsonl", in); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	if _, stderr, code := herald(t, "", "--db", db, "source", "add", "--kind", "feed", "https://site0.example/feed.xml"); code != 0 {
		t.Fatalf("source add: %s", stderr)
	}
	if _, stderr, code := herald(t, "", "--db", db, "withheld", "add", "https://site9.example/kept-out.html"); code != 0 {
		t.Fatalf("withheld add: %s", stderr)
	}
	text := filepath.Join(dir, "story.txt")
	os.WriteFile(text, []byte("A new story\n\nThe harbour master spoke on Friday about the new berths and the ferry timetable for the summer."), 0o644)
	if err := os.Chmod(db, 0o444); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(db, 0o644) })
	before, _ := os.ReadFile(db)

	for _, c := range []struct {
		name string // the command as herald names it
		args []string
	}{
		{"import jsonl", []string{"import", "jsonl", in}},
		{"import text", []string{"import", "text", text}},
		{"import warc", []string{"import", "warc", filepath.Join(dir, "old.db.warc")}},
		{"migrate", []string{"migrate"}},
		{"optimize", []string{"optimize"}},
		{"recluster", []string{"recluster"}},
		{"reextract", []string{"reextract"}},
		{"delete", []string{"delete", "--yes", "harbour"}},
		{"withheld add", []string{"withheld", "add", "https://site8.example/out.html"}},
		{"withheld release", []string{"withheld", "release", "https://site9.example/kept-out.html"}},
		{"source add", []string{"source", "add", "--kind", "feed", "https://site1.example/feed.xml"}},
		{"source pause", []string{"source", "pause", "1"}},
		{"source resume", []string{"source", "resume", "1"}},
		{"source remove", []string{"source", "remove", "1"}},
		{"harvest", []string{"harvest", "https://site2.example/a.html"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, code := herald(t, "", append([]string{"--db", db}, c.args...)...)
			last := strings.TrimSpace(stderr)
			if i := strings.LastIndex(last, "\n"); i >= 0 {
				last = last[i+1:]
			}
			want := "herald: archive " + db + " is read-only ("
			if code != 2 || !strings.HasPrefix(last, want) ||
				!strings.Contains(last, "and herald "+c.name+" changes it: run it as a user who may write the archive") {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and a last line starting %q that names herald %s", code, stderr, want, c.name)
			}
			for _, jargon := range []string{"begin", "band rows", "withhold:", "opened for reading only"} {
				if strings.Contains(stderr, jargon) {
					t.Errorf("stderr says %q:\n%s", jargon, stderr)
				}
			}
		})
	}
	if after, _ := os.ReadFile(db); string(after) != string(before) {
		t.Error("the archive changed")
	}
}
