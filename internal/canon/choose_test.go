package canon

import "testing"

func TestChoose(t *testing.T) {
	const article = "https://www.example.com/world/2022/02/08/talks-end-without-deal"
	tests := []struct {
		name, fetched, declared, want string
	}{
		{"no declared", article + "?utm_source=rss", "", article},
		{"same as fetched", article, article, article},
		{"declared canonicalised", "https://www.example.com/amp/world/2022/02/08/talks-end-without-deal",
			"HTTPS://WWW.EXAMPLE.COM/world/2022/02/08/talks-end-without-deal?utm_medium=x#top", article},
		{"amp host declares www", "https://amp.example.com/world/2022/02/08/talks-end-without-deal",
			article, article},
		{"other subdomain same site", "https://m.example.com/world/story-123", "https://www.example.com/world/story-123",
			"https://www.example.com/world/story-123"},
		{"second-level suffix same site", "https://news.example.co.uk/a/story-1", "https://www.example.co.uk/b/story-1",
			"https://www.example.co.uk/b/story-1"},
		{"second-level suffix other site", "https://news.example.co.uk/a/story-1", "https://www.other.co.uk/a/story-1",
			"https://news.example.co.uk/a/story-1"},
		{"other site refused", article, "https://www.elsewhere.org/world/talks-end", article},
		{"private suffix sites differ", "https://alice.blogspot.com/2022/02/post-1.html", "https://bob.blogspot.com/2022/02/post-1.html",
			"https://alice.blogspot.com/2022/02/post-1.html"},
		{"relative declared", "https://www.example.com/amp/story-123?amp=1", "/world/story-123",
			"https://www.example.com/world/story-123"},
		{"scheme-relative declared", "http://www.example.com/story-123", "//www.example.com/world/story-123",
			"http://www.example.com/world/story-123"},
		{"https upgrade declared", "http://www.example.com/world/story-123", "https://www.example.com/world/story-123",
			"https://www.example.com/world/story-123"},
		{"home page refused", article, "https://www.example.com/", article},
		{"home page without slash refused", article, "https://www.example.com", article},
		{"home page fetched home page declared", "https://www.example.com/?utm_source=x", "https://example.com/", "https://example.com/"},
		{"section refused", article, "https://www.example.com/world/", article},
		{"deeper section refused", "https://www.example.com/world/europe/talks-end-without-deal", "https://www.example.com/world/europe", "https://www.example.com/world/europe/talks-end-without-deal"},
		{"section with hyphen refused", "https://www.example.com/uk-news/2022/story-123", "https://www.example.com/uk-news", "https://www.example.com/uk-news/2022/story-123"},
		{"parent article accepted", "https://www.example.com/world/story-123/comments", "https://www.example.com/world/story-123",
			"https://www.example.com/world/story-123"},
		{"pagination to first page accepted", "https://www.example.com/world/story-123/2", "https://www.example.com/world/story-123",
			"https://www.example.com/world/story-123"},
		{"different slug accepted", "https://www.example.com/world/12345", "https://www.example.com/world/talks-end-without-deal-12345",
			"https://www.example.com/world/talks-end-without-deal-12345"},
		{"dropping the id refused", "https://www.example.com/article.php?id=123&utm_source=x", "https://www.example.com/article.php",
			"https://www.example.com/article.php?id=123"},
		{"dropping a page param accepted", "https://www.example.com/article/story-1?page=2", "https://www.example.com/article/story-1",
			"https://www.example.com/article/story-1"},
		{"declared with its own id accepted", "https://www.example.com/view?id=123&from=home", "https://www.example.com/view?id=123",
			"https://www.example.com/view?id=123"},
		{"unparsable declared", article, "http://exa mple.com/", article},
		{"declared other scheme", article, "ftp://www.example.com/world/story-1", article},
		{"declared garbage", article, "%%%", article},
		{"ip host same", "http://10.0.0.1/a/story-1", "http://10.0.0.1/b/story-1", "http://10.0.0.1/b/story-1"},
		{"ip host different", "http://10.0.0.1/a/story-1", "http://10.0.0.2/a/story-1", "http://10.0.0.1/a/story-1"},
		{"localhost", "http://localhost:8080/a/story-1", "http://localhost:8080/b/story-1", "http://localhost:8080/b/story-1"},
		{"fetched invalid", "not a url", "https://www.example.com/world/story-1", ""},
		{"fetched other scheme", "ftp://www.example.com/a", "https://www.example.com/a", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Choose(tt.fetched, tt.declared); got != tt.want {
				t.Errorf("Choose(%q, %q)\n got %q\nwant %q", tt.fetched, tt.declared, got, tt.want)
			}
		})
	}
}

// TestChooseWhy: the reason given is the rule that refused the declared
// URL, and none when it was followed or absent.
func TestChooseWhy(t *testing.T) {
	const article = "https://www.example.com/world/2022/02/08/talks-end-without-deal"
	tests := []struct {
		name, fetched, declared, want, refused string
	}{
		{"none declared", article, "", article, ""},
		{"followed", "https://m.example.com/world/story-123", "https://www.example.com/world/story-123", "https://www.example.com/world/story-123", ""},
		{"syndicated copy", "https://syndicator.example/stories/wildfire", "https://original-paper.example/2024/08/01/wildfire/",
			"https://syndicator.example/stories/wildfire", RefusedOtherSite},
		{"home page", article, "https://www.example.com/", article, RefusedHome},
		{"section", article, "https://www.example.com/world/", article, RefusedSection},
		{"drops the id", "https://www.example.com/article.php?id=123", "https://www.example.com/article.php",
			"https://www.example.com/article.php?id=123", RefusedDropsID},
		{"not a URL", article, "ftp://www.example.com/world/story-1", article, RefusedInvalid},
		{"fetched invalid", "not a url", "https://www.example.com/world/story-1", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, refused := ChooseWhy(tt.fetched, tt.declared)
			if got != tt.want || refused != tt.refused {
				t.Errorf("ChooseWhy(%q, %q)\n got %q, %q\nwant %q, %q", tt.fetched, tt.declared, got, refused, tt.want, tt.refused)
			}
			if c := Choose(tt.fetched, tt.declared); c != got {
				t.Errorf("Choose = %q, ChooseWhy = %q", c, got)
			}
		})
	}
}

func TestSite(t *testing.T) {
	tests := []struct{ host, want string }{
		{"www.example.com", "example.com"},
		{"example.com", "example.com"},
		{"a.b.example.co.uk", "example.co.uk"},
		{"news.example.com.au", "example.com.au"},
		{"www.example.co.jp", "example.co.jp"},
		{"alice.blogspot.com", "alice.blogspot.com"},
		{"co.uk", "co.uk"},
		{"localhost", "localhost"},
		{"10.0.0.1", "10.0.0.1"},
		{"[::1]", "[::1]"},
	}
	for _, tt := range tests {
		if got := site(tt.host); got != tt.want {
			t.Errorf("site(%q) = %q, want %q", tt.host, got, tt.want)
		}
	}
}
