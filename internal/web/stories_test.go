package web

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
)

// A story whose first archived article names an original the archive
// does not hold says so on the attention page and in /api/stories: the
// story began there. Its copies share no text (a teaser and a rewrite)
// and are one story because they name one original.
func TestStoryNamesItsOriginal(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	day := time.Date(2024, 5, 2, 8, 0, 0, 0, time.UTC)
	copyOf := func(url, text string, at time.Time) *store.Record {
		return &store.Record{Article: article.Article{URL: url, Title: "Ferry strike ends", Published: at, Language: "en",
			OriginalURL: "https://wire.example/2024/05/ferry-strike-ends", Text: text}}
	}
	res, err := archive.Ingest(ctx, db, []*store.Record{
		copyOf("https://partner.example/ferry", "The ferry strike ended overnight after talks at the port.", day),
		copyOf("https://reader.example/news/ferry", "Crews returned to the ferries this morning, ending a week of cancelled crossings across the bay.", day.Add(3*time.Hour)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[1].Outcome != store.Duplicate || res[1].ClusterID != res[0].ClusterID {
		t.Fatalf("second copy: %v in %s, want a duplicate in %s", res[1].Outcome, res[1].ClusterID, res[0].ClusterID)
	}
	h := New(db, Options{})
	resp, body := do(t, h, "GET", "/timeline?q=ferry", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `names <span dir="auto">wire.example</span> as the original`) ||
		!strings.Contains(body, "2 articles on 2") {
		t.Errorf("attention page: status %d, no story naming its original:\n%s", resp.StatusCode, clip(body))
	}
	resp, body = do(t, h, "GET", "/api/stories?q=ferry", nil)
	var sr StoriesResponse
	decode(t, body, &sr)
	if resp.StatusCode != 200 || len(sr.Stories) != 1 || sr.Stories[0].First.OriginalURL != "https://wire.example/2024/05/ferry-strike-ends" ||
		sr.Stories[0].First.ID != res[0].ID {
		t.Errorf("/api/stories: %d %+v", resp.StatusCode, sr)
	}
}
