package archive_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/canon"
	"github.com/herald-archive/herald/internal/dedupe"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
)

func mustOpen(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

const story = `The city council voted on Tuesday to approve a new budget for the harbour district, ending months of debate over how to pay for repairs to the breakwater that was damaged in last winter's storms.

Under the plan, the council will borrow twelve million to rebuild the outer wall, widen the ferry terminal and replace the lighting along the promenade. Work is expected to begin in the spring and last about two years.

Opponents argued that the borrowing would leave less money for schools and libraries, and several residents spoke against the plan at the meeting. The mayor said the harbour was the city's front door and could not be left to crumble.

Fishing crews, who have complained for years about the state of the quays, welcomed the decision but asked that their moorings stay open while the work goes on. The harbour master promised a timetable within a month.`

func rec(url, text string) *store.Record {
	return &store.Record{Article: article.Article{URL: url, Title: "Council approves harbour budget", Text: text}}
}

func ingest(t *testing.T, st store.Store, recs ...*store.Record) []archive.Result {
	t.Helper()
	res, err := archive.Ingest(context.Background(), st, recs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestIngestDecisions(t *testing.T) {
	st := mustOpen(t)
	edited := strings.Replace(story, "twelve million", "fourteen million", 1)
	unrelated := `The national football team won its opening match of the tournament on Saturday, beating the hosts by two goals to one in front of a sold-out crowd.

The winning goal came in the final minute, when the substitute striker headed in a corner at the far post. The coach praised the players for keeping their nerve after a difficult first half.`

	steps := []struct {
		name        string
		rec         *store.Record
		outcome     store.Outcome
		version     int
		clusterOf   string // URL whose article's cluster it must join ("" = its own)
		wantFailure bool
	}{
		{"new", rec("https://news.example.com/2024/05/harbour-budget", story), store.New, 1, "", false},
		{"same again", rec("https://news.example.com/2024/05/harbour-budget", story), store.Unchanged, 1, "", false},
		{"tracking parameters", rec("https://news.example.com/2024/05/harbour-budget?utm_source=feed&fbclid=x", story), store.Unchanged, 1, "", false},
		{"declared canonical", &store.Record{Article: article.Article{
			URL: "https://news.example.com/amp/2024/05/harbour-budget?x=1", CanonicalURL: "/2024/05/harbour-budget",
			Title: "Council approves harbour budget", Text: story}},
			store.Unchanged, 1, "", false},
		{"same text, new metadata", &store.Record{Article: article.Article{URL: "https://news.example.com/2024/05/harbour-budget",
			Title: "Council approves harbour repairs budget", Authors: []string{"Ann Lee"}, Text: story}, ExtractorVersion: "2"},
			store.Refreshed, 1, "", false},
		{"exact copy elsewhere", rec("https://syndicate.example.org/harbour-budget", story), store.Duplicate, 1,
			"https://news.example.com/2024/05/harbour-budget", false},
		{"copy with other spacing and quotes", rec("https://other.example.net/h", strings.ReplaceAll(story, "'", "’")+"\n\n"),
			store.Duplicate, 1, "https://news.example.com/2024/05/harbour-budget", false},
		{"lightly edited copy", rec("https://third.example.net/harbour", edited), store.Duplicate, 1,
			"https://news.example.com/2024/05/harbour-budget", false},
		{"unrelated", rec("https://sport.example.com/match", unrelated), store.New, 1, "", false},
		{"text changed at the same URL", rec("https://news.example.com/2024/05/harbour-budget", story+"\n\nCorrection: the vote was on Monday."),
			store.Updated, 2, "https://news.example.com/2024/05/harbour-budget", false},
		{"not http", rec("ftp://news.example.com/x", story), 0, 0, "", true},
		{"no URL", rec("", story), 0, 0, "", true},
	}
	for _, s := range steps {
		res := ingest(t, st, s.rec)[0]
		if s.wantFailure {
			if !errors.Is(res.Err, archive.ErrNoURL) {
				t.Errorf("%s: err = %v, want ErrNoURL", s.name, res.Err)
			}
			continue
		}
		if res.Err != nil {
			t.Fatalf("%s: %v", s.name, res.Err)
		}
		if res.Outcome != s.outcome || res.Version != s.version {
			t.Errorf("%s: %v version %d, want %v version %d", s.name, res.Outcome, res.Version, s.outcome, s.version)
		}
		wantCluster := res.ID
		if s.clusterOf != "" {
			cu, _ := canon.URL(s.clusterOf)
			wantCluster = canon.ID(cu)
		}
		if res.ClusterID != wantCluster {
			t.Errorf("%s: cluster %s, want %s", s.name, res.ClusterID, wantCluster)
		}
		if s.outcome != store.Unchanged && s.rec.ID != res.ID {
			t.Errorf("%s: record id %s, result id %s", s.name, s.rec.ID, res.ID)
		}
	}
	ctx := context.Background()
	cu, _ := canon.URL("https://news.example.com/2024/05/harbour-budget")
	members, err := st.Cluster(ctx, canon.ID(cu))
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 4 {
		t.Errorf("cluster has %d members, want 4", len(members))
	}
	vs, err := st.Versions(ctx, canon.ID(cu))
	if err != nil || len(vs) != 2 {
		t.Errorf("versions = %d, %v; want 2", len(vs), err)
	}
	stats, _ := st.Stats(ctx)
	if stats.Articles != 5 {
		t.Errorf("articles = %d, want 5", stats.Articles)
	}
}

func TestIngestBatch(t *testing.T) {
	st := mustOpen(t)
	res := ingest(t, st,
		rec("https://a.example/story", story),
		rec("not a url", story),
		rec("https://b.example/story", story),
		rec("https://c.example/short", "Too short to sign."),
		rec("https://d.example/short", "Too  short to sign!"),
	)
	// The short texts are equal once normalised, but too short to say
	// that the two pages are one article (see TestShortTextsStayAlone).
	want := []store.Outcome{store.New, 0, store.Duplicate, store.New, store.New}
	for i, r := range res {
		if i == 1 {
			if r.Err == nil {
				t.Error("bad URL in a batch: no error")
			}
			continue
		}
		if r.Err != nil || r.Outcome != want[i] {
			t.Errorf("batch item %d: %v %v, want %v", i, r.Outcome, r.Err, want[i])
		}
	}
	if res[2].ClusterID != res[0].ID || res[4].ClusterID != res[4].ID {
		t.Errorf("batch clusters %s %s, want %s %s", res[2].ClusterID, res[4].ClusterID, res[0].ID, res[4].ID)
	}
	// Running the same import again changes nothing.
	again := ingest(t, st, rec("https://a.example/story", story), rec("https://b.example/story", story))
	for _, r := range again {
		if r.Outcome != store.Unchanged {
			t.Errorf("re-import: %v, want unchanged", r.Outcome)
		}
	}
}

func TestIngestCancelled(t *testing.T) {
	st := mustOpen(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := archive.Ingest(ctx, st, []*store.Record{rec("https://a.example/story", story)}); err == nil {
		t.Fatal("Ingest with a cancelled context succeeded")
	}
	if s, _ := st.Stats(context.Background()); s.Articles != 0 {
		t.Errorf("a cancelled ingest stored %d articles", s.Articles)
	}
}

func TestPrepare(t *testing.T) {
	r := &store.Record{Article: article.Article{
		URL:     "HTTPS://News.Example.com:443/a?utm_medium=x#top",
		Title:   "Bad\x02 title\x03",
		Authors: []string{"Jane\x00 Doe"},
		Text:    "One\x02 two\tthree\n\nfour.",
	}}
	e, err := archive.Prepare(r, storetestNow)
	if err != nil {
		t.Fatal(err)
	}
	if r.CanonicalURL != "https://news.example.com/a" || r.ID != canon.ID(r.CanonicalURL) {
		t.Errorf("canonical %q id %q", r.CanonicalURL, r.ID)
	}
	if r.Title != "Bad title" || r.Authors[0] != "Jane Doe" || r.Text != "One two\tthree\n\nfour." {
		t.Errorf("control characters kept: %q %q %q", r.Title, r.Authors, r.Text)
	}
	if r.WordCount != 4 || r.ContentHash == "" || !r.FetchedAt.Equal(storetestNow) {
		t.Errorf("derived fields: %+v", r)
	}
	// A count given with the record (another tool's, or nonsense) is
	// replaced by the text's own.
	for _, given := range []int{-5, 1, 400} {
		r := &store.Record{Article: article.Article{URL: "https://news.example.com/b", Title: "T", Text: "One two three.", WordCount: given}}
		if _, err := archive.Prepare(r, storetestNow); err != nil || r.WordCount != 3 {
			t.Errorf("word count %d given: %d after Prepare (%v), want 3", given, r.WordCount, err)
		}
	}
	if e.Record != r || len(e.Bands) != 0 {
		t.Errorf("a four-word text has %d bands, want none", len(e.Bands))
	}
	// An original URL given with the record is normalised as canonical
	// URLs are; one that is not a URL, or is the article's own, is none.
	for given, want := range map[string]string{
		"HTTPS://Wire.Example:443/story/1?utm_source=partner#x": "https://wire.example/story/1",
		"not a url":                                 "",
		"ftp://wire.example/story/1":                "",
		"https://news.example.com/c?utm_campaign=y": "",
	} {
		r := &store.Record{Article: article.Article{URL: "https://news.example.com/c", OriginalURL: given, Title: "T", Text: "One two three."}}
		if _, err := archive.Prepare(r, storetestNow); err != nil || r.OriginalURL != want {
			t.Errorf("original URL %q: %q after Prepare (%v), want %q", given, r.OriginalURL, err, want)
		}
	}
}

var storetestNow = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// TestNearDuplicateConfirmedExactly: a copy whose true similarity is over
// the threshold joins the cluster even when the MinHash estimate says it
// is under (the estimate misses about 6% of pairs at J = 0.85), and one
// whose true similarity is under stays out even when the estimate is over.
func TestNearDuplicateConfirmedExactly(t *testing.T) {
	words := strings.Fields(story)
	rng := rand.New(rand.NewPCG(7, 11))
	sig := dedupe.Sign(story)
	shares := func(a, b dedupe.Signature) bool {
		for i, x := range a.Bands() {
			if b.Bands()[i] == x {
				return true
			}
		}
		return false
	}
	// edit returns story with n words replaced, and its exact and
	// estimated similarity to story.
	edit := func(n int) (string, float64, float64) {
		w := append([]string(nil), words...)
		for range n {
			w[rng.IntN(len(w))] = fmt.Sprintf("w%d", rng.IntN(1_000_000))
		}
		text := strings.Join(w, " ")
		s := dedupe.Sign(text)
		if !shares(sig, s) {
			return "", 0, 0
		}
		return text, dedupe.Jaccard(story, text), dedupe.Similarity(sig, s)
	}
	var under, over string // exact ≥ threshold but estimate under it; the reverse
	for tries := 0; (under == "" || over == "") && tries < 20000; tries++ {
		text, exact, est := edit(3 + rng.IntN(4))
		switch {
		case text == "":
		case under == "" && exact >= dedupe.Threshold && est < dedupe.Threshold:
			under = text
		case over == "" && exact < dedupe.Threshold && est >= dedupe.Threshold:
			over = text
		}
	}
	if under == "" || over == "" {
		t.Fatalf("no pair found where the estimate and the exact similarity disagree (under %v, over %v)", under != "", over != "")
	}
	st := mustOpen(t)
	res := ingest(t, st,
		rec("https://news.example.com/2024/05/harbour-budget", story),
		rec("https://copy.example.org/a", under),
		rec("https://copy.example.org/b", over))
	if res[1].Outcome != store.Duplicate || res[1].ClusterID != res[0].ID {
		t.Errorf("copy at J ≥ %.2f with a low estimate: %v in cluster %s, want a duplicate in %s", dedupe.Threshold, res[1].Outcome, res[1].ClusterID, res[0].ID)
	}
	if res[2].Outcome != store.New {
		t.Errorf("copy at J < %.2f with a high estimate: %v, want new", dedupe.Threshold, res[2].Outcome)
	}
}

// Identify gives the id and content hash Prepare gives, for records as
// extracted and as imported (control characters, paragraphs apart by
// several blank lines, a canonical URL only), and leaves the record as
// it was.
func TestIdentifyAsPrepare(t *testing.T) {
	recs := []*store.Record{
		{Article: article.Article{URL: "https://News.example/a?utm_source=x", Text: "One paragraph.\n\nAnother one."}},
		{Article: article.Article{URL: "https://news.example/b", CanonicalURL: "https://news.example/b-canonical", Text: "  Spaced\u0007 out.\n\n\n\nAnd\tthen  some.  "}},
		{Article: article.Article{CanonicalURL: "https://news.example/c", Text: "Only a canonical URL."}},
		{Article: article.Article{Text: "No URL at all."}},
	}
	for _, r := range recs {
		before := *r
		id, hash := archive.Identify(r)
		if r.Text != before.Text || r.URL != before.URL || r.ID != "" {
			t.Errorf("Identify changed the record: %+v", r)
		}
		_, err := archive.Prepare(r, time.Now())
		if err != nil {
			if id != "" || hash != "" {
				t.Errorf("%q: Prepare refused it (%v), Identify gave %q %q", before.Text, err, id, hash)
			}
			continue
		}
		if id != r.ID || hash != r.ContentHash {
			t.Errorf("%q: Identify %q %q, Prepare %q %q", before.Text, id, hash, r.ID, r.ContentHash)
		}
	}
}
