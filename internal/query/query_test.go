package query

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/herald-archive/herald/internal/canon"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string // canonical String() of the result
		sort Sort
	}{
		{"", "", SortDefault},
		{"   \t ", "", SortDefault},
		{"harbour", "harbour", SortDefault},
		{"harbour storm", "harbour storm", SortDefault},
		{"harbour AND storm", "harbour storm", SortDefault},
		{`"harbour  reopens"`, `"harbour reopens"`, SortDefault},
		{`storm OR flood`, `storm OR flood`, SortDefault},
		{`storm or flood`, `storm or flood`, SortDefault},
		{`a OR b OR c`, `a OR b OR c`, SortDefault},
		{`a b OR c`, `(a b) OR c`, SortDefault},
		{`a (b OR c)`, `a (b OR c)`, SortDefault},
		{`(a OR b) OR c`, `a OR b OR c`, SortDefault},
		{`((a))`, `a`, SortDefault},
		{`()`, ``, SortDefault},
		{`-storm harbour`, `-storm harbour`, SortDefault},
		{`-"heavy rain"`, `-"heavy rain"`, SortDefault},
		{`--storm`, `storm`, SortDefault},
		{`-(a OR b)`, `-(a OR b)`, SortDefault},
		{`a - b`, `a b`, SortDefault},
		{`co-operation`, `co-operation`, SortDefault},
		{`harb*`, `harb*`, SortDefault},
		{`harb**`, `harb*`, SortDefault},
		{`*`, ``, SortDefault},
		{`& —`, ``, SortDefault},
		{`""`, ``, SortDefault},
		{`http://example.com/a`, `http://example.com/a`, SortDefault},
		{`10:30 Re:`, `10:30 Re:`, SortDefault},
		{`foo:bar`, `foo:bar`, SortDefault},
		{`site:Example.COM`, `site:example.com`, SortDefault},
		{`site:https://www.example.com/`, `site:example.com`, SortDefault},
		{`-site:example.com`, `-site:example.com`, SortDefault},
		{`Site:example.com`, `site:example.com`, SortDefault},
		{`site:a.com OR site:b.com`, `site:a.com OR site:b.com`, SortDefault},
		// Internationalised hosts become punycode, the form the archive
		// stores (canon.URL), so either spelling finds the same articles.
		{`site:новости.рф`, `site:xn--b1amnebsh.xn--p1ai`, SortDefault},
		{`site:НОВОСТИ.РФ`, `site:xn--b1amnebsh.xn--p1ai`, SortDefault},
		{`site:xn--b1amnebsh.xn--p1ai`, `site:xn--b1amnebsh.xn--p1ai`, SortDefault},
		{`site:XN--B1AMNEBSH.XN--P1AI`, `site:xn--b1amnebsh.xn--p1ai`, SortDefault},
		{`site:https://www.новости.рф/`, `site:xn--b1amnebsh.xn--p1ai`, SortDefault},
		{`site:рф`, `site:xn--p1ai`, SortDefault},
		{`site:"Bücher.example"`, `site:xn--bcher-kva.example`, SortDefault},
		{"site:bücher.example", `site:xn--bcher-kva.example`, SortDefault}, // decomposed ü
		{`site:ｗｗｗ．ｅｘａｍｐｌｅ．com`, `site:example.com`, SortDefault},           // full-width
		{`site:münchen。de`, `site:xn--mnchen-3ya.de`, SortDefault},          // ideographic full stop
		{`site:ẞ.de`, `site:ss.de`, SortDefault},                            // as canon maps it, not as strings.ToLower
		{`-site:новости.рф OR site:пример.рф`, `-site:xn--b1amnebsh.xn--p1ai OR site:xn--e1afmkfd.xn--p1ai`, SortDefault},
		{`author:doe`, `author:doe`, SortDefault},
		{`author:"Jane  Doe"`, `author:"Jane Doe"`, SortDefault},
		{`tag:"climate change"`, `tag:"climate change"`, SortDefault},
		{`lang:pt_BR`, `lang:pt-br`, SortDefault},
		{`section:World`, `section:World`, SortDefault},
		{`original:https://WWW.Wire.example:8443/`, `original:wire.example`, SortDefault},
		{`-original:новости.рф`, `-original:xn--b1amnebsh.xn--p1ai`, SortDefault},
		{`after:2021-06-01 before:2021-07-01`, `after:2021-06-01 before:2021-07-01`, SortDefault},
		{`storm sort:date`, `storm sort:date`, SortNewest},
		{`sort:oldest storm`, `storm sort:oldest`, SortOldest},
		{`storm sort:relevance`, `storm sort:relevance`, SortRelevance},
		{`storm sort:Archived`, `storm sort:archived`, SortArchived},
		{`storm sort:date sort:newest`, `storm sort:date`, SortNewest},
		{`f(x)`, `f x`, SortDefault},
		{`"a"b`, `"a" b`, SortDefault},
		{`Ünïcode Москва`, `Ünïcode Москва`, SortDefault},
		// A side of OR whose terms are all ignored is left out, as it
		// would be beside AND.
		{`harbour OR 🔥`, `harbour`, SortDefault},
		{`🔥 OR harbour`, `harbour`, SortDefault},
		{`harbour OR ""`, `harbour`, SortDefault},
		{`a OR — OR b`, `a OR b`, SortDefault},
		{`🔥 OR —`, ``, SortDefault},
		// Numbers that are not digits are words the index keeps.
		{`Ⅻ`, `Ⅻ`, SortDefault},
		{`harbour OR ½`, `harbour OR ½`, SortDefault},
		// Ports and the brackets of IPv6 addresses are not part of
		// the host the archive files.
		{`site:portnews.com:8443`, `site:portnews.com`, SortDefault},
		{`site:http://portnews.com:8443/`, `site:portnews.com`, SortDefault},
		{`site:[2001:db8::1]`, `site:"2001:db8::1"`, SortDefault},
		{`site:[2001:db8::1]:8443`, `site:"2001:db8::1"`, SortDefault},
		{`site:2001:db8::1`, `site:"2001:db8::1"`, SortDefault},
		{`site:192.0.2.7:80`, `site:192.0.2.7`, SortDefault},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := q.String(); got != tt.want {
				t.Errorf("Parse(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if q.Sort != tt.sort {
				t.Errorf("Parse(%q).Sort = %v, want %v", tt.in, q.Sort, tt.sort)
			}
		})
	}
}

