package web

import (
	"bufio"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// openAPIFile is the API reference the server's routes must match.
var openAPIFile = filepath.Join("..", "..", "docs", "openapi.yaml")

// openAPIOperations reads "METHOD /path" for every operation of the
// OpenAPI file. It relies on the file's layout, which this test pins:
// "paths:" at the top level, each path two spaces in ("  /x:"), each
// method four spaces in ("    get:").
func openAPIOperations(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ops []string
	inPaths, path := false, ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "paths:":
			inPaths = true
		case !inPaths || strings.TrimSpace(line) == "":
		case !strings.HasPrefix(line, " "):
			inPaths = false // the next top-level key
		case strings.HasPrefix(line, "  /") && strings.HasSuffix(line, ":"):
			path = strings.TrimSuffix(strings.TrimSpace(line), ":")
		case strings.HasPrefix(line, "    ") && !strings.HasPrefix(line, "     ") && strings.HasSuffix(line, ":"):
			method := strings.TrimSuffix(strings.TrimSpace(line), ":")
			switch method {
			case "get", "post", "put", "patch", "delete":
				ops = append(ops, strings.ToUpper(method)+" "+path)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ops) == 0 {
		t.Fatalf("no operations found in %s: has its layout changed?", openAPIFile)
	}
	return ops
}

// TestOpenAPIMatchesRoutes checks that every route the server registers
// is documented in docs/openapi.yaml and that the file documents nothing
// else. The two catch-all patterns (404/405 for unknown paths) are not
// operations and are left out; "GET /{$}" is the path "/".
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s := New(nil, Options{})
	var routes []string
	for _, rt := range s.routes() {
		method, path, ok := strings.Cut(rt.pattern, " ")
		if !ok {
			continue // a catch-all
		}
		routes = append(routes, method+" "+strings.TrimSuffix(path, "{$}"))
	}
	documented := openAPIOperations(t)
	slices.Sort(routes)
	slices.Sort(documented)
	for _, r := range routes {
		if _, found := slices.BinarySearch(documented, r); !found {
			t.Errorf("route %s is not in %s", r, openAPIFile)
		}
	}
	for _, d := range documented {
		if _, found := slices.BinarySearch(routes, d); !found {
			t.Errorf("%s documents %s, which the server does not register", openAPIFile, d)
		}
	}
	if len(slices.Compact(slices.Clone(documented))) != len(documented) {
		t.Errorf("%s documents an operation twice", openAPIFile)
	}
}

// openAPIStatuses reads the documented response statuses of each
// operation ("METHOD /path"), relying on the layout openAPIOperations
// pins: statuses eight spaces in (`        "404": …`).
func openAPIStatuses(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	inPaths, path, op := false, "", ""
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case line == "paths:":
			inPaths = true
		case !inPaths || strings.TrimSpace(line) == "":
		case !strings.HasPrefix(line, " "):
			inPaths = false
		case strings.HasPrefix(line, "  /") && strings.HasSuffix(line, ":"):
			path = strings.TrimSuffix(strings.TrimSpace(line), ":")
		case strings.HasPrefix(line, "    ") && !strings.HasPrefix(line, "     ") && strings.HasSuffix(line, ":"):
			op = strings.ToUpper(strings.TrimSuffix(strings.TrimSpace(line), ":")) + " " + path
		case strings.HasPrefix(line, `        "`) && len(line) > 13 && line[12] == '"':
			out[op] = append(out[op], line[9:12])
		}
	}
	return out
}

// TestOpenAPIListsStatuses makes requests that end in each status below
// and checks that docs/openapi.yaml lists that status for the operation.
func TestOpenAPIListsStatuses(t *testing.T) {
	f := sharedArchive(t)
	const token = "openapi-test-token-0123456789"
	h := testServer(f, Options{AdminToken: token})
	auth := []string{"Authorization", "Bearer " + token}
	documented := openAPIStatuses(t)
	check := func(op string, status int) {
		t.Helper()
		if !slices.Contains(documented[op], strconv.Itoa(status)) {
			t.Errorf("%s answers %d, which %s does not list (it lists %v)", op, status, openAPIFile, documented[op])
		}
	}
	for _, tc := range []struct{ op, method, target string }{
		{"GET /api/articles/{id}/capture", "GET", "/api/articles/" + f.harbour + "/capture?version=x"},
		{"GET /api/articles/{id}/capture", "GET", "/api/articles/nope/capture"},
		{"DELETE /api/sources/{id}", "DELETE", "/api/sources/x"},
		{"POST /api/sources/{id}/pause", "POST", "/api/sources/x/pause"},
		{"POST /api/sources/{id}/resume", "POST", "/api/sources/x/resume"},
		{"GET /articles/{id}", "GET", "/articles/" + f.harbour + "?v=x"},
		{"GET /api/export", "GET", "/api/export?format=xml"},
		{"GET /api/deleted", "GET", "/api/deleted?since=nope"},
	} {
		res, body := do(t, h, tc.method, tc.target, nil, auth...)
		if res.StatusCode < 400 {
			t.Errorf("%s %s: %d, want an error: %s", tc.method, tc.target, res.StatusCode, clip(body))
		}
		check(tc.op, res.StatusCode)
	}
	// A WARC export from a server that serves no captures.
	res, _ := do(t, New(f.db, Options{}), "GET", "/api/export?format=warc", nil)
	check("GET /api/export", res.StatusCode)

	// Busy: the one work slot and the one export slot are taken.
	bs := &blockingStore{Store: f.db, entered: make(chan struct{}, 2), release: make(chan struct{})}
	busy := New(bs, Options{MaxInFlight: 1, MaxExports: 1, QueryTimeout: 100 * time.Millisecond, CaptureDir: f.dir})
	done := make(chan struct{}, 2)
	for _, target := range []string{"/api/stats", "/api/export"} {
		go func() {
			do(t, busy, "GET", target, nil)
			done <- struct{}{}
		}()
		<-bs.entered
	}
	for op, target := range map[string]string{
		"GET /api/articles/{id}/capture": "/api/articles/" + f.harbour + "/capture",
		"GET /api/export":                "/api/export?format=csv",
	} {
		res, _ := do(t, busy, "GET", target, nil)
		if res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s while busy: %d, want 503", target, res.StatusCode)
		}
		check(op, res.StatusCode)
	}
	close(bs.release)
	<-done
	<-done
}
