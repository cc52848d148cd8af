package crossbackend

import (
	"database/sql"
	"path/filepath"
	"testing"
)

// fts5Terms indexes docs (document i+1 is docs[i]) in an FTS5 table with
// the archive's tokenizer, "unicode61 remove_diacritics 2", and returns
// the terms SQLite made of each document, in order: what the Go tokenizer
// (package fulltext) must reproduce.
func fts5Terms(t *testing.T, docs []string) map[int64][]string {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "fts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		`CREATE VIRTUAL TABLE f USING fts5 (x, tokenize = 'unicode61 remove_diacritics 2')`,
		`CREATE VIRTUAL TABLE v USING fts5vocab (f, 'instance')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range docs {
		if _, err := tx.Exec(`INSERT INTO f (rowid, x) VALUES (?, ?)`, i+1, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT doc, term FROM v ORDER BY doc, offset`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	terms := map[int64][]string{}
	for rows.Next() {
		var doc int64
		var term string
		if err := rows.Scan(&doc, &term); err != nil {
			t.Fatal(err)
		}
		terms[doc] = append(terms[doc], term)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return terms
}
