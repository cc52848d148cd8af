package postgres_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/postgres"
	"github.com/herald-archive/herald/internal/store/postgres/pgtest"
)

// filler is text that none of the ranking test's queries touch.
func filler(words int) string {
	base := strings.Fields("the harbour committee met on a grey morning to discuss budgets roads bridges and parks")
	out := make([]string, words)
	for i := range out {
		out[i] = base[i%len(base)]
	}
	return strings.Join(out, " ") + "."
}

// rankedIDs searches q by relevance and returns the hits' URLs' last
// path segments.
func rankedIDs(t *testing.T, st store.Store, q string) []string {
	t.Helper()
	pq, err := query.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Search(context.Background(), pq, store.SearchOptions{Sort: query.SortRelevance})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Record.URL[strings.LastIndex(h.Record.URL, "/")+1:])
	}
	return out
}

// An article's language chooses the text search configuration that
// ranks it: a query for one form of a word scores the other forms too,
// in English and in Russian, while which articles match stays that of
// the unstemmed vector (the same as SQLite's). Each pair is built so
// that the unstemmed ranking puts the other article first: "plain" has
// the query's form once in a short text, "forms" has it once in a longer
// text plus three other forms of the word.
func TestLanguageAwareRanking(t *testing.T) {
	ctx := context.Background()
	db := pgtest.Open(t)
	defer db.Close()
	day := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	mk := func(path, lang, title, text string) *store.Record {
		day = day.Add(time.Hour)
		return &store.Record{Article: article.Article{
			URL: "https://news.example.com/" + path, Title: title, Language: lang,
			Published: day, Text: text,
		}}
	}
	recs := []*store.Record{
		mk("en-plain", "en", "Council news", "The election was held on Sunday. "+filler(40)),
		mk("en-forms", "en-GB", "Council report", "The election was held on Sunday. Elections were "+
			"close, the elected members said, and more elections follow. "+filler(120)),
		mk("ru-plain", "ru", "Новости", "Выборы прошли в воскресенье. Город готовится к зиме. "+filler(40)),
		mk("ru-forms", "ru", "Отчёт", "Выборы прошли в воскресенье. Итоги выборов объявят завтра, "+
			"о выборах спорят, к выборам готовились долго. "+filler(120)),
		// The same pair with no language: ranked on the unstemmed vector.
		mk("xx-plain", "", "Council news", "The ballot was held on Sunday. "+filler(40)),
		mk("xx-forms", "", "Council report", "The ballot was held on Sunday. Ballots were "+
			"close, the balloted members said, and more ballots follow. "+filler(120)),
	}
	if _, err := archive.Ingest(ctx, db, recs); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"election", []string{"en-forms", "en-plain"}},
		{"выборы", []string{"ru-forms", "ru-plain"}},
		{"ballot", []string{"xx-plain", "xx-forms"}},
		// Matching is not stemmed: only the article with the plural.
		{"elections", []string{"en-forms"}},
		{"выборов", []string{"ru-forms"}},
		// Prefixes and phrases go through the configuration too.
		{"elect*", []string{"en-forms", "en-plain"}},
		{`"the election"`, []string{"en-forms", "en-plain"}},
		// A query of English stop words alone ranks on the unstemmed vector.
		{`"was held" ballot`, []string{"xx-plain", "xx-forms"}},
	} {
		if got := rankedIDs(t, db, c.q); !slices.Equal(got, c.want) {
			t.Errorf("%s: ranked %v, want %v", c.q, got, c.want)
		}
	}
	// The stemmed vector is built from the language's configuration.
	var cfgs []string
	rows, err := postgres.RawDB(db).QueryContext(ctx, `SELECT coalesce(ts_config::text, '-') FROM articles ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		cfgs = append(cfgs, s)
	}
	if want := []string{"english", "english", "russian", "russian", "-", "-"}; !slices.Equal(cfgs, want) {
		t.Errorf("configurations %v, want %v", cfgs, want)
	}
}

// Migration 0004 fills the stemmed vectors of the articles an archive
// already holds: an archive taken back to schema 3 (its columns, function
// and record dropped) gets them again when it is next opened.
func TestStemsMigrationBackfills(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	recs := []*store.Record{
		{Article: article.Article{URL: "https://a.example/en-plain", Title: "Plain", Language: "en",
			Published: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Text: "The election was held. " + filler(40)}},
		{Article: article.Article{URL: "https://a.example/en-forms", Title: "Forms", Language: "en",
			Published: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC),
			Text:      "The election was held. Elections and elected members, more elections. " + filler(120)}},
	}
	if _, err := archive.Ingest(ctx, db, recs); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DROP FUNCTION herald_rank(tsvector, tsvector, regconfig, tsquery)`,
		`ALTER TABLE articles DROP COLUMN stems, DROP COLUMN ts_config`,
		`DELETE FROM schema_migrations WHERE version = 4`,
	} {
		if _, err := postgres.RawDB(db).ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	db, err = postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stemmed int
	if err := postgres.RawDB(db).QueryRowContext(ctx,
		`SELECT count(*) FROM articles WHERE ts_config = 'english'::regconfig AND stems @@ 'elect'::tsquery`).Scan(&stemmed); err != nil {
		t.Fatal(err)
	}
	if stemmed != 2 {
		t.Errorf("%d articles with English stems after the migration, want 2", stemmed)
	}
	if got, want := rankedIDs(t, db, "election"), []string{"en-forms", "en-plain"}; !slices.Equal(got, want) {
		t.Errorf("after the migration, election ranked %v, want %v", got, want)
	}
}
