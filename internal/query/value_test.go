package query

import "testing"

// FilterValue normalises an option's value as the query filter would, and
// refuses what the filter refuses; OnSite and InLanguage match as site:
// and lang: do.
func TestFilterValueAndMatch(t *testing.T) {
	for _, c := range []struct {
		f       Field
		in, out string
		bad     bool
	}{
		{Site, "https://WWW.Example.com/", "example.com", false},
		{Site, "новости.рф", "xn--b1amnebsh.xn--p1ai", false},
		{Site, "example.com:8443", "example.com", false},
		{Site, "*.ru", "", true},
		{Site, "example.com/politics", "", true},
		{Site, "", "", true},
		{Lang, "pt_BR", "pt-br", false},
		{Lang, "EN", "en", false},
		{Lang, "english", "", true},
		{Field("colour"), "red", "", true},
	} {
		got, err := FilterValue(c.f, c.in)
		if (err != nil) != c.bad || got != c.out {
			t.Errorf("FilterValue(%s, %q) = %q, %v; want %q, error %v", c.f, c.in, got, err, c.out, c.bad)
		}
	}
	if _, err := FilterValue(Site, "*.ru"); err == nil || err.Error() != "site: takes no * (it matches every host under a name already): write site:ru" {
		t.Errorf("the error for *.ru: %v", err)
	}
	for _, c := range []struct {
		host, site string
		on         bool
	}{
		{"example.com", "example.com", true},
		{"news.example.com", "example.com", true},
		{"example.com.", "example.com", true},
		{"badexample.com", "example.com", false},
		{"example.com", "news.example.com", false},
		{"anything.co.uk", "uk", true},
		{"192.0.2.7", "0.2.7", false},
		{"192.0.2.7", "192.0.2.7", true},
	} {
		if got := OnSite(c.host, c.site); got != c.on {
			t.Errorf("OnSite(%q, %q) = %v", c.host, c.site, got)
		}
	}
	for _, c := range []struct {
		lang, tag string
		in        bool
	}{
		{"pt", "pt", true}, {"pt-BR", "pt", true}, {"pt_BR", "pt-br", true}, {"pt", "pt-br", false},
		{"ptx", "pt", false}, {"", "en", false}, {"EN", "en", true},
	} {
		if got := InLanguage(c.lang, c.tag); got != c.in {
			t.Errorf("InLanguage(%q, %q) = %v", c.lang, c.tag, got)
		}
	}
}
