package discover

import "testing"

func TestLooksLikeArticle(t *testing.T) {
	tests := []struct {
		url    string
		want   bool
		reason string
	}{
		// Articles.
		{"https://www.harbourtimes.example/2024/05/01/harbour-reopens-after-storm-repairs.html", true, "date in path"},
		{"https://www.harbourtimes.example/2024/05/01/harbour-reopens/", true, "date in path"},
		{"https://www.harbourtimes.example/local/2024/05/ferry-timetable-changes", true, "date in path"},
		{"https://blog.quayside.example/2024-05-01-harbour-reopens", true, "date in path"},
		{"https://news.example.org/world/20240501/ferry", true, "date in path"},
		{"https://www.harbourtimes.example/2024/05/01/harbour-reopens/amp/", true, "date in path"},
		{"https://www.harbourtimes.example/news/local/council-votes-on-ferry-timetable-1092846822.html", true, "numeric id"},
		{"https://www.vestnik.example/a/30279001.html", true, "numeric id"},
		{"https://news.example.org/world-europe-68912345", true, "numeric id"},
		{"https://news.example.org/news/123456/harbour", true, "numeric id"},
		{"https://www.dailyquay.example/news/article-13374455/Harbour-reopens.html", true, "numeric id"},
		{"https://paper.example.net/index.php?option=com_content&view=article&id=4521", true, "id in query"},
		{"https://smallblog.example/?p=123", true, "id in query"},
		{"https://paper.example.net/news.php?newsid=88", true, "id in query"},
		{"https://magazine.example/story/harbour", true, "article path"},
		{"https://magazine.example/articles/ferry-strike", true, "article path"},
		{"https://www.harbourtimes.example/culture/festival-returns-to-the-old-town", true, "long slug"},
		{"https://www.harbourtimes.example/sport/regatta_results_from_the_weekend", true, "long slug"},
		{"https://ru.vestnik.example/obshchestvo/%D0%B3%D0%B0%D0%B2%D0%B0%D0%BD%D1%8C-%D1%81%D0%BD%D0%BE%D0%B2%D0%B0-%D0%BE%D1%82%D0%BA%D1%80%D1%8B%D1%82%D0%B0-%D0%BF%D0%BE%D1%81%D0%BB%D0%B5-%D1%80%D0%B5%D0%BC%D0%BE%D0%BD%D1%82%D0%B0", true, "long slug"},
		{"https://www.harbourtimes.example/culture/festival-returns-to-the-old-town/print", true, "long slug"},
		{"https://www.harbourtimes.example/news/harbour-reopens.html", true, "html page with a slug"},
		{"https://old.example.com/news/item_42.htm", true, "html page with a slug"},
		{"https://www.harbourtimes.example/business/jobs/unemployment-falls-to-record-low", true, "long slug"},
		{"https://www.harbourtimes.example/news/about-the-new-ferry-service-to-the-islands.html", true, "long slug"},

		// Home pages.
		{"https://www.harbourtimes.example/", false, "home page"},
		{"https://www.harbourtimes.example", false, "home page"},
		{"https://www.harbourtimes.example/index.html", false, "home page"},
		{"https://www.harbourtimes.example/en/", false, "home page"},
		{"https://www.harbourtimes.example/pt-br", false, "home page"},
		{"https://www.harbourtimes.example/?utm_source=x", false, "home page"},

		// Listings, sections, tags, authors, search, pagination.
		{"https://www.harbourtimes.example/tag/harbour/", false, "tag page"},
		{"https://www.harbourtimes.example/tags/ferry-strike-latest-news-and-updates", false, "tag page"},
		{"https://www.harbourtimes.example/topic/climate", false, "topic page"},
		{"https://www.harbourtimes.example/news/topics/ferries", false, "topic page"},
		{"https://www.harbourtimes.example/category/local/", false, "category page"},
		{"https://www.harbourtimes.example/section/world", false, "section page"},
		{"https://www.harbourtimes.example/author/anna-lind/", false, "author page"},
		{"https://www.harbourtimes.example/authors/tomas-berg", false, "author page"},
		{"https://www.harbourtimes.example/search?q=harbour", false, "search page"},
		{"https://www.harbourtimes.example/search/harbour-reopens-after-storm", false, "search page"},
		{"https://smallblog.example/?s=ferry", false, "search page"},
		{"https://smallblog.example/?cat=4", false, "category page"},
		{"https://www.harbourtimes.example/local/page/2/", false, "pagination"},
		{"https://www.harbourtimes.example/page/12", false, "pagination"},
		{"https://www.harbourtimes.example/local/?page=3", false, "pagination"},
		{"https://smallblog.example/?paged=2", false, "pagination"},
		{"https://www.harbourtimes.example/2024/05/01/", false, "date archive"},
		{"https://www.harbourtimes.example/2024/05/", false, "date archive"},
		{"https://www.harbourtimes.example/archive/20240501", false, "date archive"},
		{"https://www.harbourtimes.example/politics", false, "no article signal"},
		{"https://www.harbourtimes.example/world/europe/", false, "no article signal"},
		{"https://www.harbourtimes.example/sport.html", false, "no article signal"},
		{"https://www.harbourtimes.example/local/index.html", false, "no article signal"},
		{"https://www.harbourtimes.example/live-news", false, "no article signal"},

		// Site pages.
		{"https://www.harbourtimes.example/about", false, "site page"},
		{"https://www.harbourtimes.example/about-us/our-journalists-and-editorial-standards", false, "site page"},
		{"https://www.harbourtimes.example/en/contact/", false, "site page"},
		{"https://www.harbourtimes.example/privacy-policy", false, "site page"},
		{"https://www.harbourtimes.example/terms", false, "site page"},
		{"https://www.harbourtimes.example/login?next=/2024/05/01/harbour-reopens", false, "site page"},
		{"https://www.harbourtimes.example/subscribe/digital-offer-for-new-readers-2024", false, "site page"},

		// Feeds and assets.
		{"https://www.harbourtimes.example/feed/", false, "feed"},
		{"https://www.harbourtimes.example/2024/05/01/harbour-reopens/feed/", false, "feed"},
		{"https://www.harbourtimes.example/local/rss", false, "feed"},
		{"https://feeds.harbourtimes.example/feeds/local", false, "feed"},
		{"https://www.harbourtimes.example/rss.xml", false, "feed or sitemap (.xml)"},
		{"https://www.harbourtimes.example/sitemap-news.xml", false, "feed or sitemap (.xml)"},
		{"https://cdn.harbourtimes.example/img/2024/05/01/harbour-reopens-after-storm.jpg", false, "asset (.jpg)"},
		{"https://cdn.harbourtimes.example/img/logo.SVG", false, "asset (.svg)"},
		{"https://www.harbourtimes.example/reports/2024/05/annual-harbour-report-2024.pdf", false, "asset (.pdf)"},
		{"https://media.harbourtimes.example/podcast/episode-1234567.mp3", false, "asset (.mp3)"},
		{"https://www.harbourtimes.example/static/app.min.js?v=20240501", false, "asset (.js)"},

		// Not web pages at all.
		{"mailto:desk@harbourtimes.example", false, "not an http(s) URL"},
		{"ftp://files.harbourtimes.example/2024/05/01/harbour.html", false, "not an http(s) URL"},
		{"/2024/05/01/relative-url-is-not-judged", false, "not an http(s) URL"},
		{"", false, "not an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			got, reason := LooksLikeArticle(tt.url)
			if got != tt.want || reason != tt.reason {
				t.Errorf("LooksLikeArticle(%q) = %v, %q; want %v, %q", tt.url, got, reason, tt.want, tt.reason)
			}
		})
	}
}
