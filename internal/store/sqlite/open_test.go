package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// foreignDB makes a SQLite database of another program's at path, through
// the driver alone, with the statements given.
func foreignDB(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

// unchanged fails the test if the folder of path no longer holds exactly
// the files in want, byte for byte: refusing a file must not change it nor
// leave -wal or -shm files beside it.
func unchanged(t *testing.T, dir string, want map[string][]byte) {
	t.Helper()
	got := snapshot(t, dir)
	for name, b := range want {
		if !bytes.Equal(got[name], b) {
			t.Errorf("%s changed (%d bytes, was %d)", name, len(got[name]), len(b))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s appeared", name)
		}
	}
}

// snapshot returns the files in dir by name.
func snapshot(t *testing.T, dir string) map[string][]byte {
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

// opens are Open and OpenReadOnly, for tests that want both to refuse.
var opens = map[string]func(context.Context, string) (*sqlite.DB, error){
	"Open": sqlite.Open, "OpenReadOnly": sqlite.OpenReadOnly,
}

func TestOpenRefusesOtherFiles(t *testing.T) {
	for _, c := range []struct {
		name  string
		make  func(t *testing.T, path string)
		words string
	}{
		{"foreign", func(t *testing.T, path string) {
			foreignDB(t, path, `CREATE TABLE t(x)`, `INSERT INTO t VALUES (1)`)
		}, "tables of its own (t)"},
		{"foreign WAL", func(t *testing.T, path string) {
			foreignDB(t, path, `PRAGMA journal_mode = WAL`, `CREATE TABLE t(x)`, `INSERT INTO t VALUES (1)`)
		}, "tables of its own (t)"},
		// golang-migrate's table has Herald's name but not its columns.
		{"other schema_migrations", func(t *testing.T, path string) {
			foreignDB(t, path, `CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean)`,
				`INSERT INTO schema_migrations VALUES (1, false)`, `CREATE TABLE users(id)`)
		}, "tables of its own (users)"},
		{"text", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte("headline,date\nHarbour reopens,2021-06-03\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "not a SQLite database"},
	} {
		for how, open := range opens {
			t.Run(c.name+"/"+how, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "other.db")
				c.make(t, path)
				before := snapshot(t, dir)
				db, err := open(context.Background(), path)
				if err == nil {
					db.Close()
					t.Fatal("opened")
				}
				if !errors.Is(err, sqlite.ErrNotArchive) || !strings.Contains(err.Error(), c.words) {
					t.Errorf("err = %v", err)
				}
				unchanged(t, dir, before)
			})
		}
	}
}

func TestOpenEmptyFileMakesArchive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.Load(t, db, storetest.Fixture()[:1])
}

// TestOpenNewArchiveWhileLocked opens a new archive while another
// connection holds its write lock, as when two commands are started
// together on a new archive (CI saw an import fail so). Switching the file
// to WAL mode gets SQLITE_BUSY at once there, without SQLite's busy wait:
// Open must wait for the lock rather than fail.
func TestOpenNewArchiveWhileLocked(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.db")
	// A file with no tables yet (an archive not yet made), in SQLite's
	// default rollback mode, whose write lock another connection holds.
	foreignDB(t, path, "PRAGMA user_version = 1")
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"BEGIN IMMEDIATE", "PRAGMA user_version = 2"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	released := make(chan error, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		_, err := conn.ExecContext(ctx, "COMMIT")
		conn.Close()
		released <- err
	}()
	db, err := sqlite.Open(ctx, path)
	if err := <-released; err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatalf("open beside a writer of the new file: %v", err)
	}
	defer db.Close()
	if _, err := db.Stats(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRefusesNewerArchive(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "herald.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ms, _ := sqlite.Migrations()
	foreignDB(t, path, `INSERT INTO schema_migrations VALUES (99, '0099_from_the_future.sql', '2031-01-01T00:00:00Z')`)
	before := snapshot(t, dir)
	for how, open := range opens {
		db, err := open(ctx, path)
		if err == nil {
			db.Close()
			t.Fatalf("%s opened it", how)
		}
		if !errors.Is(err, sqlite.ErrNewerArchive) || !strings.Contains(err.Error(), "0099_from_the_future") ||
			!strings.Contains(err.Error(), ms[len(ms)-1].Name) {
			t.Errorf("%s: %v", how, err)
		}
	}
	unchanged(t, dir, before)
}

func TestOpenLocations(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ path, want string }{
		{dir, "archive " + dir + " is a folder"},
		{filepath.Join(dir, "missing", "a.db"), "archive " + filepath.Join(dir, "missing", "a.db") + ": folder " + filepath.Join(dir, "missing") + " does not exist"},
	} {
		for how, open := range opens {
			if _, err := open(context.Background(), c.path); err == nil || err.Error() != c.want {
				t.Errorf("%s(%s) = %v, want %q", how, c.path, err, c.want)
			}
		}
	}
}

// makeReadOnly makes file, and its folder too unless fileOnly, read-only
// for this process at the OS level: by their permissions, and, for root
// (whom permissions do not bind), with the immutable attribute (chattr
// +i: ext4, XFS, btrfs, tmpfs), which binds root as well. It skips the
// test where neither works, and checks that writing really fails.
func makeReadOnly(t *testing.T, file string, fileOnly bool) {
	t.Helper()
	dir := filepath.Dir(file)
	paths := []string{file}
	if !fileOnly {
		paths = append(paths, dir)
	}
	t.Cleanup(func() {
		if os.Geteuid() == 0 {
			exec.Command("chattr", append([]string{"-i"}, paths...)...).Run()
		}
		os.Chmod(dir, 0o755)
		os.Chmod(file, 0o644)
	})
	if err := os.Chmod(file, 0o444); err != nil {
		t.Fatal(err)
	}
	if !fileOnly {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
	}
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chattr", append([]string{"+i"}, paths...)...).CombinedOutput(); err != nil {
			t.Skipf("running as root, and chattr +i failed, so nothing can be made read-only: %v %s", err, out)
		}
	}
	if f, err := os.OpenFile(file, os.O_RDWR, 0); err == nil {
		f.Close()
		t.Skip("the file is still writable")
	}
	if !fileOnly {
		probe := filepath.Join(dir, "probe")
		if err := os.WriteFile(probe, nil, 0o644); err == nil {
			os.Remove(probe)
			t.Skip("the folder is still writable")
		}
	}
}