func TestParseTree(t *testing.T) {
	q := MustParse(`harb* "heavy rain" -site:example.com after:2021-06-01 (a OR b)`)
	c := q.Conjuncts()
	if len(c) != 5 {
		t.Fatalf("conjuncts = %d, want 5: %s", len(c), q)
	}
	if w, ok := c[0].(*Word); !ok || w.Text != "harb" || !w.Prefix {
		t.Errorf("c[0] = %#v, want prefix word harb", c[0])
	}
	if p, ok := c[1].(*Phrase); !ok || p.Text != "heavy rain" {
		t.Errorf("c[1] = %#v, want phrase", c[1])
	}
	n, ok := c[2].(*Not)
	if !ok {
		t.Fatalf("c[2] = %#v, want Not", c[2])
	}
	if f, ok := n.Node.(*Filter); !ok || f.Field != Site || f.Value != "example.com" {
		t.Errorf("c[2].Node = %#v, want site filter", n.Node)
	}
	f, ok := c[3].(*Filter)
	if !ok || f.Field != After || !f.Date.Equal(time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("c[3] = %#v, want after filter", c[3])
	}
	if o, ok := c[4].(*Or); !ok || len(o.Nodes) != 2 {
		t.Errorf("c[4] = %#v, want Or of two", c[4])
	}
	for i, want := range []bool{true, true, false, false, true} {
		if got := IsText(c[i]); got != want {
			t.Errorf("IsText(%s) = %v, want %v", c[i], got, want)
		}
	}
	if !q.Ranked() {
		t.Error("Ranked = false, want true")
	}
	for in, want := range map[string]bool{
		`-storm site:x.org`:               false,
		`site:x.org`:                      false,
		`(harbour storm) OR tag:politics`: false,
		`harbour (storm OR tag:politics)`: true,
		`harbour -storm`:                  true,
		`(harbour -storm) OR flood`:       true,
		`(-storm site:x.org) OR flood`:    false,
		`"heavy rain" OR flood`:           true,
	} {
		if got := MustParse(in).Ranked(); got != want {
			t.Errorf("Ranked(%s) = %v, want %v", in, got, want)
		}
	}
	for in, want := range map[string]bool{
		`harbour`:                         true,
		`harbour -storm "heavy rain"`:     true,
		`(harbour OR port) -(storm gale)`: true,
		`-storm`:                          false,
		`harbour site:x.org`:              false,
		`harbour (storm OR tag:politics)`: false,
		``:                                false,
	} {
		if got := MustParse(in).WordsAlone(); got != want {
			t.Errorf("WordsAlone(%s) = %v, want %v", in, got, want)
		}
	}
	for in, want := range map[string]bool{
		`a OR b`:             true,
		`harbour OR 🔥`:       true, // one term, but typed with an OR
		`a b OR c sort:date`: true,
		`(a OR b) c`:         false,
		`"rock OR roll"`:     false,
		`-(a OR b)`:          false,
		`a AND b`:            false,
	} {
		if got := MustParse(in).OrOnTop(); got != want {
			t.Errorf("OrOnTop(%s) = %v, want %v", in, got, want)
		}
	}
	if MustParse("").Conjuncts() != nil {
		t.Error("empty query has conjuncts")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in     string
		col    int
		substr string
	}{
		{`storm "heavy rain`, 7, "unterminated quote"},
		{`after:2022-13-01`, 7, "after: 2022-13-01 is not a date (month out of range)"},
		{`before:2023-02-29`, 8, "before: 2023-02-29 is not a date (day out of range)"},
		{`before:yesterday`, 8, "before: wants YYYY-MM-DD, got yesterday"},
		{`after:2024-1-5`, 7, "after: wants YYYY-MM-DD, got 2024-1-5"},
		{`site:`, 1, "site: wants a value"},
		{`site: example.com`, 1, "site: wants a value"},
		{`author:"unterminated`, 8, "unterminated quote"},
		{`site:example.com/news`, 6, "site: wants a host name"},
		{`original:wire.example/story/1`, 10, "original: wants a host name"},
		{`site:новости.рф/спорт`, 6, "site: wants a host name"},
		{`storm site:-новости.рф`, 12, "site: wants a valid internationalised host name, got -новости.рф"},
		{`ééé site:"новости-.рф"`, 10, "site: wants a valid internationalised host name"},
		{"site:a‍b.com", 6, "site: wants a valid internationalised host name"}, // joiner out of context
		{`site:אa.com`, 6, "site: wants a valid internationalised host name"},  // mixed directions
		{`site:ｅｘａｍｐｌｅ．com／news`, 6, "site: wants a host name"},                // full-width solidus
		{`site:*.ru`, 6, "site: takes no * (it matches every host under a name already): write site:ru"},
		{`harbour site:*.example.com`, 14, "site: takes no * (it matches every host under a name already): write site:example.com"},
		{`original:*.wire.example`, 10, "original: takes no * (it matches every host under a name already): write original:wire.example"},
		{`site:news.*.com`, 6, "site: takes no * (it matches every host under a name already)"},
		{`lang:english!`, 6, "lang: wants a language tag"},
		{`OR storm`, 1, "OR needs a term before it"},
		{`storm OR`, 7, "OR needs a term after it"},
		{`storm OR OR flood`, 7, "OR needs a term after it"},
		{`storm AND`, 7, "AND needs a term after it"},
		{`AND storm`, 1, "AND needs a term before it"},
		{`storm AND AND flood`, 7, "AND needs a term after it"},
		{`(storm AND) flood`, 8, "AND needs a term after it"},
		{`storm AND OR flood`, 7, "AND needs a term after it"},
		{`storm OR AND flood`, 10, "AND needs a term before it"},
		{`-AND storm`, 2, "AND needs a term before it"},
		{`(storm flood`, 1, "missing ) for this ("},
		{`storm)`, 6, "unmatched )"},
		{`a (b))`, 6, "unmatched )"},
		{`sort:random`, 6, "sort: wants relevance, date, oldest or archived"},
		{`(a sort:date)`, 4, "sort: must stand on its own"},
		{`-sort:date`, 2, "sort: must stand on its own"},
		{`a sort:date sort:oldest`, 13, "sort: given twice (first at column 3)"},
		{`ééé "x`, 5, "unterminated quote"},
		{"a \xff", 3, "not valid UTF-8"},
		{"a\x00b", 2, "control character (U+0000)"},
		{"site:a\x00", 7, "control character (U+0000)"},
		{"harbour \x1b[31m", 9, "control character (U+001B)"},
		{strings.Repeat("(", 40) + "a" + strings.Repeat(")", 40), maxDepth + 1, "too many nested parentheses"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want error", tt.in, q)
			}
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("error %T is not *Error", err)
			}
			if !strings.Contains(err.Error(), tt.substr) {
				t.Errorf("error %q does not contain %q", err, tt.substr)
			}
			if qe.Column() != tt.col {
				t.Errorf("error %q at column %d, want %d", err, qe.Column(), tt.col)
			}
		})
	}
}

