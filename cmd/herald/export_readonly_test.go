package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportRefusesReadOnlyOut: an --out file that nobody may write
// (mode 0444) is not replaced by the export's rename, which the system
// would allow (the folder is writable, and root may do anything): the
// export fails as cp would, naming the file, and leaves it as it was,
// also when --out is a link to it. The same holds for a read-only file
// in a text export's folder, and for a read-only folder.
func TestExportRefusesReadOnlyOut(t *testing.T) {
	dir := t.TempDir()
	db := importLines(t, dir, archiveLines(3))
	protected := filepath.Join(dir, "protected.jsonl")
	os.WriteFile(protected, []byte("keep me\n"), 0o644)
	os.Chmod(protected, 0o444)
	link := filepath.Join(dir, "link.jsonl")
	os.Symlink("protected.jsonl", link)
	for _, out := range []string{protected, link} {
		for _, format := range []string{"jsonl", "csv"} {
			_, stderr, code := herald(t, "", "--db", db, "export", "--format", format, "--out", out)
			want := "herald: export: cannot write " + protected + ": the file is read-only (-r--r--r--)"
			if code != 2 || !strings.Contains(stderr, want) {
				t.Errorf("--format %s --out %s: exit %d, %q, want %q", format, out, code, stderr, want)
			}
		}
	}
	if b, _ := os.ReadFile(protected); string(b) != "keep me\n" {
		t.Errorf("the read-only file was replaced: %q", b)
	}
	if st, _ := os.Lstat(protected); st.Mode().Perm() != 0o444 {
		t.Errorf("mode = %v", st.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("export left temporary files: %v", left)
	}

	// A text export replaces its own earlier files, not a read-only one.
	corpus := filepath.Join(dir, "corpus")
	if _, stderr, code := herald(t, "", "--db", db, "export", "--format", "text", "--out", corpus); code != 0 {
		t.Fatalf("text export: %d %s", code, stderr)
	}
	names, _ := filepath.Glob(filepath.Join(corpus, "*.txt"))
	if len(names) != 3 {
		t.Fatalf("text export wrote %v", names)
	}
	os.WriteFile(names[1], []byte("edited by hand\n"), 0o644)
	os.Chmod(names[1], 0o444)
	_, stderr, code := herald(t, "", "--db", db, "export", "--format", "text", "--out", corpus)
	if want := "cannot write " + names[1] + ": the file is read-only (-r--r--r--)"; code != 2 || !strings.Contains(stderr, want) {
		t.Errorf("text export over a read-only file: exit %d, %q, want %q", code, stderr, want)
	}
	if b, _ := os.ReadFile(names[1]); string(b) != "edited by hand\n" {
		t.Errorf("the read-only corpus file was replaced: %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(corpus, "*.tmp")); len(left) != 0 {
		t.Errorf("export left temporary files: %v", left)
	}

	// A folder nobody may write: nothing is made in it.
	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o755)
	os.Chmod(ro, 0o555)
	t.Cleanup(func() { os.Chmod(ro, 0o755) })
	_, stderr, code = herald(t, "", "--db", db, "export", "--out", filepath.Join(ro, "out.jsonl"))
	if want := "cannot write " + filepath.Join(ro, "out.jsonl") + ": the folder " + ro + " is read-only (dr-xr-xr-x)"; code != 2 || !strings.Contains(stderr, want) {
		t.Errorf("jsonl into a read-only folder: exit %d, %q, want %q", code, stderr, want)
	}
	_, stderr, code = herald(t, "", "--db", db, "export", "--format", "text", "--out", ro)
	if want := "cannot write into " + ro + ": the folder is read-only (dr-xr-xr-x)"; code != 2 || !strings.Contains(stderr, want) {
		t.Errorf("text into a read-only folder: exit %d, %q, want %q", code, stderr, want)
	}
	if left, _ := os.ReadDir(ro); len(left) != 0 {
		t.Errorf("export wrote %d files into the read-only folder", len(left))
	}
}

// TestExportTextOutIsAFile: a text export's --out that is a file, or
// lies below one, is refused with a message that says so; a folder that
// does not exist yet is made, with its parents.
func TestExportTextOutIsAFile(t *testing.T) {
	dir := t.TempDir()
	db := importLines(t, dir, archiveLines(3))
	file := filepath.Join(dir, "notes.txt")
	os.WriteFile(file, []byte("keep me\n"), 0o644)
	for out, want := range map[string]string{
		file:                          "herald: export: --out " + file + " is a file; --format text writes a folder of files",
		filepath.Join(file, "corpus"): "herald: export: --out " + filepath.Join(file, "corpus") + ": " + file + " is a file, not a folder",
	} {
		_, stderr, code := herald(t, "", "--db", db, "export", "--format", "text", "--out", out)
		if code != 2 || !strings.Contains(stderr, want) {
			t.Errorf("--out %s: exit %d, %q, want %q", out, code, stderr, want)
		}
	}
	if b, _ := os.ReadFile(file); string(b) != "keep me\n" {
		t.Errorf("the file changed: %q", b)
	}
	deep := filepath.Join(dir, "a", "b", "corpus")
	if _, stderr, code := herald(t, "", "--db", db, "export", "--format", "text", "--out", deep); code != 0 {
		t.Fatalf("text export to a new folder: %d %s", code, stderr)
	}
	if names, _ := filepath.Glob(filepath.Join(deep, "*.txt")); len(names) != 3 {
		t.Errorf("text export wrote %v", names)
	}
}
