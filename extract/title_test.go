package extract

import "testing"

func TestChooseTitle(t *testing.T) {
	c := func(pairs ...string) []titleCandidate {
		var out []titleCandidate
		for i := 0; i+1 < len(pairs); i += 2 {
			out = append(out, titleCandidate{text: pairs[i+1], source: pairs[i]})
		}
		return out
	}
	tests := []struct {
		name        string
		cands       []titleCandidate
		sites       []string
		host        string
		title, src  string
		derivedSite string
	}{
		{"suffix dash", c("html:title", "Harbour reopens - Example News"), []string{"Example News"}, "", "Harbour reopens", "html:title", ""},
		{"suffix pipe", c("meta:og:title", "Harbour reopens | Example News"), []string{"Example News"}, "", "Harbour reopens", "meta:og:title", ""},
		{"suffix em dash", c("html:title", "Harbour reopens — The Example News"), []string{"Example News"}, "", "Harbour reopens", "html:title", ""},
		{"prefix colon", c("html:title", "Example News: Harbour reopens"), []string{"Example News"}, "", "Harbour reopens", "html:title", ""},
		{"prefix pipe", c("html:title", "Example News | Harbour reopens"), []string{"Example News"}, "", "Harbour reopens", "html:title", ""},
		{"host label", c("html:title", "How to Build a Terrarium | eHow"), nil, "www.ehow.com", "How to Build a Terrarium", "html:title", ""},
		{"keeps inner dash", c("html:title", "Covid-19 - the year after - Example News"), []string{"Example News"}, "", "Covid-19 - the year after", "html:title", ""},
		{"unknown suffix kept", c("html:title", "Harbour reopens - Something"), nil, "", "Harbour reopens - Something", "html:title", ""},
		{"agreement with h1", c("html:title", "Harbour reopens - Example News", "html:h1", "Harbour reopens"), nil, "", "Harbour reopens", "html:title", "Example News"},
		{"json-ld first", c("json-ld:headline", "Harbour reopens", "meta:og:title", "Harbour reopens after repairs"), nil, "", "Harbour reopens", "json-ld:headline", ""},
		{"agreement beats priority", c("json-ld:headline", "SEO: harbour", "meta:og:title", "Harbour reopens", "html:h1", "Harbour reopens"), nil, "", "Harbour reopens", "meta:og:title", ""},
		{"truncated", c("json-ld:headline", "Harbour reopens after three…", "meta:og:title", "Harbour reopens after three weeks of repairs"), nil, "", "Harbour reopens after three weeks of repairs", "meta:og:title", ""},
		{"site name only skipped", c("meta:og:title", "Example News", "html:title", "Harbour reopens - Example News"), []string{"Example News"}, "", "Harbour reopens", "html:title", ""},
		{"only site name", c("html:title", "Example News"), []string{"Example News"}, "", "", "", ""},
		{"empty", nil, nil, "", "", "", ""},
		{"left side first", c("html:title", "Evolve: Shared History — evolve extension", "html:h1", "evolve extension", "html:h1", "Evolve: Shared History"), nil, "", "Evolve: Shared History", "html:title", "evolve extension"},
		{"site prefix in title, h1 logo", c("meta:og:title", "Open flow for logic devices", "html:title", "Silicon Exposed: Open flow for logic devices", "html:h1", "Silicon Exposed"), nil, "", "Open flow for logic devices", "meta:og:title", "Silicon Exposed"},
		{"h1 shows the whole headline", c("json-ld:headline", "Grève au port : les ferries restent à quai", "html:title", "Grève au port : les ferries restent à quai - Le Journal", "json-ld:WebPage.name", "Grève au port", "html:h1", "Grève au port : les ferries restent à quai"), []string{"Le Journal"}, "", "Grève au port : les ferries restent à quai", "json-ld:headline", ""},
		{"h1 shows the whole headline, colon", c("json-ld:headline", "Harbour strike: ferries stay in port", "json-ld:WebPage.name", "Harbour strike", "html:h1", "Harbour strike: ferries stay in port"), nil, "", "Harbour strike: ferries stay in port", "json-ld:headline", ""},
		{"whitespace", c("html:title", "  Harbour \n reopens  "), nil, "", "Harbour reopens", "html:title", ""},
	}
	for _, tt := range tests {
		title, src, site := chooseTitle(tt.cands, tt.sites, tt.host)
		if title != tt.title || src != tt.src || site != tt.derivedSite {
			t.Errorf("%s: got %q %q %q, want %q %q %q", tt.name, title, src, site, tt.title, tt.src, tt.derivedSite)
		}
	}
}

func TestHostLabel(t *testing.T) {
	for in, want := range map[string]string{"www.ehow.com": "ehow", "www.bbc.co.uk": "bbc", "example.com:8080": "example", "localhost": "", "news.example.com.au": "example"} {
		if got := hostLabel(in); got != want {
			t.Errorf("hostLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
