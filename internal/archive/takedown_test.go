package archive_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// takedownArchive opens a fresh PostgreSQL archive, the backend that
// several processes (a fleet's workers, herald delete) write at once, and
// a second connection to it for looking at the server's lock table.
func takedownArchive(t *testing.T) (*postgres.DB, *sql.DB) {
	t.Helper()
	dsn := pgtest.Schema(t)
	st, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return st, raw
}

// waitBlockedOrDone waits until a transaction of the archive waits for
// one of its write locks, or done is closed, and says which.
func waitBlockedOrDone(t *testing.T, raw *sql.DB, done <-chan struct{}) (blocked bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return false
		default:
		}
		var n int
		if err := raw.QueryRow(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
			AND classid = hashtext('herald bands ' || current_schema())::oid`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("neither blocked nor done after 30s")
	return false
}

func fixtureEntry(id string) store.Entry {
	for _, e := range storetest.Fixture() {
		if e.Record.ID == id {
			return e
		}
	}
	panic("no fixture " + id)
}

// TestTakedownWaitsForWriteUnderWay: a harvest's transaction that began
// before a takedown (herald delete --withhold) and stores the article
// after it used to put the article back for good: it had asked whether
// anything was withheld before the takedown committed, and the takedown
// deleted the row before the harvest wrote it again. The takedown now
// waits for such a transaction to end, then deletes what it stored.
func TestTakedownWaitsForWriteUnderWay(t *testing.T) {
	ctx := context.Background()
	st, raw := takedownArchive(t)
	storetest.Load(t, st, []store.Entry{fixtureEntry("a2")})

	// A worker's transaction under way: it has stored another article.
	w, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	if _, err := w.Put(ctx, fixtureEntry("a3")); err != nil {
		t.Fatal(err)
	}

	done := make(chan struct{})
	var sum *archive.DeleteSummary
	var delErr error
	go func() {
		defer close(done)
		sum, delErr = archive.Delete(ctx, st, nil, []string{"a2"}, archive.DeleteOptions{Withhold: true, Reason: "court order"})
	}()
	blocked := waitBlockedOrDone(t, raw, done)

	// The worker now stores a new version of the article taken down.
	again := fixtureEntry("a2")
	again.Record.Text += "\n\nUpdate: the river has since fallen."
	again.Record.ContentHash = "changed"
	if _, err := w.Put(ctx, again); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	<-done
	if delErr != nil || sum.Deleted != 1 {
		t.Fatalf("takedown: %+v, %v", sum, delErr)
	}
	if !blocked {
		t.Error("the takedown did not wait for the transaction under way")
	}
	if _, err := st.Get(ctx, "a2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after the takedown the article is archived (get: %v)", err)
	}
	if _, err := st.Get(ctx, "a3"); err != nil {
		t.Errorf("the worker's other article: %v", err)
	}

	// A later write of it is refused, as before.
	if out := storetest.Load(t, st, []store.Entry{fixtureEntry("a2")}); out[0] != store.Withheld {
		t.Errorf("a later put: %v, want withheld", out[0])
	}
}

// TestWithholdWaitsForWriteUnderWay: herald withheld add of a URL that a
// worker is storing at that moment (its transaction not yet committed)
// used to record it as withheld while the worker's commit archived it. It
// now waits for the worker and refuses, naming the delete to use.
func TestWithholdWaitsForWriteUnderWay(t *testing.T) {
	ctx := context.Background()
	st, raw := takedownArchive(t)

	w, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Rollback()
	e := fixtureEntry("a2")
	if _, err := w.Put(ctx, e); err != nil {
		t.Fatal(err)
	}

	done := make(chan struct{})
	var withholdErr error
	go func() {
		defer close(done)
		withholdErr = archive.Withhold(ctx, st, []store.WithheldArticle{{ID: "a2", URL: e.Record.CanonicalURL, At: time.Now()}})
	}()
	blocked := waitBlockedOrDone(t, raw, done)
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	<-done
	if !blocked {
		t.Error("withhold did not wait for the transaction under way")
	}
	var held *archive.HeldError
	if !errors.As(withholdErr, &held) {
		t.Fatalf("withhold of an article stored meanwhile: %v, want HeldError", withholdErr)
	}
	list, err := st.ListWithheld(ctx)
	if err != nil || len(list) != 0 {
		t.Errorf("withheld after the refusal: %v, %v", list, err)
	}
}
