package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
)

// testCaptureChain: a capture reference keeps where its redirect chain
// starts (ChainOffset) through Put, Get, Scan, ScanMeta, ScanCaptures and
// the earlier versions Versions gives, as the offset before it: a chain
// before the response, none (the response's own offset), and not known
// (0, as for references stored before chain offsets were).
func testCaptureChain(t *testing.T, st store.Store) {
	ctx := context.Background()
	caps := map[string]store.Capture{
		"ch1": {File: "herald.db.warc/h-1.warc.gz", Offset: 9000, RecordID: "<urn:uuid:ch1>", ChainOffset: 7500},
		"ch2": {File: "herald.db.warc/h-1.warc.gz", Offset: 12000, RecordID: "<urn:uuid:ch2>", ChainOffset: 12000},
		"ch3": {File: "/imported/in.warc.gz", Offset: 300, RecordID: "<urn:uuid:ch3>"},
	}
	var entries []store.Entry
	for _, id := range []string{"ch1", "ch2", "ch3"} {
		c := caps[id]
		e := Fixture()[1]
		url := "https://chains.example/" + id
		e.Record.ID, e.Record.URL, e.Record.CanonicalURL, e.Record.ClusterID = id, url, url, ""
		e.Record.Text = fmt.Sprintf("The story %s, reached through redirects or not, with a text of its own here.", id)
		e.Record.ContentHash, e.Record.Capture, e.Bands = Hash(e.Record.Text), &c, nil
		entries = append(entries, e)
	}
	Load(t, st, entries)
	check := func(how string, id string, got *store.Capture) {
		t.Helper()
		if want := caps[id]; got == nil || *got != want {
			t.Errorf("%s %s: capture %+v, want %+v", how, id, got, want)
		}
	}
	for id := range caps {
		r, err := st.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		check("Get", id, r.Capture)
	}
	all, err := query.Parse("")
	if err != nil {
		t.Fatal(err)
	}
	for _, scan := range []struct {
		name string
		fn   func(context.Context, store.Store, *query.Query, func(*store.Record) error) error
	}{
		{"Scan", func(ctx context.Context, st store.Store, q *query.Query, fn func(*store.Record) error) error {
			return st.Scan(ctx, q, fn)
		}},
		{"ScanMeta", store.ScanMeta},
	} {
		n := 0
		err := scan.fn(ctx, st, all, func(r *store.Record) error {
			if _, ok := caps[r.ID]; ok {
				n++
				check(scan.name, r.ID, r.Capture)
			}
			return nil
		})
		if err != nil || n != len(caps) {
			t.Errorf("%s: %d of the articles, %v", scan.name, n, err)
		}
	}
	if cs, ok := st.(store.CaptureScanner); ok {
		n := 0
		err := cs.ScanCaptures(ctx, func(c store.CaptureRef) error {
			if _, ok := caps[c.ID]; ok {
				n++
				check("ScanCaptures", c.ID, &c.Capture)
			}
			return nil
		})
		if err != nil || n != len(caps) {
			t.Errorf("ScanCaptures: %d of the articles, %v", n, err)
		}
	}

	// A new version, harvested through another chain: the article has
	// the new reference, its earlier version keeps the old one.
	changed := entries[0]
	changed.Record.Text = strings.Replace(changed.Record.Text, "a text of its own", "a text changed since", 1)
	changed.Record.ContentHash = Hash(changed.Record.Text)
	newer := store.Capture{File: "herald.db.warc/h-2.warc.gz", Offset: 4100, RecordID: "<urn:uuid:ch1b>", ChainOffset: 2300}
	changed.Record.Capture = &newer
	if out := put(t, st, changed); out != store.Updated {
		t.Fatalf("put = %v, want updated", out)
	}
	vs, err := st.Versions(ctx, "ch1")
	if err != nil || len(vs) != 2 {
		t.Fatalf("Versions(ch1) = %d, %v", len(vs), err)
	}
	check("version 1 of", "ch1", vs[0].Capture)
	caps["ch1"] = newer
	check("version 2 of", "ch1", vs[1].Capture)
	r, err := st.Get(ctx, "ch1")
	if err != nil {
		t.Fatal(err)
	}
	check("Get after the update", "ch1", r.Capture)
}
