package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/web"
)

// herald stories lists the stories carried by more than one article,
// with the earliest copy first, saying when it names an original; --json
// is what /api/stories returns.
func TestStories(t *testing.T) {
	db := wireStoryArchive(t)
	out, stderr, code := herald(t, "", "--db", db, "stories")
	words := strings.Join(strings.Fields(out), " ")
	if code != 0 || !strings.Contains(words, "1 3 3 2024-03-04 2024-03-07 copy.example Story on copy.example (a copy: names agency.example as the original)") || strings.Count(out, "\n") != 2 {
		t.Errorf("stories: exit %d %s\n%s", code, stderr, out)
	}
	out, _, code = herald(t, "", "--db", db, "stories", "--json", "harbour -site:copy.example")
	var res web.StoriesResponse
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 {
		t.Fatalf("stories --json: exit %d, %v\n%s", code, err, out)
	}
	if len(res.Stories) != 1 || res.Query != "harbour -site:copy.example" {
		t.Fatalf("stories --json = %+v", res)
	}
	if s := res.Stories[0]; s.Articles != 2 || s.Sites != 2 || s.First.Site != "wire.example" || s.First.URL != "https://wire.example/story.html" ||
		s.First.Date.Format("2006-01-02") != "2024-03-05" || s.Last.Format("2006-01-02") != "2024-03-07" || s.First.OriginalURL != "" {
		t.Errorf("stories --json: %+v", s)
	}
	out, _, code = herald(t, "", "--db", db, "stories", "--csv", "harbour")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || code != 0 || len(rows) != 2 || strings.Join(rows[0], ",") != "cluster,articles,sites,first_date,first_site,first_title,first_url,first_id,last_date,first_original_url" ||
		rows[1][1] != "3" || rows[1][2] != "3" || rows[1][3] != "2024-03-04T09:00:00Z" || rows[1][4] != "copy.example" ||
		rows[1][6] != "https://copy.example/story.html" || rows[1][8] != "2024-03-07T09:00:00Z" || rows[1][9] != "https://agency.example/original-story" {
		t.Errorf("stories --csv: exit %d, %v\n%s", code, err, out)
	}
	if _, stderr, code := herald(t, "", "--db", db, "stories", "--csv", "--json"); code != 2 || !strings.Contains(stderr, "choose one") {
		t.Errorf("stories --csv --json: exit %d, %q", code, stderr)
	}
	if out, _, code := herald(t, "", "--db", db, "stories", "council"); code != 0 || !strings.Contains(out, "No story") {
		t.Errorf("stories of a lone article: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{{"--limit", "0"}, {"--limit", "1001"}, {`"unclosed`}} {
		if _, stderr, code := herald(t, "", append([]string{"--db", db, "stories"}, args...)...); code != 2 || stderr == "" {
			t.Errorf("stories %v: exit %d, %q; want a usage error", args, code, stderr)
		}
	}
}
