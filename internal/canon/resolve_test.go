package canon

import "testing"

func TestResolve(t *testing.T) {
	base := ParseBase("https://news.example.org/world/story.html?x=1")
	cases := []struct {
		base, ref, want string
		ok              bool
	}{
		{"", "https://a.example/x#frag", "https://a.example/x", true},
		{"b", "../politics/", "https://news.example.org/politics/", true},
		{"b", " /a\n/b\t.html ", "https://news.example.org/a/b.html", true},
		{"b", "//cdn.example.net/i.jpg", "https://cdn.example.net/i.jpg", true},
		{"b", "javascript:alert(1)", "", false},
		{"b", "mailto:desk@example.org", "", false},
		{"", "relative/only", "", false},
		{"b", "", "", false},
		{"b", "http://[::1", "", false},
		{"b", "//::", "", false}, // parses, host "::", but "https://::" does not read back
		{"b", "http://[::1]:8080/a", "http://[::1]:8080/a", true},
	}
	for _, c := range cases {
		b := base
		if c.base == "" {
			b = nil
		}
		got, ok := Resolve(b, c.ref)
		if got != c.want || ok != c.ok {
			t.Errorf("Resolve(%v, %q) = %q, %v; want %q, %v", b, c.ref, got, ok, c.want, c.ok)
		}
	}
	if ParseBase("not a url") != nil || ParseBase("/path") != nil || ParseBase("https://x.example/") == nil {
		t.Errorf("ParseBase accepts or refuses the wrong inputs")
	}
}
