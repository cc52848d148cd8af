package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/demo"
)

// The harvest summary counts in words: one page, one feed or sitemap,
// one URL (it said "1 pages", "1 feeds/sitemaps", "1 URLs"), and says the
// bytes read count the feeds too.
func TestHarvestSummaryWords(t *testing.T) {
	site := demoSite(t, demo.Options{})
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	out, stderr, code := herald(t, "", "--db", db, "harvest", "--allow-private", "--delay", "0", "--warc-dir", dir, "--max-pages", "1", site+"/feed.xml")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, stderr)
	}
	for _, want := range []string{"fetched    1 page, 1 feed/sitemap polled (0 not modified), ", " read in all\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"1 pages", "1 URLs", "1 feeds", "1 listing pages"} {
		if strings.Contains(out, bad) {
			t.Errorf("summary says %q:\n%s", bad, out)
		}
	}
	// Two more pages; one left waiting.
	out, stderr, code = herald(t, "", "--db", db, "harvest", "--allow-private", "--delay", "0", "--warc-dir", dir, "--max-pages", "18")
	if code != 0 {
		t.Fatalf("second run: exit %d: %s%s", code, out, stderr)
	}
	if want := "waiting    1 URL in the queue"; !strings.Contains(out, want) {
		t.Errorf("summary lacks %q:\n%s", want, out)
	}
}
