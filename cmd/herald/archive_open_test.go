package main

import (
	"bytes"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// folderFiles returns the files in dir by name, to tell whether a command
// changed one, or left a -wal or -shm behind.
func folderFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]byte{}
	for _, e := range es {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = b
	}
	return m
}

func sameFiles(t *testing.T, dir string, want map[string][]byte) {
	t.Helper()
	got := folderFiles(t, dir)
	for name, b := range want {
		if !bytes.Equal(got[name], b) {
			t.Errorf("%s changed", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s appeared", name)
		}
	}
}

// Read commands and write commands alike refuse a file that is not a
// Herald archive, and leave it as it was.
func TestOpenRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(archiveLines(3)), 0o644)
	files := filepath.Join(dir, "files")
	os.Mkdir(files, 0o755)

	other := filepath.Join(files, "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`CREATE TABLE t(x)`, `INSERT INTO t VALUES (1)`} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	text := filepath.Join(files, "notes.db")
	os.WriteFile(text, []byte("not a database, just notes\n"), 0o644)

	before := folderFiles(t, files)
	for _, c := range []struct{ path, want string }{
		{other, "archive " + other + " is not a Herald archive: it is a SQLite database with tables of its own (t)"},
		{text, "archive " + text + " is not a Herald archive: it is not a SQLite database"},
	} {
		for _, args := range [][]string{{"stats"}, {"search", "harbour"}, {"export"}, {"timeline"},
			{"migrate"}, {"import", "jsonl", in}} {
			_, stderr, code := herald(t, "", append([]string{"--db", c.path}, args...)...)
			if code == 0 || !strings.Contains(stderr, c.want) {
				t.Errorf("%s %v: exit %d, stderr:\n%s", filepath.Base(c.path), args, code, stderr)
			}
		}
	}
	sameFiles(t, files, before)
}

func TestOpenLocationMessages(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(archiveLines(3)), 0o644)
	missing := filepath.Join(dir, "missing", "a.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--db", dir, "import", "jsonl", in}, "herald: archive " + dir + " is a folder\n"},
		{[]string{"--db", dir, "migrate"}, "herald: archive " + dir + " is a folder\n"},
		{[]string{"--db", dir, "stats"}, "herald: archive " + dir + " is a folder\n"},
		{[]string{"--db", missing, "import", "jsonl", in},
			"herald: archive " + missing + ": folder " + filepath.Dir(missing) + " does not exist\n"},
		{[]string{"--db", missing, "migrate"}, "herald: archive " + missing + ": folder " + filepath.Dir(missing) + " does not exist\n"},
	} {
		_, stderr, code := herald(t, "", c.args...)
		if code == 0 || stderr != c.want {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
		}
	}
}