// site: matches the hosts under a name, but an address only as itself.
func TestSubdomains(t *testing.T) {
	for v, want := range map[string]bool{
		"site:example.com": true, "site:com": true, "site:xn--p1ai": true, "site:3com.example": true,
		"site:192.0.2.7": false, "site:0.2.7": false, "site:2001:db8::1": false, "site:[::1]": false,
	} {
		f := MustParse(v).Root.(*Filter)
		if got := f.Subdomains(); got != want {
			t.Errorf("%s: Subdomains = %v, want %v", v, got, want)
		}
	}
	if (&Filter{Field: Tag, Value: "example.com"}).Subdomains() {
		t.Error("a tag filter matches subdomains")
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := Parse(`storm "heavy rain`)
	if got, want := err.Error(), "unterminated quote at column 7"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "a", `"a b"`, "a OR b", "-a", "a*", "(a OR b) -c", "site:example.com",
		`author:"Jane Doe"`, "after:2021-01-01 before:2021-02-01", "sort:date",
		"http://x.org/a?b=c", `tag:"-x*"`, "((", "a)", `"`, "lang:pt-BR", "-(-(a))",
		`"a"*`, "site:.gov", "AND OR", "tag:OR", "site:новости.рф", "site:ｗｗｗ．ｅｘａｍｐｌｅ．com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("Parse(%q) error %T is not *Error", s, err)
			}
			if qe.Pos < 0 || qe.Pos > len(s) {
				t.Fatalf("Parse(%q) error position %d out of range", s, qe.Pos)
			}
			return
		}
		canon := q.String()
		q2, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) = %q which does not parse: %v", s, canon, err)
		}
		if got := q2.String(); got != canon {
			t.Fatalf("round trip of %q: %q then %q", s, canon, got)
		}
		if q2.Sort != q.Sort {
			t.Fatalf("round trip of %q lost sort", s)
		}
	})
}

