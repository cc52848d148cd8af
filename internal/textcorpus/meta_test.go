package textcorpus

import (
	"slices"
	"testing"
	"time"
)

func TestParseTimestamp(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2022-02-08T10:30+0000", "2022-02-08T10:30:00Z"},
		{"2022-02-08T10:30:45+0000", "2022-02-08T10:30:45Z"},
		{"2022-02-08T10:30:45Z", "2022-02-08T10:30:45Z"},
		{"2022-02-08T10:30:45+03:00", "2022-02-08T10:30:45+03:00"},
		{"2022-02-08T10:30:45-0530", "2022-02-08T10:30:45-05:30"},
		{"2022-02-08T10:30+03", "2022-02-08T10:30:00+03:00"},
		{"2022-02-08 10:30:45 +03:00", "2022-02-08T10:30:45+03:00"},
		{"2022-02-08T10:30:45.123456789Z", "2022-02-08T10:30:45.123456789Z"},
		{"2022-02-08T10:30", "2022-02-08T10:30:00Z"},
		{"2022-02-08", ""},
		{"2022-02-30T10:30Z", ""},
		{"2022-02-08T25:30Z", ""},
		{"2022-02-08T10:30+2500", ""},
		{"on 2022-02-08T10:30Z", ""},
	}
	for _, tt := range tests {
		got, ok := parseTimestamp(tt.in)
		s := ""
		if ok {
			s = got.Format(time.RFC3339Nano)
		}
		if s != tt.want {
			t.Errorf("parseTimestamp(%q) = %q, want %q", tt.in, s, tt.want)
		}
	}
}

func TestIsXPath(t *testing.T) {
	for _, s := range []string{
		"/html/head/meta[@name='og:title']/@content",
		"/html/body/div[2]/article/h1/text()",
		"//meta[@property=\"article:published_time\"]/@content",
		"//*[@id='main']//p",
		"/html/head/title",
	} {
		if !isXPath(s) {
			t.Errorf("isXPath(%q) = false", s)
		}
	}
	for _, s := range []string{"/world/europe", "/", "//", "and/or", "/html is a path", "http://example.com/a[1]"} {
		if isXPath(s) {
			t.Errorf("isXPath(%q) = true", s)
		}
	}
}

func TestIsName(t *testing.T) {
	for _, s := range []string{"Example News", "The Daily Example", "Bank of Example", "BBC", "Пример Новостей", "24 Heures", "Le Monde de Example"} {
		if !isName(s) {
			t.Errorf("isName(%q) = false", s)
		}
	}
	for _, s := range []string{"", "example news", "Readers can write to", "Example News.", "A B C D E F G", "Call: now", "Example, News"} {
		if isName(s) {
			t.Errorf("isName(%q) = true", s)
		}
	}
}

func TestParseMeta(t *testing.T) {
	tests := []struct {
		in                    string
		ok                    bool
		name                  string
		langs, images         []string
		strong, weak, contact bool
	}{
		{"Example News feedback@example-news.com +74950000000 252 60 1920 1080 true en_EN", true, "Example News", []string{"en"}, nil, true, false, true},
		{"1920 1080 true", true, "", nil, nil, true, false, false},
		{"252 60", true, "", nil, nil, false, true, false},
		{"252 60 1920 1080 640", false, "", nil, nil, false, false, false},
		{"https://example.com/a.jpg 1200 630", true, "", nil, []string{"https://example.com/a.jpg"}, true, false, false},
		{"+7 (495) 000-00-00", true, "", nil, nil, true, false, true},
		{"8-800-555-35-35", true, "", nil, nil, true, false, true},
		{"ru_RU", true, "", []string{"ru"}, nil, true, false, false},
		{"Example News en_EN", true, "Example News", []string{"en"}, nil, true, false, false},
		{"example news en_EN", false, "", nil, nil, false, false, false},
		{"desk@example.com wrote this", false, "", nil, nil, false, false, false},
		{"Example", false, "", nil, nil, false, false, false},
		{"https://example.com/page", false, "", nil, nil, false, false, false},
		{"", false, "", nil, nil, false, false, false},
	}
	for _, tt := range tests {
		m, ok := parseMeta(tt.in)
		if ok != tt.ok {
			t.Errorf("parseMeta(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if m.name != tt.name || !slices.Equal(m.langs, tt.langs) || !slices.Equal(m.images, tt.images) ||
			m.strong != tt.strong || m.weak != tt.weak || m.contact != tt.contact {
			t.Errorf("parseMeta(%q) = %+v", tt.in, m)
		}
	}
}

func TestParseDateline(t *testing.T) {
	tests := []struct {
		in                 string
		ok                 bool
		prefix, date, name string
	}{
		{"The talks ended. 08.02.2022, Example News", true, "The talks ended.", "2022-02-08", "Example News"},
		{"The talks ended. 8.2.2022", true, "The talks ended.", "2022-02-08", ""},
		{"The talks ended. 2022-02-08 10:30, Example News", true, "The talks ended.", "2022-02-08", "Example News"},
		{"08.02.2022, Example News", true, "", "2022-02-08", "Example News"},
		{"The talks ended — 08.02.2022", true, "The talks ended", "2022-02-08", ""},
		{"Version 1.08.02.2022", false, "", "", ""},
		{"The talks ended. 31.02.2022, Example News", false, "", "", ""},
		{"On 08.02.2022, the talks ended.", false, "", "", ""},
		{"The talks ended. 08.02.2022, and then more text followed.", false, "", "", ""},
	}
	for _, tt := range tests {
		dl, ok := parseDateline(tt.in)
		if ok != tt.ok {
			t.Errorf("parseDateline(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if ok && (dl.prefix != tt.prefix || dl.date.Format(time.DateOnly) != tt.date || dl.name != tt.name) {
			t.Errorf("parseDateline(%q) = %+v", tt.in, dl)
		}
	}
}

func TestTagList(t *testing.T) {
	tests := []struct {
		lines []string
		want  []string
	}{
		{[]string{"Politics, Europe, Diplomacy"}, []string{"Politics", "Europe", "Diplomacy"}},
		{[]string{"Node.js, Go"}, []string{"Node.js", "Go"}},
		{[]string{"Politics", "Europe"}, []string{"Politics", "Europe"}},
		{[]string{"Politics"}, nil},
		{[]string{"Politics,"}, nil},
		{[]string{"Prices, wages and rents"}, nil},
		{[]string{"Apples, pears or plums"}, nil},
		{[]string{"One, two, three four five six seven"}, nil},
		{[]string{"Yes, he said."}, nil},
		{[]string{"U.S. politics, Europe"}, nil},
		{[]string{"By Jane Doe", "Reporter"}, nil},
		{[]string{"Politics", "Europe, Asia"}, nil},
	}
	for _, tt := range tests {
		got, ok := tagList(block{lines: tt.lines})
		if ok != (tt.want != nil) || !slices.Equal(got, tt.want) {
			t.Errorf("tagList(%q) = %q, %v; want %q", tt.lines, got, ok, tt.want)
		}
	}
}
