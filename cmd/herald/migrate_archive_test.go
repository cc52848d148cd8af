package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlite"
	"github.com/herald-archive/herald/internal/store/storetest"
)

// TestMigrateArchiveValidatorsNotEmpty: a destination that holds nothing
// but the validators kept for a child sitemap (what a harvest of a
// sitemap index keeps) is not empty: migrate-archive refuses it without
// --merge, as it refuses one holding anything else it copies, and leaves
// it as it was; with --merge the kept validators stay.
func TestMigrateArchiveValidatorsNotEmpty(t *testing.T) {
	fleetArchives(t, func(t *testing.T, dst string) {
		ctx := context.Background()
		src := filepath.Join(t.TempDir(), "src.db")
		st, err := sqlite.Open(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		storetest.Load(t, st, storetest.Fixture()[:2])
		const child = "https://example.org/sitemap-2024-05.xml"
		if err := st.KeepSitemapValidators(ctx, child, store.Validators{ETag: `"from the source"`}); err != nil {
			t.Fatal(err)
		}
		st.Close()

		d, err := openLocation(ctx, dst, true)
		if err != nil {
			t.Fatal(err)
		}
		kept := store.Validators{ETag: `"m5"`, LastModified: "Fri, 31 May 2024 23:00:00 GMT"}
		if err := d.(store.ValidatorKeeper).KeepSitemapValidators(ctx, child, kept); err != nil {
			t.Fatal(err)
		}
		d.Close()
		check := func(what string, articles int) {
			t.Helper()
			d, err := openLocation(ctx, dst, false)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			v, err := d.(store.ValidatorKeeper).SitemapValidators(ctx, child)
			if err != nil || v != kept {
				t.Errorf("%s: the destination keeps %+v (%v) for %s, want %+v", what, v, err, child, kept)
			}
			s, err := d.Stats(ctx)
			if err != nil || s.Articles != articles {
				t.Errorf("%s: the destination holds %d articles (%v), want %d", what, s.Articles, err, articles)
			}
		}

		out, stderr, code := herald(t, "", "migrate-archive", "--from", src, "--to", dst)
		if code == 0 || !strings.Contains(stderr, "not empty: give --merge") {
			t.Errorf("copy into a destination holding sitemap validators: exit %d\n%s%s", code, out, stderr)
		}
		check("refused", 0)
		out, stderr, code = herald(t, "", "migrate-archive", "--merge", "--from", src, "--to", dst)
		if code != 0 || !strings.Contains(out, "2 articles (2 versions) copied") || !strings.Contains(out, "0 sitemap validators") {
			t.Errorf("merge: exit %d\n%s%s", code, out, stderr)
		}
		check("merged", 2)
	})
}

// TestMigrateArchiveCopiesDeletions: the deletions the source recorded
// (herald deleted) are in the copy, and a new copy knows deletions from
// when the source began recording them, so that a reader of the source's
// deltas and deletions can go on from the copy: warned where the source
// warns (before an upgrade began the recording), and only there.
func TestMigrateArchiveCopiesDeletions(t *testing.T) {
	fleetArchives(t, func(t *testing.T, dst string) {
		ctx := context.Background()
		src := filepath.Join(t.TempDir(), "src.db")
		st, err := sqlite.Open(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		recs := storetest.Fixture()[:3]
		storetest.Load(t, st, recs)
		st.Close()
		// As an archive upgraded an hour ago, whose deletions before are
		// not known.
		from := time.Now().Add(-time.Hour).UTC().Truncate(time.Millisecond)
		raw, err := sql.Open("sqlite", src)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(`UPDATE counters SET deletions_from = ?`, from.UnixMilli()); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		for _, r := range recs[:2] {
			if _, stderr, code := herald(t, "", "--db", src, "delete", "--id", r.Record.ID, "--yes"); code != 0 {
				t.Fatalf("delete %s: exit %d\n%s", r.Record.ID, code, stderr)
			}
		}
		want, stderr, code := herald(t, "", "--db", src, "deleted", "--since", from.Format(time.RFC3339Nano), "--json")
		if code != 0 || strings.Count(want, "\n") != 2 || stderr == "" {
			t.Fatalf("deleted in the source: exit %d\n%s%s", code, want, stderr)
		}

		out, stderr, code := herald(t, "", "migrate-archive", "--from", src, "--to", dst)
		if code != 0 || !strings.Contains(out, "(1 versions) copied") || !strings.Contains(out, "2 deletions") {
			t.Fatalf("copy: exit %d\n%s%s", code, out, stderr)
		}
		got, gotErr, code := herald(t, "", "--db", dst, "deleted", "--since", from.Format(time.RFC3339Nano), "--json")
		if code != 0 || got != want || strings.Contains(gotErr, "not known") {
			t.Errorf("deleted in the copy: exit %d\n%s%s\nwant as in the source:\n%s", code, got, gotErr, want)
		}
		for _, db := range []string{src, dst} {
			if _, stderr, code := herald(t, "", "--db", db, "deleted", "--since", "7d"); code != 0 ||
				!strings.Contains(stderr, "warning: articles deleted before "+from.Format("2006-01-02T15:04:05.000Z")) {
				t.Errorf("%s, since before the recording began: exit %d\n%s", db, code, stderr)
			}
		}
	})
}
