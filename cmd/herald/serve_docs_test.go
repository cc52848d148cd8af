package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestServeFlagsDocumented checks that the flag table of docs/api.md has a
// row for every flag of herald serve, so the table people read to run a
// server does not leave one out.
func TestServeFlagsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	usage := newServeCmd(&env{}).LocalFlags().FlagUsages()
	names := regexp.MustCompile(`(?m)^\s+(?:-\w, )?--([a-z-]+)`).FindAllStringSubmatch(usage, -1)
	if len(names) < 5 {
		t.Fatalf("read %d flags from %q", len(names), usage)
	}
	for _, m := range names {
		if !strings.Contains(string(doc), "\n| `--"+m[1]+"` |") {
			t.Errorf("docs/api.md has no row for herald serve --%s", m[1])
		}
	}
}