// readOnlyArchive returns an archive holding the fixture, closed and then
// made read-only (see makeReadOnly), and its files as they were.
func readOnlyArchive(t *testing.T, fileOnly bool) (string, map[string][]byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ro", "herald.db")
	if err := os.Mkdir(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, db, storetest.Fixture())
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, filepath.Dir(path))
	makeReadOnly(t, path, fileOnly)
	return path, before
}

func TestReadOnlyArchive(t *testing.T) {
	for _, fileOnly := range []bool{false, true} {
		name := "file and folder"
		if fileOnly {
			name = "file only"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			path, before := readOnlyArchive(t, fileOnly)
			if db, err := sqlite.Open(ctx, path); err == nil {
				db.Close()
				t.Fatal("Open opened a read-only archive for writing")
			} else if !errors.Is(err, sqlite.ErrReadOnly) || !strings.Contains(err.Error(), "archive "+path+" is read-only") {
				t.Fatalf("Open: %v", err)
			}
			db, err := sqlite.OpenReadOnly(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			res, err := db.Search(ctx, query.MustParse("harbour"), store.SearchOptions{})
			if err != nil || res.Total == 0 {
				t.Errorf("search: %v, %+v", err, res)
			}
			if _, err := db.Timeline(ctx, query.MustParse("harbour"), store.TimelineOptions{}); err != nil {
				t.Errorf("timeline: %v", err)
			}
			if st, err := db.Stats(ctx); err != nil || st.Articles == 0 {
				t.Errorf("stats: %v, %+v", err, st)
			}
			if err := db.Scan(ctx, query.MustParse("harbour"), func(*store.Record) error { return nil }); err != nil {
				t.Errorf("scan: %v", err)
			}
			if err := db.AddSource(ctx, &store.Source{URL: "https://news.example.com/feed", Kind: "feed"}); !errors.Is(err, sqlite.ErrReadOnly) {
				t.Errorf("AddSource: %v", err)
			}
			if _, err := db.Begin(ctx); !errors.Is(err, sqlite.ErrReadOnly) || !strings.Contains(err.Error(), "is read-only") {
				t.Errorf("Begin: %v", err)
			}
			if err := db.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
			got := snapshot(t, filepath.Dir(path))
			if !bytes.Equal(got["herald.db"], before["herald.db"]) {
				t.Error("the archive changed")
			}
		})
	}
}

// An archive file whose mode lets nobody write it (0444) is read-only
// for root too, whom the system lets write it: the mode says it was
// protected. Open refuses it; OpenReadOnly reads it.
func TestModeReadOnlyArchive(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, db, storetest.Fixture())
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if db, err := sqlite.Open(ctx, path); err == nil {
		db.Close()
		t.Fatal("Open opened an archive of mode 0444 for writing")
	} else if !errors.Is(err, sqlite.ErrReadOnly) || !strings.Contains(err.Error(), "archive "+path+" is read-only") ||
		!strings.Contains(err.Error(), "-r--r--r--") {
		t.Fatalf("Open: %v", err)
	}
	db, err = sqlite.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := db.Stats(ctx); err != nil || st.Articles == 0 {
		t.Errorf("stats: %v, %+v", err, st)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Error("the archive changed")
	}
}

// TestOpenBesideAWriter: opening an archive that has all its migrations
// takes no write lock, so a search can open it while another process's
// transaction holds the lock (an import's batch, seconds long on a large
// archive). Migrating took the lock once per migration: Open waited for
// the busy timeout and failed with "database is locked".
func TestOpenBesideAWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herald.db")
	first, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	// Hold the write lock, as a batch in progress does.
	other, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE held (x)`); err != nil {
		t.Fatal(err)
	}
	second, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("open while another transaction writes: %v", err)
	}
	q, _ := query.Parse("harbour")
	if _, err := second.Search(ctx, q, store.SearchOptions{}); err != nil {
		t.Errorf("search: %v", err)
	}
	if err := second.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
}

// TestOpenOddNames: a path holding characters that mean something in a
// URI (%, ?, #) or a space opens the file it names; "a#1.db" opened "a".
func TestOpenOddNames(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"a#1.db", "b?x.db", "c%41.db", "d e.db"} {
		dir := t.TempDir()
		path := filepath.Join(dir, name)
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		entries, _ := os.ReadDir(dir)
		var names []string
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), name) {
				names = append(names, e.Name())
			}
		}
		if _, err := os.Stat(path); err != nil || len(names) > 0 {
			t.Errorf("%s: %v; other files made: %q", name, err, names)
		}
	}
}
