package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/warc"
)

// DELETE /api/articles/{id} needs the admin token, refuses bad
// parameters, deletes the article (its syndicated copy stays, and the
// article page and search no longer find it), withholds it on request,
// and is a 404 for an unknown id.
func TestAPIDeleteArticle(t *testing.T) {
	f := newArchive(t)
	const token = "test-token-0123456789"
	ro := testServer(f, Options{})
	h := testServer(f, Options{AdminToken: token})
	auth := []string{"Authorization", "Bearer " + token}
	del := func(h http.Handler, target string, header ...string) (int, string) {
		t.Helper()
		res, body := do(t, h, "DELETE", target, nil, header...)
		if res.StatusCode >= 400 {
			var e apiError
			decode(t, body, &e)
			return res.StatusCode, e.Error.Code
		}
		return res.StatusCode, ""
	}
	target := "/api/articles/" + f.harbour
	for _, tc := range []struct {
		h      http.Handler
		target string
		header []string
		status int
		code   string
	}{
		{ro, target, auth, 403, "read_only"},
		{h, target, nil, 401, "unauthorized"},
		{h, target + "?withhold=yes", auth, 400, "bad_request"},
		{h, target + "?reason=takedown", auth, 400, "bad_request"},
		{h, "/api/articles/0000000000000000", auth, 404, "not_found"},
	} {
		if status, code := del(tc.h, tc.target, tc.header...); status != tc.status || code != tc.code {
			t.Errorf("DELETE %s: %d %s, want %d %s", tc.target, status, code, tc.status, tc.code)
		}
	}
	if res, _ := do(t, h, "GET", target, nil); res.StatusCode != 200 {
		t.Fatalf("the article is gone after refused deletes: %d", res.StatusCode)
	}
	if status, code := del(h, target+"?withhold=true&reason=takedown+request+17", auth...); status != 204 {
		t.Fatalf("DELETE: %d %s, want 204", status, code)
	}
	for _, p := range []string{target, "/articles/" + f.harbour} {
		if res, _ := do(t, h, "GET", p, nil); res.StatusCode != 404 {
			t.Errorf("GET %s after delete: %d, want 404", p, res.StatusCode)
		}
	}
	if res, _ := do(t, h, "GET", "/api/articles/"+f.copy, nil); res.StatusCode != 200 {
		t.Errorf("the syndicated copy after delete: %d, want 200", res.StatusCode)
	}
	_, body := do(t, h, "GET", "/api/search?q=harbour&collapse=false", nil)
	var sb searchBody
	decode(t, body, &sb)
	var ids []string
	for _, hit := range sb.Hits {
		ids = append(ids, hit.Record.ID)
	}
	if slices.Contains(ids, f.harbour) || !slices.Contains(ids, f.copy) {
		t.Errorf("search after delete finds %v; want the copy %s, not %s", ids, f.copy, f.harbour)
	}
	list, err := f.db.ListWithheld(t.Context())
	if err != nil || len(list) != 1 || list[0].ID != f.harbour || list[0].Reason != "takedown request 17" {
		t.Errorf("withheld after delete: %+v, %v", list, err)
	}
	if status, code := del(h, target, auth...); status != 404 || code != "not_found" {
		t.Errorf("DELETE again: %d %s, want 404 not_found", status, code)
	}
}

