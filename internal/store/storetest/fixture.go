// Package storetest is the conformance suite every store.Store backend must
// pass, plus a deterministic generator of synthetic archives for
// benchmarks. Backends call Run from their own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return mustOpen(t) })
//	}
//
// Assertions are backend-neutral: they check which articles match and
// orderings that are unambiguous, never scores or storage details.
package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/store"
)

// Hash is the content hash the fixtures use: any stable string does for
// the store, which treats it as opaque.
func Hash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:16])
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func yes() *bool { b := true; return &b }

const harbourText = "The city harbour reopened on Thursday after three weeks of repairs.\n\n" +
	"Officials said the breakwater had been rebuilt to withstand stronger winds."

// Fixture returns the suite's small archive, one call one fresh copy. Its
// ids are a1…a8; a6 is a syndicated copy of a1 (same text) in a1's cluster.
func Fixture() []store.Entry {
	recs := []*store.Record{
		{ID: "a1", Article: article.Article{
			URL: "https://news.example.com/2021/06/03/harbour-reopens?utm_source=x", CanonicalURL: "https://news.example.com/2021/06/03/harbour-reopens",
			Title: "Harbour reopens after repairs", Description: "The city harbour is open again.",
			Authors: []string{"Jane Doe"}, Tags: []string{"Weather", "Climate Change"},
			Published: date("2021-06-03T10:00:00+02:00"), Modified: date("2021-06-03T12:30:00+02:00"),
			SiteName: "Example News", Section: "World", Language: "en",
			Image: "https://news.example.com/harbour.jpg", IsAccessibleForFree: yes(),
			Text: harbourText,
		}, Source: "https://news.example.com/feed.xml", ExtractorVersion: "test-1",
			Capture: &store.Capture{File: "captures/00001.warc.gz", Offset: 1234, RecordID: "<urn:uuid:1>"}},
		{ID: "a2", Article: article.Article{
			URL: "https://www.example.org/flood-warnings", CanonicalURL: "https://www.example.org/flood-warnings",
			Title: "Flood warnings across the valley", Authors: []string{"John Smith"}, Tags: []string{"Weather"},
			Published: date("2021-06-10T08:00:00Z"), SiteName: "Example Org", Section: "UK", Language: "en-GB",
			Text: "Heavy rain is expected across the valley tonight.\n\nResidents near the river were told to prepare for flooding.",
		}},
		{ID: "a3", Article: article.Article{
			URL: "https://other.net/storm-harbour", CanonicalURL: "https://other.net/storm-harbour",
			Title: "Storm damages harbour wall", Authors: []string{"Jane Doe", "Ali Khan"}, Tags: []string{"Storms"},
			Published: date("2022-01-15T06:00:00Z"), Section: "World", Language: "en",
			Text: "A storm damaged the old harbour wall overnight.\n\nThe rain was heavy but no one was hurt.",
		}},
		{ID: "a4", Article: article.Article{
			URL: "https://jornal.com.br/porto", CanonicalURL: "https://jornal.com.br/porto",
			Title: "Tempestade atinge o porto", Authors: []string{"Maria Silva"}, Tags: []string{"Clima"},
			Published: date("2022-02-01T12:00:00-03:00"), Section: "Brasil", Language: "pt-BR",
			Text: "Uma tempestade atingiu o porto de Santos.\n\nA prefeitura de São Paulo avaliou os danos.",
		}},
		{ID: "a5", Article: article.Article{
			URL: "https://news.ru/moscow", CanonicalURL: "https://news.ru/moscow",
			Title: "Москва готовится к зиме", Published: date("2020-12-31T23:30:00Z"), Language: "ru",
			Text: "В Москве выпал первый снег.\n\nГородские службы работают круглосуточно.",
		}},
		{ID: "a6", ClusterID: "a1", Article: article.Article{
			URL: "https://syndicator.com/harbour-reopens", CanonicalURL: "https://syndicator.com/harbour-reopens",
			OriginalURL: "https://news.example.com/2021/06/03/harbour-reopens",
			Title:       "Harbour reopens after repairs", Authors: []string{"Jane Doe"}, Tags: []string{"Weather", "Climate Change"},
			Published: date("2021-06-04T09:00:00Z"), SiteName: "Syndicator", Language: "en",
			Text: harbourText,
		}},
		{ID: "a7", Article: article.Article{
			URL: "https://example.org/preview", CanonicalURL: "https://example.org/preview",
			Title: "Preview of the season", Language: "en",
			Text: "A preview of what the prevention campaign will bring.\n\nPreviews are available online.",
		}, FetchedAt: date("2023-03-05T00:00:00Z")},
		{ID: "a8", Article: article.Article{
			URL: "https://blog.example.com/cafe", CanonicalURL: "https://blog.example.com/cafe",
			Title: "Café culture returns", Tags: []string{"Food"}, Published: date("2023-01-02T00:00:00Z"), Language: "en",
			Text: "The café on the corner reopened its terrace.\n\nNo storm could keep the regulars away.",
		}},
	}
	entries := make([]store.Entry, len(recs))
	for i, r := range recs {
		r.WordCount = article.CountWords(r.Text)
		r.ContentHash = Hash(r.Text)
		if r.FetchedAt.IsZero() {
			r.FetchedAt = date("2023-06-01T00:00:00Z")
		}
		// Bands: a1 and a6 share all; a3 shares one with them.
		bands := []uint64{uint64(100 + i), uint64(200 + i)}
		switch r.ID {
		case "a1", "a6":
			bands = []uint64{1, 2, 3}
		case "a3":
			bands = []uint64{3, 300}
		}
		entries[i] = store.Entry{Record: r, Bands: bands}
	}
	return entries
}
