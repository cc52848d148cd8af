package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

func TestFTSText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"Harbour reopens — “soon”, officials say.", "Harbour reopens — “soon”, officials say."},
		{"Москва готовится к зиме", "Москва готовится к зиме"},
		{"서울 지하철 개통", "서울 지하철 개통"}, // Korean is written with spaces
		{"地铁", "地 铁"},
		{"本市第三条地铁线路，全长。", "本 市 第 三 条 地 铁 线 路 ， 全 长 。"},
		{"Apple发布了新iPhone", "Apple 发 布 了 新 iPhone"},
		{"東京メトロは十日", "東 京 メ ト ロ は 十 日"},
		{"地 铁\n线", "地 铁\n线"},
		{"a地", "a 地"},
		{"“地铁”", "“ 地 铁 ”"},
		{"ｶﾞｰ", "ｶ ﾞ ｰ"},
		{"x\xff地\xfe", "x\xff 地 \xfe"}, // bytes that are not UTF-8 stay as they are
	} {
		got := sqlite.FTSText(c.in)
		if got != c.want {
			t.Errorf("FTSText(%q) = %q, want %q", c.in, got, c.want)
		}
		if again := sqlite.FTSText(got); again != got {
			t.Errorf("FTSText(%q) = %q, not idempotent", got, again)
		}
		if c.in == c.want && utf8.ValidString(c.in) && strings.ContainsRune(c.in, 'H') {
			// The same string, not a copy: nothing allocated.
			if n := testing.AllocsPerRun(10, func() { _ = sqlite.FTSText(c.in) }); n != 0 {
				t.Errorf("FTSText(%q) allocates %v times", c.in, n)
			}
		}
	}
}

// The full-text index agrees with the articles after Chinese and Japanese
// articles are written, refreshed, rewritten and joined by a duplicate:
// the values indexed in Go (FTSText) and those the view gives back
// (herald_fts) are the same.
func TestCJKIndexIntegrity(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sqlite.SetDictMinText(db, 1)
	storetest.Load(t, db, storetest.Fixture())
	storetest.LoadCJK(t, db)
	if err := sqlite.IndexIntegrity(db); err != nil {
		t.Fatalf("after loading: %v", err)
	}
	storetest.CJKWrites(t, db)
	if err := sqlite.IndexIntegrity(db); err != nil {
		t.Fatalf("after writes: %v", err)
	}
}

// An archive indexed before Chinese and Japanese characters were tokens of
// their own (whole runs of them one token) is indexed again in migration
// 0013 when it is next opened: its articles with such characters are
// found by their words, the others as before, and the index passes its
// integrity check against the articles.
func TestMigrateCJKTokens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	sqlite.SetDictMinText(db, 1) // texts compressed with a dictionary, as in a real archive
	storetest.Load(t, db, storetest.Fixture())
	storetest.LoadCJK(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// The old state: the view of migration 0003 and an index built from it.
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DROP VIEW article_text`,
		`CREATE VIEW article_text AS
			SELECT a.n, a.title, a.description, herald_inflate(a.text) AS text, a.authors, a.tags,
				CASE WHEN k.cluster IS NULL THEN '' ELSE 'x' END AS dup
			FROM articles a JOIN article_keys k ON k.n = a.n`,
		`INSERT INTO article_fts (article_fts) VALUES ('rebuild')`,
		`DELETE FROM schema_migrations WHERE version = 13`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	count := func(match string) int {
		t.Helper()
		var n int
		if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM article_fts WHERE article_fts MATCH ?`, match).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`"地 铁"`); n != 0 {
		t.Fatalf("old state: 地铁 matches %d", n)
	}
	if n := count(`地铁三号线今天开通`); n != 1 {
		t.Fatalf("old state: the title's run of characters matches %d, want 1", n)
	}
	raw.Close()

	sqlite.ForgetDicts() // as herald migrate, a new process, finds it
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	applied, err := db.Applied(ctx)
	if err != nil || len(applied) < 13 || applied[12] != "0013_cjk_tokens.sql" {
		t.Fatalf("applied %v (%v)", applied, err)
	}
	storetest.CheckCJKSearch(t, db)
	if res, err := db.Search(ctx, query.MustParse("harbour"), store.SearchOptions{Limit: 20}); err != nil || res.Total != 3 {
		t.Errorf("harbour after the migration: %v matches (%v), want 3", res, err)
	}
	if err := sqlite.IndexIntegrity(db); err != nil {
		t.Errorf("full-text index after the migration: %v", err)
	}
	storetest.CJKWrites(t, db)
	if err := sqlite.IndexIntegrity(db); err != nil {
		t.Errorf("full-text index after writes: %v", err)
	}
}
