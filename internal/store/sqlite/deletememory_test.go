package sqlite

import (
	"context"
	"database/sql"
	"reflect"
	"testing"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/herald-archive/herald/internal/store"
)

// dbStatus receives sqlite3_db_status's current and highest values.
var dbStatus [2]int32

// A transaction that deleted articles hands back, once committed, the
// pages its writer connection cached (up to 256 MiB otherwise, kept from
// one batch of herald delete to the next) and the part of the file it
// mapped, and the connection goes on working with its map as before: so
// herald delete holds about one batch's pages, whatever it deletes.
func TestDeleteReleasesWriterMemory(t *testing.T) {
	ctx := context.Background()
	db, _ := cacheArchive(t, 600)
	tls := libc.NewTLS()
	defer tls.Close()
	// The bytes of pages connection c caches (sqlite3_db_status, with the
	// driver's handle, which it does not export).
	cached := func(c *sql.Conn) int64 {
		t.Helper()
		var n int32
		err := c.Raw(func(dc any) error {
			h := uintptr(reflect.ValueOf(dc).Elem().FieldByName("db").Uint())
			p := uintptr(unsafe.Pointer(&dbStatus)) // a global: it does not move
			if rc := sqlite3.Xsqlite3_db_status(tls, h, sqlite3.SQLITE_DBSTATUS_CACHE_USED, p, p+4, 0); rc != sqlite3.SQLITE_OK {
				t.Fatalf("sqlite3_db_status: %d", rc)
			}
			n = dbStatus[0]
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return int64(n)
	}
	writer := func() int64 {
		t.Helper()
		c, err := db.w.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return cached(c)
	}
	var ids []string
	rows, err := db.r.QueryContext(ctx, `SELECT id FROM articles ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	for batch := range 3 {
		w, err := db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := batch; i < len(ids); i += 4 {
			if err := w.(store.Deleter).Delete(ctx, ids[i]); err != nil {
				t.Fatal(err)
			}
		}
		during := cached(w.(*tx).conn)
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		after := writer()
		t.Logf("batch %d: the writer caches %d KiB before its commit, %d KiB after", batch, during>>10, after>>10)
		if during < 1<<20 {
			t.Fatalf("batch %d: the writer caches %d KiB, too few for the test to tell", batch, during>>10)
		}
		if after > during/4 {
			t.Errorf("batch %d: the writer caches %d KiB after the commit, want most of its %d KiB released", batch, after>>10, during>>10)
		}
		var mmap int64
		if err := db.w.QueryRowContext(ctx, `PRAGMA mmap_size`).Scan(&mmap); err != nil || mmap != mmapSize {
			t.Errorf("batch %d: the writer maps %d bytes (%v), want %d", batch, mmap, err, mmapSize)
		}
	}
	if err := IndexIntegrity(db); err != nil {
		t.Error(err)
	}
	if err := IntegrityCheck(db); err != nil {
		t.Error(err)
	}
	var left int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&left); err != nil || left != len(ids)/4 {
		t.Errorf("%d articles left (%v), want %d", left, err, len(ids)/4)
	}
}
