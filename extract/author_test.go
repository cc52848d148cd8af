package extract

import (
	"reflect"
	"testing"
)

func TestCleanAuthors(t *testing.T) {
	tests := []struct {
		in         string
		structured bool
		site       string
		people     []string
		orgs       []string
	}{
		{"Jane Doe", false, "", []string{"Jane Doe"}, nil},
		{"By Jane Doe", false, "", []string{"Jane Doe"}, nil},
		{"BY JANE DOE", false, "", []string{"Jane Doe"}, nil},
		{"by jane doe", false, "", nil, nil}, // no capitals: not a name
		{"Written by Jane Doe and John Roe", false, "", []string{"Jane Doe", "John Roe"}, nil},
		{"Jane Doe, John Roe and Ann Poe", false, "", []string{"Jane Doe", "John Roe", "Ann Poe"}, nil},
		{"Jane Doe & John Roe", false, "", []string{"Jane Doe", "John Roe"}, nil},
		{"Jane Doe, Staff Writer", false, "", []string{"Jane Doe"}, nil},
		{"Jane Doe - Senior Correspondent", false, "", []string{"Jane Doe"}, nil},
		{"By Jane Doe, Harbour Correspondent", false, "", []string{"Jane Doe"}, nil},
		{"By Jane Doe, Home Affairs Editor", false, "", []string{"Jane Doe"}, nil},
		{"Jane Doe, Brussels Bureau Chief", true, "", []string{"Jane Doe"}, nil},
		{"Jane Doe, Environment and Farming Reporter", false, "", []string{"Jane Doe"}, nil},
		{"Jane Doe, John Roe", false, "", []string{"Jane Doe", "John Roe"}, nil},
		{"Jane Doe (Reuters)", false, "", []string{"Jane Doe"}, nil},
		{"Jane Doe jane.doe@example.com", false, "", []string{"Jane Doe"}, nil},
		{"Jane Doe @janedoe", false, "", []string{"Jane Doe"}, nil},
		{"Jane Doe for The Times", false, "", []string{"Jane Doe"}, nil},
		{"Jane Doe in London", false, "", []string{"Jane Doe"}, nil},
		{"Brenda Goodman, MA", false, "", []string{"Brenda Goodman"}, nil},
		{"Jane Doe; jane doe", false, "", []string{"Jane Doe"}, nil},
		{"JOE HILDEBRAND", false, "", []string{"Joe Hildebrand"}, nil},
		{"JEAN-PIERRE O'NEIL", false, "", []string{"Jean-Pierre O'Neil"}, nil},
		{"Bruno (Henrique Zecchin) Rodrigues", false, "", []string{"Bruno (Henrique Zecchin) Rodrigues"}, nil},
		{"Ludwig van Beethoven", false, "", []string{"Ludwig van Beethoven"}, nil},
		{"Par Marie Dupont et Jean Martin", false, "", []string{"Marie Dupont", "Jean Martin"}, nil},
		{"Von Max Mustermann", false, "", []string{"Max Mustermann"}, nil},
		{"Автор: Иван Петров", false, "", []string{"Иван Петров"}, nil},
		{"肖春芳", false, "", []string{"肖春芳"}, nil},
		{"José Ortega y Gasset", false, "", []string{"José Ortega y Gasset"}, nil},
		{"Por Ana María Soto y Pedro Ruiz", false, "", []string{"Ana María Soto", "Pedro Ruiz"}, nil},
		{"Di Paolo Neri e Chiara Fabbri", false, "", []string{"Paolo Neri", "Chiara Fabbri"}, nil},
		{"Door Pieter van Dam en Sanne de Boer", false, "", []string{"Pieter van Dam", "Sanne de Boer"}, nil},
		{"Gabriel García y Márquez", false, "", []string{"Gabriel García y Márquez"}, nil},
		{"Madonna", false, "", nil, nil},
		{"Madonna", true, "", []string{"Madonna"}, nil},
		{"admin", true, "", nil, nil},
		{"Staff", false, "", nil, nil},
		{"Editorial Board", false, "", nil, nil},
		{"Agencies", false, "", nil, nil},
		{"Follow Author", false, "", nil, nil},
		{"Reuters", false, "", nil, []string{"Reuters"}},
		{"Associated Press", false, "", nil, []string{"Associated Press"}},
		{"AP", false, "", nil, []string{"AP"}},
		{"Jane Doe and Reuters", false, "", []string{"Jane Doe"}, []string{"Reuters"}},
		{"BBC News", false, "", nil, []string{"BBC News"}},
		{"The Washington Post", false, "", nil, []string{"The Washington Post"}},
		{"Example Daily", false, "Example Daily", nil, []string{"Example Daily"}},
		{"example daily", false, "The Example Daily", nil, []string{"example daily"}},
		{"https://news.example.com/authors/jane-doe", false, "", []string{"Jane Doe"}, nil},
		{"https://news.example.com/authors/jane-doe/", false, "", []string{"Jane Doe"}, nil},
		{"https://www.facebook.com/janedoe", false, "", nil, nil},
		{"https://news.example.com/authors/jd123", false, "", nil, nil},
		{"/people/john-q-public", false, "", []string{"John Q Public"}, nil},
		{"Jane Doe &amp; John Roe", false, "", []string{"Jane Doe", "John Roe"}, nil},
		{"Updated 3 March 2023", false, "", nil, nil},
		{"Share this article on Twitter and Facebook right now please", false, "", nil, nil},
		{"", false, "", nil, nil},
		{"   ", false, "", nil, nil},
	}
	for _, tt := range tests {
		people, orgs := cleanAuthors(tt.in, tt.structured, tt.site)
		if !reflect.DeepEqual(people, tt.people) || !reflect.DeepEqual(orgs, tt.orgs) {
			t.Errorf("cleanAuthors(%q, %v, %q) = %q, %q; want %q, %q", tt.in, tt.structured, tt.site, people, orgs, tt.people, tt.orgs)
		}
	}
}

func TestNameFromProfileURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://x.example/author/jane-doe", "Jane Doe"},
		{"https://x.example/contributors/mary_ann_smith.html", "Mary Ann Smith"},
		{"https://x.example/author/jane", ""},
		{"https://x.example/news/jane-doe", ""},
		{"https://x.example/author/a-b-c-d-e", ""},
		{"::not a url", ""},
	}
	for _, tt := range tests {
		if got := nameFromProfileURL(tt.in); got != tt.want {
			t.Errorf("nameFromProfileURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzCleanAuthors(f *testing.F) {
	for _, s := range []string{"By Jane Doe, Staff Writer", "JOE HILDEBRAND", "https://x/authors/jane-doe", "Jane (Doe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		people, _ := cleanAuthors(s, false)
		for _, p := range people {
			if p == "" || !looksLikeName(p, true) {
				t.Errorf("cleanAuthors(%q) gave %q", s, p)
			}
		}
	})
}

func TestCleanAuthorsMore(t *testing.T) {
	tests := []struct {
		in     string
		site   string
		people []string
		orgs   []string
	}{
		{"Jong, Michiel de", "", []string{"Michiel de Jong"}, nil},
		{"Smith, John", "", []string{"John Smith"}, nil},
		{"Martin Untersinger (avec Damien Leloup et Morgane Tual)", "", []string{"Martin Untersinger", "Damien Leloup", "Morgane Tual"}, nil},
		{"Written by Rob Ewaschuk Edited by Betsy Beyer", "", []string{"Rob Ewaschuk"}, nil},
		{"Bradley M. Kuhn (http://ebb.org/bkuhn/)", "", []string{"Bradley M. Kuhn"}, nil},
		{"By Our Foreign Staff", "", nil, nil},
		{"By Brenda Goodman, MA WebMD Health News", "", []string{"Brenda Goodman"}, []string{"WebMD Health News"}},
		{"Android Developers", "", nil, []string{"Android Developers"}},
		{"人氣(", "", nil, nil},
		{"Jane Doe Staff", "", nil, []string{"Jane Doe Staff"}},
		{"HNN Staff", "", nil, []string{"HNN Staff"}},
		{"Analysis by Chris Cillizza, CNN Editor-at-large", "", []string{"Chris Cillizza"}, []string{"CNN"}},
		{"PMJS - Coordenadoria de TI", "", nil, nil},
		{"Finian Cunningham. Sputnik", "", []string{"Finian Cunningham"}, nil},
		{"Bradley M. Kuhn", "", []string{"Bradley M. Kuhn"}, nil},
		{"Business Insider", "Business Insider Deutschland", nil, []string{"Business Insider"}},
		{"Telegraph Sport", "The Telegraph", nil, []string{"Telegraph Sport"}},
		{"Cleveland.com", "", nil, []string{"Cleveland.com"}},
		{"https://x.example/author/associated-press/", "", nil, []string{"Associated Press"}},
		{"India Post News Weekly", "", nil, []string{"India Post News Weekly"}},
	}
	for _, tt := range tests {
		people, orgs := cleanAuthors(tt.in, false, tt.site)
		if !reflect.DeepEqual(people, tt.people) || !reflect.DeepEqual(orgs, tt.orgs) {
			t.Errorf("cleanAuthors(%q) = %q, %q; want %q, %q", tt.in, people, orgs, tt.people, tt.orgs)
		}
	}
	// A typed Person named like the site is kept: a personal site.
	if people, _ := cleanAuthors("Haki Benita", true, "Haki Benita"); len(people) != 1 {
		t.Errorf("typed Person equal to the site name dropped: %q", people)
	}
	if people, _ := cleanAuthors("LinkNaija", true, "LinkNaija"); len(people) != 0 {
		t.Errorf("one-word typed Person equal to the site name kept: %q", people)
	}
	if people, _ := cleanAuthors("Beachbody", true, "The Beachbody Blog"); len(people) != 0 {
		t.Errorf("one-word typed Person inside the site name kept: %q", people)
	}
	if people, orgs := cleanAuthors("Haki Benita", false, "Haki Benita"); len(people) != 0 || len(orgs) != 1 {
		t.Errorf("untyped author equal to the site name: %q %q", people, orgs)
	}
}
