package main

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/demo"
)

// A delete through herald serve's API with erase_captures=true looks for
// captures where herald delete --erase-captures does: the article's page
// was harvested into a folder of its own (--warc-dir, with the site's
// feed, which a harvest of a page finds), the feed again into the
// archive's default one (ARCHIVE.warc), and the feed's capture there is
// redacted too, as the command redacts it.
func TestServeDeleteErasesWhereDeleteDoes(t *testing.T) {
	site := demoSite(t, demo.Options{})
	dir := t.TempDir()
	db := filepath.Join(dir, "herald.db")
	gone := demo.Articles()[0]
	own := filepath.Join(dir, "pages")
	harvestJSON(t, db, "--warc-dir", own, site+gone.Path())
	harvestJSON(t, db, site+"/feed.xml")
	feeds, _ := filepath.Glob(db + ".warc/*.warc.gz")
	pages, _ := filepath.Glob(filepath.Join(own, "*.warc.gz"))
	if len(feeds) != 1 || len(pages) != 1 {
		t.Fatalf("warc files %v %v", feeds, pages)
	}
	if !strings.Contains(plainWARC(t, feeds[0]), html.EscapeString(gone.Title)) {
		t.Fatalf("the feed's capture does not list %q", gone.Title)
	}
	if targets, _ := warcTargets(t, feeds[0]); targets[site+gone.Path()] {
		t.Fatalf("the page was captured again with the feed; the test wants it only in %s", own)
	}

	const token = "serve-erase-token-0123456789"
	srv := startServe(t, "--db", db, "--admin-token", token, "--no-harvest")
	id, _, err := urlID(site + gone.Path())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("DELETE", srv.addr+"api/articles/"+id+"?erase_captures=true", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("DELETE: %d %s", res.StatusCode, body)
	}
	var sum struct {
		Erased   int `json:"erased"`
		Redacted int `json:"redacted"`
	}
	if err := json.Unmarshal(body, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Erased != 1 || sum.Redacted < 2 {
		// Both captures of the feed, and the pages linking the article.
		t.Errorf("DELETE answered %s: want 1 capture erased and both captures of the feed redacted", body)
	}
	if text := plainWARC(t, feeds[0]); strings.Contains(text, html.EscapeString(gone.Title)) {
		t.Errorf("the feed's capture in %s still lists %q", feeds[0], gone.Title)
	}
	if code, _ := srv.stop(); code != 0 {
		t.Errorf("serve: exit %d, stderr %q", code, srv.stderr.String())
	}
}
