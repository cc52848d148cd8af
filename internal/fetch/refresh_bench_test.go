package fetch

import (
	"net/url"
	"strings"
	"testing"
)

// BenchmarkMetaRefreshArticle: looking for a meta refresh in an ordinary
// article page (none there), which every harvested page goes through.
func BenchmarkMetaRefreshArticle(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<!doctype html><html><head><title>Harbour reopens</title><meta charset="utf-8"><meta name="description" content="The harbour is open."><link rel="stylesheet" href="/s.css"></head><body><nav><a href="/">Home</a></nav><article><h1>Harbour reopens</h1>`)
	for sb.Len() < 100<<10 {
		sb.WriteString(`<p class="para">The city harbour reopened on Thursday after three weeks of repairs to the <a href="/storm">storm-damaged</a> breakwater, officials said.</p>`)
	}
	sb.WriteString(`</article></body></html>`)
	page := []byte(sb.String())
	base, _ := url.Parse("https://news.example.com/harbour")
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if _, ok := metaRefresh(page, base); ok {
			b.Fatal("found a refresh")
		}
	}
}
