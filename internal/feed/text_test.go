package feed

import "testing"

func TestFirstImageSrc(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<p>Text</p><img src="/a.jpg"><img src="/b.jpg">`, "/a.jpg"},
		{`<IMG SRC="/upper.png" alt="">`, "/upper.png"},
		{`<img alt="no src"><img src="" ><img data-src="/lazy.jpg" src="/real.jpg"/>`, "/real.jpg"},
		{`<p>no image</p>`, ""},
		{`<script>var s = '<img src="/fake.jpg">'</script>`, ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := firstImageSrc(tt.in); got != tt.want {
			t.Errorf("firstImageSrc(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseImageSources(t *testing.T) {
	const rssHead = `<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title><item><link>https://www.harbourtimes.example/a</link>`
	const rssTail = `</item></channel></rss>`
	tests := []struct{ name, feed, want string }{
		{"content img", rssHead + `<content:encoded><![CDATA[<p>x</p><img src="/img/c.jpg">]]></content:encoded>` + rssTail, "https://www.harbourtimes.example/img/c.jpg"},
		{"description img", rssHead + `<description>&lt;img src="https://cdn.example/d.jpg"&gt;</description>` + rssTail, "https://cdn.example/d.jpg"},
		{"media group", rssHead + `<media:group><media:content url="/v.mp4" medium="video"/><media:content url="/g.jpg" type="image/jpeg"/></media:group>` + rssTail, "https://www.harbourtimes.example/g.jpg"},
		{"declared before content", rssHead + `<media:thumbnail url="/t.jpg"/><description>&lt;img src="/d.jpg"&gt;</description>` + rssTail, "https://www.harbourtimes.example/t.jpg"},
		{"non-http image ignored", rssHead + `<media:thumbnail url="data:image/png;base64,AAAA"/>` + rssTail, ""},
		{"atom enclosure", `<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="https://www.harbourtimes.example/a"/><link rel="enclosure" type="image/png" href="/e.png"/><id>x</id></entry></feed>`, "https://www.harbourtimes.example/e.png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.feed), "https://www.harbourtimes.example/feed")
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Items) != 1 {
				t.Fatalf("%d items", len(f.Items))
			}
			if got := f.Items[0].ImageURL; got != tt.want {
				t.Errorf("ImageURL = %q, want %q", got, tt.want)
			}
		})
	}
}
