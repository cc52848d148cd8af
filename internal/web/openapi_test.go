package web

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
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
