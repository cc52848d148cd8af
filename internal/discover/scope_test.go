package discover

import "testing"

func TestInScope(t *testing.T) {
	const seed = "https://www.harbourtimes.example/local/"
	sub := Scope{Subdomains: true}
	tests := []struct {
		u, seed string
		opts    Scope
		want    bool
	}{
		{"https://www.harbourtimes.example/2024/05/01/a.html", seed, Scope{}, true},
		{"http://www.harbourtimes.example/a", seed, Scope{}, true},
		{"https://harbourtimes.example/a", seed, Scope{}, true},
		{"https://WWW.HarbourTimes.Example./a", seed, Scope{}, true},
		{"https://www.harbourtimes.example:443/a", seed, Scope{}, true},
		{"https://www.harbourtimes.example:8443/a", seed, Scope{}, false},
		{"https://sport.harbourtimes.example/a", seed, Scope{}, false},
		{"https://sport.harbourtimes.example/a", seed, sub, true},
		{"https://a.b.harbourtimes.example/a", seed, sub, true},
		{"https://harbourtimes.example.evil.example/a", seed, sub, false},
		{"https://notharbourtimes.example/a", seed, sub, false},
		{"https://other.example.org/a", seed, sub, false},
		// Public suffixes: two papers under co.uk are different sites.
		{"https://news.quayside.co.uk/a", "https://www.quayside.co.uk/", sub, true},
		{"https://www.otherpaper.co.uk/a", "https://www.quayside.co.uk/", sub, false},
		{"https://user.blogspot.com/a", "https://other.blogspot.com/", sub, false},
		// IP hosts and ports (local test servers).
		{"http://127.0.0.1:8080/a", "http://127.0.0.1:8080/", Scope{}, true},
		{"http://127.0.0.1:8081/a", "http://127.0.0.1:8080/", sub, false},
		{"http://[::1]:8080/a", "http://[::1]:8080/", sub, true},
		// Path prefix.
		{"https://www.harbourtimes.example/news", seed, Scope{PathPrefix: "/news"}, true},
		{"https://www.harbourtimes.example/news/a", seed, Scope{PathPrefix: "/news"}, true},
		{"https://www.harbourtimes.example/newsletter", seed, Scope{PathPrefix: "/news"}, false},
		{"https://www.harbourtimes.example/news", seed, Scope{PathPrefix: "/news/"}, false},
		{"https://www.harbourtimes.example/news/a", seed, Scope{PathPrefix: "/news/"}, true},
		{"https://www.harbourtimes.example", seed, Scope{PathPrefix: "/"}, true},
		{"https://www.harbourtimes.example/новости/a", seed, Scope{PathPrefix: "/новости"}, true},
		{"https://www.harbourtimes.example/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/a", seed, Scope{PathPrefix: "/новости"}, true},
		{"https://sport.harbourtimes.example/news/a", seed, Scope{Subdomains: true, PathPrefix: "/news"}, true},
		// Not web URLs.
		{"mailto:desk@harbourtimes.example", seed, sub, false},
		{"/relative", seed, sub, false},
		{"https://www.harbourtimes.example/a", "not a seed", sub, false},
		{"", "", Scope{}, false},
	}
	for _, tt := range tests {
		if got := InScope(tt.u, tt.seed, tt.opts); got != tt.want {
			t.Errorf("InScope(%q, %q, %+v) = %v, want %v", tt.u, tt.seed, tt.opts, got, tt.want)
		}
	}
}