// An archive migrated by a newer Herald is refused, not written.
func TestMigrateRefusesNewerArchive(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.db")
	if _, stderr, code := herald(t, "", "--db", path, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations VALUES (99, '0099_future.sql', '2031-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := folderFiles(t, dir)
	for _, args := range [][]string{{"migrate"}, {"stats"}} {
		_, stderr, code := herald(t, "", append([]string{"--db", path}, args...)...)
		if code == 0 || !strings.Contains(stderr, "archive "+path+" was made by a newer Herald: its schema has migration 0099_future.sql") {
			t.Errorf("%v: exit %d, stderr:\n%s", args, code, stderr)
		}
	}
	sameFiles(t, dir, before)
}

// readOnlyFolder makes file and its folder read-only at the OS level: by
// their permissions, and, when the tests run as root (whom permissions do
// not bind), with the immutable attribute (chattr +i, on ext4, XFS, btrfs
// or tmpfs), which binds root too. It skips the test where neither works.
func readOnlyFolder(t *testing.T, file string) {
	t.Helper()
	dir := filepath.Dir(file)
	t.Cleanup(func() {
		if os.Geteuid() == 0 {
			exec.Command("chattr", "-i", file, dir).Run()
		}
		os.Chmod(dir, 0o755)
		os.Chmod(file, 0o644)
	})
	if err := os.Chmod(file, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chattr", "+i", file, dir).CombinedOutput(); err != nil {
			t.Skipf("running as root, and chattr +i failed, so nothing can be made read-only: %v %s", err, out)
		}
	}
	if f, err := os.OpenFile(file, os.O_RDWR, 0); err == nil {
		f.Close()
		t.Skip("the archive is still writable")
	}
	if err := os.WriteFile(filepath.Join(dir, "probe"), nil, 0o644); err == nil {
		os.Remove(filepath.Join(dir, "probe"))
		t.Skip("the folder is still writable")
	}
}

// A read-only archive in a read-only folder can be read, by every command
// that only reads; the commands that write say it is read-only.
func TestReadOnlyArchive(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(archiveLines(12)), 0o644)
	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o755)
	path := filepath.Join(ro, "a.db")
	if _, stderr, code := herald(t, "", "--db", path, "import", "jsonl", in); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	before := folderFiles(t, ro)
	readOnlyFolder(t, path)

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"stats"}, "articles            12"},
		{[]string{"search", "harbour"}, "12 stories match"},
		{[]string{"export"}, "Story number 11 about the harbour"},
		{[]string{"timeline"}, "2024-05-12"},
	} {
		out, stderr, code := herald(t, "", append([]string{"--db", path}, c.args...)...)
		if code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("%v: exit %d, stderr:\n%s\nstdout:\n%s", c.args, code, stderr, out)
		}
	}
	for _, args := range [][]string{{"import", "jsonl", in}, {"migrate"}, {"optimize"}} {
		_, stderr, code := herald(t, "", append([]string{"--db", path}, args...)...)
		if code == 0 || !strings.Contains(stderr, "archive "+path+" is read-only") {
			t.Errorf("%v: exit %d, stderr:\n%s", args, code, stderr)
		}
	}
	sameFiles(t, ro, before)
}

// An archive file whose mode lets nobody write it (0444) is not written,
// whoever runs Herald (root may write any file; the mode says it was
// protected, as herald export holds of its outputs); it can still be
// read.
func TestModeReadOnlyArchive(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(archiveLines(4)), 0o644)
	path := filepath.Join(dir, "a.db")
	if _, stderr, code := herald(t, "", "--db", path, "import", "jsonl", in); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	os.WriteFile(in, []byte(archiveLines(8)), 0o644)
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	for _, args := range [][]string{{"import", "jsonl", in}, {"migrate"}, {"optimize"}} {
		_, stderr, code := herald(t, "", append([]string{"--db", path}, args...)...)
		if code == 0 || !strings.Contains(stderr, "archive "+path+" is read-only") {
			t.Errorf("%v: exit %d, stderr:\n%s", args, code, stderr)
		}
	}
	if out, stderr, code := herald(t, "", "--db", path, "stats"); code != 0 || !strings.Contains(out, "articles            4") {
		t.Errorf("stats: exit %d\n%s%s", code, out, stderr)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Error("the archive changed")
	}
}

// A command that only reads, pointed at an empty file (a mistyped --db,
// a placeholder), refuses it as it refuses a missing archive and leaves
// it empty; it used to make it a new, empty Herald archive. A command
// that writes still starts an archive in it.
func TestReadRefusesEmptyFile(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"stats"}, {"search", "harbour"}, {"export"}, {"timeline"}, {"check"}, {"source", "list"}} {
		_, stderr, code := herald(t, "", append([]string{"--db", empty}, args...)...)
		want := "herald: archive " + empty + " is empty, not a Herald archive yet"
		if code != 2 || !strings.HasPrefix(stderr, want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", args, code, stderr, want)
		}
		if fi, err := os.Stat(empty); err != nil || fi.Size() != 0 {
			t.Fatalf("%v: the empty file is no longer empty (%v)", args, err)
		}
	}
	in := filepath.Join(dir, "in.jsonl")
	os.WriteFile(in, []byte(archiveLines(3)), 0o644)
	if _, stderr, code := herald(t, "", "--db", empty, "import", "jsonl", in); code != 0 {
		t.Errorf("import into the empty file: exit %d, %s", code, stderr)
	}
	if n, _ := archiveStats(t, empty); n != 3 {
		t.Errorf("the archive holds %d articles, want 3", n)
	}
}
