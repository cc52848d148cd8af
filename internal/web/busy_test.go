package web

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAPIArchiveBusy: a write for which the archive's write lock stayed
// taken by another process past the busy timeout (here a herald check
// --index) is a 503 "busy" with Retry-After and a message naming that
// process, not a 500; the article is still there. The test waits out the
// 10 s busy timeout once.
func TestAPIArchiveBusy(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newArchive(t)
	const token = "test-token-0123456789"
	h := testServer(f, Options{AdminToken: token})
	release, err := f.db.LockHarvest(ctx, "herald check --index")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	raw, err := sql.Open("sqlite", filepath.Join(f.dir, "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	res, body := do(t, h, "DELETE", "/api/articles/"+f.harbour, nil, "Authorization", "Bearer "+token)
	var e apiError
	decode(t, body, &e)
	want := fmt.Sprintf("the archive is busy: herald check --index (process %d) has held its write lock", os.Getpid())
	if res.StatusCode != 503 || e.Error.Code != "busy" || !strings.HasPrefix(e.Error.Message, want) || res.Header.Get("Retry-After") == "" {
		t.Errorf("DELETE while the archive is busy: %d %q %q (Retry-After %q), want 503 busy %q…",
			res.StatusCode, e.Error.Code, e.Error.Message, res.Header.Get("Retry-After"), want)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if res, _ := do(t, h, "GET", "/api/articles/"+f.harbour, nil); res.StatusCode != 200 {
		t.Errorf("the article after the refused delete: %d, want 200", res.StatusCode)
	}
}
