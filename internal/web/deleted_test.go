package web

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// GET /api/deleted lists the articles deleted since a time, the API's
// delete among them, with their canonical URLs and the next request's
// since; it says whether the archive recorded deletions since then, and
// refuses a missing, bad, future or repeated since with a 400.
func TestAPIDeleted(t *testing.T) {
	f := newArchive(t)
	const token = "test-token-0123456789"
	h := testServer(f, Options{AdminToken: token})
	type answer struct {
		Since   time.Time `json:"since"`
		Deleted []struct {
			ID           string    `json:"id"`
			CanonicalURL string    `json:"canonical_url"`
			Deleted      time.Time `json:"deleted"`
		} `json:"deleted"`
		RecordedFrom time.Time `json:"recorded_from"`
		Complete     bool      `json:"complete"`
		NextSince    string    `json:"next_since"`
	}
	get := func(since string) answer {
		t.Helper()
		res, body := do(t, h, "GET", "/api/deleted?since="+url.QueryEscape(since), nil)
		if res.StatusCode != 200 {
			t.Fatalf("GET /api/deleted?since=%s: %d %s", since, res.StatusCode, body)
		}
		var a answer
		decode(t, body, &a)
		return a
	}
	if a := get("1h"); len(a.Deleted) != 0 || !a.Complete || !a.RecordedFrom.Equal(time.Unix(0, 0)) {
		t.Errorf("before any delete, since an hour ago (before the archive was made, which has recorded every deletion): %+v", a)
	}
	time.Sleep(20 * time.Millisecond)
	mark := time.Now()
	if res, body := do(t, h, "DELETE", "/api/articles/"+f.harbour, nil, "Authorization", "Bearer "+token); res.StatusCode >= 300 {
		t.Fatalf("DELETE: %d %s", res.StatusCode, body)
	}
	a := get(mark.Format(time.RFC3339Nano))
	if len(a.Deleted) != 1 || a.Deleted[0].ID != f.harbour || !strings.HasPrefix(a.Deleted[0].CanonicalURL, "https://news.example.com/") ||
		a.Deleted[0].Deleted.Before(mark.Truncate(time.Millisecond)) || !a.Complete {
		t.Errorf("deleted since the mark: %+v", a)
	}
	next, err := time.Parse(time.RFC3339, a.NextSince)
	if err != nil || next.After(time.Now().Add(-59*time.Second)) || time.Since(next) > time.Minute+5*time.Second {
		t.Errorf("next_since %q (%v), want a minute before now", a.NextSince, err)
	}
	if a := get(a.Deleted[0].Deleted.Add(time.Millisecond).Format(time.RFC3339Nano)); len(a.Deleted) != 0 {
		t.Errorf("deleted since after the delete: %+v", a.Deleted)
	}
	for _, target := range []string{"/api/deleted", "/api/deleted?since=", "/api/deleted?since=yesterday",
		"/api/deleted?since=" + url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339)), "/api/deleted?since=1h&since=2h"} {
		res, body := do(t, h, "GET", target, nil)
		var e apiError
		decode(t, body, &e)
		if res.StatusCode != 400 || e.Error.Code != "bad_request" || !strings.Contains(e.Error.Message, "since") {
			t.Errorf("GET %s: %d %+v, want 400 bad_request about since", target, res.StatusCode, e.Error)
		}
	}
}
