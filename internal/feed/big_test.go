package feed

import (
	"bytes"
	"fmt"
	"testing"
)

// bigRSS returns an RSS 2.0 feed of n items, each with a unique link, two
// categories, a creator, a date and an HTML description.
func bigRSS(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Harbour Times firehose</title><link>https://www.harbourtimes.example/</link>` + "\n")
	for i := range n {
		fmt.Fprintf(&b, `<item><title>Story %d about the harbour</title><link>/2024/05/%02d/story-%d.html</link><guid isPermaLink="false">ht-%d</guid><pubDate>Wed, %02d May 2024 10:%02d:00 +0200</pubDate><dc:creator>Reporter %d</dc:creator><category>Local</category><category>Harbour</category><description><![CDATA[<p>Paragraph one of story %d.</p><p>Paragraph two.</p>]]></description></item>`+"\n",
			i, i%28+1, i, i, i%28+1, i%60, i%7, i)
	}
	b.WriteString("</channel></rss>\n")
	return b.Bytes()
}

func TestParseTenThousandItems(t *testing.T) {
	const n = 10_000
	f, err := Parse(bigRSS(n), "https://www.harbourtimes.example/firehose.rss")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != n || f.Skipped != 0 || f.Duplicates != 0 {
		t.Fatalf("items=%d skipped=%d dups=%d, want %d, 0, 0", len(f.Items), f.Skipped, f.Duplicates, n)
	}
	last := f.Items[n-1]
	if want := fmt.Sprintf("https://www.harbourtimes.example/2024/05/%02d/story-%d.html", (n-1)%28+1, n-1); last.URL != want {
		t.Errorf("last URL %s, want %s", last.URL, want)
	}
	if last.Summary != fmt.Sprintf("Paragraph one of story %d. Paragraph two.", n-1) || len(last.Tags) != 2 || last.Published.IsZero() {
		t.Errorf("last item %+v", last)
	}
}

func BenchmarkParse10k(b *testing.B) {
	data := bigRSS(10_000)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		f, err := Parse(data, "https://www.harbourtimes.example/firehose.rss")
		if err != nil || len(f.Items) != 10_000 {
			b.Fatalf("err=%v items=%d", err, len(f.Items))
		}
	}
}

func BenchmarkDiscover(b *testing.B) {
	data := fixture(b, "page.html")
	// A page of realistic size: the fixture's head, then many article links.
	var body bytes.Buffer
	body.Write(data)
	for i := range 2000 {
		fmt.Fprintf(&body, `<li><a href="/2024/05/01/story-%d.html" class="headline">Story %d about the harbour</a></li>`+"\n", i, i)
	}
	data = body.Bytes()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if got := Discover(data, "https://www.harbourtimes.example/local/"); len(got) != 6 {
			b.Fatalf("found %d feeds", len(got))
		}
	}
}
