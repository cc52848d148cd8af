package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/demo"
)

// The JSON summaries of the commands that time their run give the time as
// duration_ms, whole milliseconds, as the API's other durations are; none
// gives Go's nanoseconds ("duration", "duration_ns").
func TestJSONDurationsInMilliseconds(t *testing.T) {
	site := demoSite(t, demo.Options{})
	dir := t.TempDir()
	hdb := filepath.Join(dir, "h.db")
	db, _, _ := harbourArchive(t, "An older extraction of the harbour story.")
	warcs, _ := filepath.Glob(filepath.Join(filepath.Dir(db), "old.db.warc", "*"))
	if len(warcs) == 0 {
		t.Fatal("no WARC file beside the archive")
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"harvest", []string{"--db", hdb, "harvest", "--json", "--allow-private", "--delay", "0", "--warc-dir", dir, site + "/feed.xml"}},
		{"import warc", []string{"--db", filepath.Join(dir, "w.db"), "import", "warc", "--json", warcs[0]}},
		{"reextract", []string{"--db", db, "reextract", "--dry-run", "--json"}},
		{"recluster", []string{"--db", db, "recluster", "--dry-run", "--json"}},
		{"delete", []string{"--db", db, "delete", "--dry-run", "--json", "harbour"}},
	} {
		out, stderr, code := herald(t, "", c.args...)
		if code != 0 {
			t.Errorf("%s: exit %d: %s", c.name, code, stderr)
			continue
		}
		// The summary is the last JSON value printed (after the JSON
		// lines of changes or articles, where there are some).
		dec := json.NewDecoder(strings.NewReader(out))
		var last map[string]json.RawMessage
		for dec.More() {
			last = nil
			if err := dec.Decode(&last); err != nil {
				t.Fatalf("%s: %v in\n%s", c.name, err, out)
			}
		}
		for _, k := range []string{"duration", "duration_ns"} {
			if _, ok := last[k]; ok {
				t.Errorf("%s: summary has %q: %s", c.name, k, out)
			}
		}
		ms, ok := last["duration_ms"]
		var n int64
		if !ok || json.Unmarshal(ms, &n) != nil || n < 0 || bytes.ContainsAny(ms, ".eE") {
			t.Errorf("%s: summary's duration_ms is %q, want whole milliseconds: %s", c.name, ms, out)
		}
	}
}