// The article page offers a signed-in admin a form to delete the article,
// which needs the CSRF field, deletes it (withholding it when the box is
// ticked) and confirms on the sources page; signed out, no form.
func TestArticleDeleteForm(t *testing.T) {
	f := newArchive(t)
	const token = "form-test-token-0123456789"
	h := testServer(f, Options{AdminToken: token})
	page := "/articles/" + f.harbour
	if _, body := do(t, h, "GET", page, nil); strings.Contains(body, "/delete") {
		t.Error("signed out, the article page offers to delete")
	}
	cookie := &http.Cookie{Name: sessionCookie, Value: h.newSession(time.Now().Add(time.Hour))}
	get := func(target string) (int, string) {
		t.Helper()
		req := httptest.NewRequest("GET", target, nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	post := func(target string, form url.Values) *http.Response {
		t.Helper()
		req := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "http://example.com")
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}
	_, body := get(page)
	csrf := h.csrfFor(cookie.Value)
	if !strings.Contains(body, `action="/articles/`+f.harbour+`/delete"`) || !strings.Contains(body, `value="`+csrf+`"`) {
		t.Fatal("signed in, the article page has no delete form")
	}
	checkSafeHTML(t, "article with the delete form", body)
	if _, body := get(page + "?v=1"); strings.Contains(body, "/delete") {
		t.Error("an earlier version's page offers to delete")
	}
	if res := post(page+"/delete", url.Values{"withhold": {"true"}}); res.StatusCode != 403 {
		t.Errorf("without the CSRF field: %d, want 403", res.StatusCode)
	}
	if res := post("/articles/0000000000000000/delete", url.Values{"csrf": {csrf}}); res.StatusCode != 404 {
		t.Errorf("an unknown article: %d, want 404", res.StatusCode)
	}
	res := post(page+"/delete", url.Values{"csrf": {csrf}, "withhold": {"true"}, "reason": {" request 17 "}, "erase_captures": {"true"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/sources?done=withheld-erased" {
		t.Fatalf("delete: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if code, _ := get(page); code != 404 {
		t.Errorf("the article page after delete: %d, want 404", code)
	}
	if _, body := get("/sources?done=withheld-erased"); !strings.Contains(body, "Article deleted and withheld, its raw captures erased") {
		t.Error("no confirmation on the sources page")
	}
	list, err := f.db.ListWithheld(t.Context())
	if err != nil || len(list) != 1 || list[0].ID != f.harbour || list[0].Reason != "request 17" {
		t.Errorf("withheld: %+v, %v", list, err)
	}
	if !strings.Contains(body, `name="erase_captures"`) {
		t.Error("the delete form has no box to erase the captures")
	}
	// Without the box ticked, deleted only.
	res = post("/articles/"+f.copy+"/delete", url.Values{"csrf": {csrf}, "reason": {"ignored"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/sources?done=deleted" {
		t.Errorf("delete without withholding: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if list, _ := f.db.ListWithheld(t.Context()); len(list) != 1 {
		t.Errorf("withheld after a plain delete: %+v", list)
	}
}

// DELETE /api/articles/{id}?erase_captures=true erases the article's raw
// capture and answers with what it did; a capture whose WARC file is
// not where the server looks is a 409 that deletes nothing; the form's
// box does the same and says so.
func TestAPIDeleteEraseCaptures(t *testing.T) {
	f := newArchive(t)
	const token = "test-token-0123456789"
	h := testServer(f, Options{AdminToken: token})
	auth := []string{"Authorization", "Bearer " + token}
	target := "/api/articles/" + f.harbour
	rec, err := f.db.Get(t.Context(), f.harbour)
	if err != nil || rec.Capture == nil {
		t.Fatalf("the fixture's harbour capture: %v", err)
	}
	file := filepath.Join(f.dir, rec.Capture.File)

	if res, _ := do(t, h, "DELETE", target+"?erase_captures=maybe", nil, auth...); res.StatusCode != 400 {
		t.Errorf("erase_captures=maybe: %d, want 400", res.StatusCode)
	}
	hidden := file + ".away"
	if err := os.Rename(file, hidden); err != nil {
		t.Fatal(err)
	}
	res, body := do(t, h, "DELETE", target+"?erase_captures=true", nil, auth...)
	var e apiError
	decode(t, body, &e)
	if res.StatusCode != 409 || e.Error.Code != "capture_unerasable" || strings.Contains(body, f.dir) {
		t.Errorf("capture file missing: %d %s", res.StatusCode, body)
	}
	if res, _ := do(t, h, "GET", target, nil); res.StatusCode != 200 {
		t.Fatalf("the article went although its capture was not erased: %d", res.StatusCode)
	}
	if err := os.Rename(hidden, file); err != nil {
		t.Fatal(err)
	}
	res, body = do(t, h, "DELETE", target+"?erase_captures=true&withhold=true", nil, auth...)
	var sum struct {
		Erased, Records, Files int
		Left                   []any
	}
	decode(t, body, &sum)
	// Both versions point at the same capture: one capture, its response
	// and request records.
	if res.StatusCode != 200 || sum.Erased != 1 || sum.Records != 2 || sum.Files != 1 || len(sum.Left) != 0 {
		t.Errorf("DELETE ?erase_captures=true: %d %s", res.StatusCode, body)
	}
	if r, err := warc.ReadAt(file, rec.Capture.Offset); err != nil || !r.IsErased() {
		t.Errorf("the capture after the delete: erased %v, %v", r != nil && r.IsErased(), err)
	}
	if res, _ := do(t, h, "GET", target, nil); res.StatusCode != 404 {
		t.Errorf("the article after the delete: %d, want 404", res.StatusCode)
	}
}
