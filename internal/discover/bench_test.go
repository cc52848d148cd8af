package discover

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkLinks reads a 2,000-link section page.
func BenchmarkLinks(b *testing.B) {
	var page bytes.Buffer
	page.Write(fixture(b, "section.html"))
	for i := range 2000 {
		fmt.Fprintf(&page, `<li class="teaser"><a href="/2024/05/%02d/story-%d-about-the-harbour.html"><img src="/img/%d.jpg" alt=""> Story %d about the <em>harbour</em></a></li>`+"\n", i%28+1, i, i, i)
	}
	data := page.Bytes()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if n := len(Links(data, "https://www.harbourtimes.example/local/")); n < 2000 {
			b.Fatalf("%d links", n)
		}
	}
}

func BenchmarkLooksLikeArticle(b *testing.B) {
	urls := []string{
		"https://www.harbourtimes.example/2024/05/01/harbour-reopens-after-storm-repairs.html",
		"https://www.harbourtimes.example/tag/harbour/",
		"https://www.harbourtimes.example/culture/festival-returns-to-the-old-town",
		"https://www.harbourtimes.example/local/?page=3",
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, u := range urls {
			LooksLikeArticle(u)
		}
	}
}