// site: must spell a host as the archive files it: the host of the
// canonical URL (canon.URL) without "www.". The two packages keep separate
// IDNA profiles (query is a leaf and may not import canon), so this
// checks that they agree, on hosts where a lower-casing or mapping shortcut
// would part them.
func TestSiteMatchesCanon(t *testing.T) {
	for _, host := range []string{
		"новости.рф", "НОВОСТИ.РФ", "www.Пример.рф", "bücher.example", "bu\u0308cher.example",
		"BÜCHER.example", "ẞ.de", "straße.de", "ΣΊΣΥΦΟΣ.gr", "İstanbul.tr", "ｗｗｗ．ｅｘａｍｐｌｅ．com",
		"münchen。de", "xn--bcher-kva.example", "a_b.рф", "日本語.jp", "ﻋﺮﺑﻲ.com", "K.example",
	} {
		u, err := canon.URL("https://" + host + "/a")
		if err != nil {
			t.Errorf("canon.URL(%q): %v", host, err)
			continue
		}
		want := strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(u, "https://"), "/a"), "www.")
		q, err := Parse("site:" + host)
		if err != nil {
			t.Errorf("Parse(site:%s): %v", host, err)
			continue
		}
		if got := q.Root.(*Filter).Value; got != want {
			t.Errorf("site:%s = %q, archive files it under %q", host, got, want)
		}
	}
}
