package extract

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestRepairJSON(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"trailing commas", `{"a": [1, 2,], "b": {"c": 1,},}`, `{"a":[1,2],"b":{"c":1}}`},
		{"raw newline and tab in string", "{\"a\": \"x\ny\tz\"}", `{"a":"x\ny\tz"}`},
		{"invalid escape", `{"a": "it\'s"}`, `{"a":"it's"}`},
		{"cdata wrapper", "//<![CDATA[\n{\"a\": 1}\n//]]>", `{"a":1}`},
		{"comment wrapper", "<!-- {\"a\": 1} -->", `{"a":1}`},
		{"js comments", "{\"a\": 1, // note\n \"b\": /* x */ 2}", `{"a":1,"b":2}`},
		{"entity encoded", `{&quot;a&quot;: &quot;b&quot;}`, `{"a":"b"}`},
		{"doubled comma", `{"a": 1,, "b": 2}`, `{"a":1,"b":2}`},
		{"trailing semicolon", `{"a": 1};`, `{"a":1}`},
		{"comma inside string kept", `{"a": "x,}"}`, `{"a":"x,}"}`},
	}
	for _, tt := range tests {
		var v any
		if err := json.Unmarshal(repairJSON([]byte(tt.in)), &v); err != nil {
			t.Errorf("%s: repaired JSON does not decode: %v (%s)", tt.name, err, repairJSON([]byte(tt.in)))
			continue
		}
		got, _ := json.Marshal(v)
		if string(got) != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestParseJSONLD(t *testing.T) {
	tests := []struct {
		name   string
		blocks []string
		check  func(ldInfo) bool
	}{
		{"type array", []string{`{"@type":["WebPage","NewsArticle"],"headline":"H"}`},
			func(i ldInfo) bool { return i.Type == "NewsArticle" && i.Headline == "H" }},
		{"type with vocabulary", []string{`{"@context":{"@vocab":"http://schema.org/"},"@type":"http://schema.org/BlogPosting","headline":"H"}`},
			func(i ldInfo) bool { return i.Type == "BlogPosting" }},
		{"most specific article wins", []string{`[{"@type":"Article","headline":"A"},{"@type":"NewsArticle","headline":"N"}]`},
			func(i ldInfo) bool { return i.Headline == "N" }},
		{"mainEntity by id", []string{`{"@graph":[{"@type":"WebPage","mainEntity":{"@id":"#a"}},{"@type":"BlogPosting","headline":"first"},{"@id":"#a","@type":"LiveBlogPosting","headline":"live"}]}`},
			func(i ldInfo) bool { return i.Headline == "live" && i.Type == "LiveBlogPosting" }},
		{"author forms", []string{`{"@type":"Article","author":["Jane Doe",{"@type":"Person","name":{"@value":"John Roe"}},{"@type":"Organization","name":"AFP"},{"@id":"#p"}]}`, `{"@id":"#p","@type":"Person","name":"Ann Poe"}`},
			func(i ldInfo) bool {
				return len(i.Authors) == 4 && i.Authors[1].name == "John Roe" && i.Authors[2].org && i.Authors[3].name == "Ann Poe" && i.Authors[3].person
			}},
		{"free as string", []string{`{"@type":"NewsArticle","isAccessibleForFree":"False"}`},
			func(i ldInfo) bool { return i.Free != nil && !*i.Free }},
		{"free undeclared", []string{`{"@type":"NewsArticle"}`},
			func(i ldInfo) bool { return i.Free == nil }},
		{"keywords string and about", []string{`{"@type":"NewsArticle","keywords":"a, b,,c","about":[{"name":"d"},"e"]}`},
			func(i ldInfo) bool { return reflect.DeepEqual(i.Keywords, []string{"a", "b", "c", "d"}) }},
		{"image object list", []string{`{"@type":"NewsArticle","image":[{"@type":"ImageObject","contentUrl":"https://x/a.jpg"},"https://x/b.jpg"]}`},
			func(i ldInfo) bool { return i.Image == "https://x/a.jpg" }},
		{"entities and tags in headline", []string{`{"@type":"NewsArticle","headline":"Tom &amp; <b>Jerry</b>"}`},
			func(i ldInfo) bool { return i.Headline == "Tom & Jerry" }},
		{"inline tags in description leave no space", []string{`{"@type":"NewsArticle","description":"<p>Ferry fares <b>rise</b>, <a href=\"/x\">again</a>.</p><p>Second line</p>"}`},
			func(i ldInfo) bool { return i.Description == "Ferry fares rise, again. Second line" }},
		{"language object", []string{`{"@type":"NewsArticle","inLanguage":{"@type":"Language","name":"English","alternateName":"en"}}`},
			func(i ldInfo) bool { return i.Language == "en" }},
		{"nested articles are not the page's", []string{`{"@type":"CollectionPage","hasPart":[{"@type":"NewsArticle","headline":"teaser"}]}`},
			func(i ldInfo) bool { return i.Headline == "" && i.Type == "CollectionPage" }},
		{"self reference does not loop", []string{`{"@graph":[{"@id":"#a","@type":"NewsArticle","author":{"@id":"#a"},"publisher":{"@id":"#a"}}]}`},
			func(i ldInfo) bool { return i.Type == "NewsArticle" }},
	}
	for _, tt := range tests {
		info, notes := parseJSONLD(tt.blocks, ldPage{})
		if len(notes) > 0 {
			t.Errorf("%s: notes %q", tt.name, notes)
		}
		if !tt.check(info) {
			t.Errorf("%s: unexpected %+v", tt.name, info)
		}
	}
}

func TestParseJSONLDNotes(t *testing.T) {
	_, notes := parseJSONLD([]string{`{"@type": "NewsArticle", "headline": `, `   `, `{"@type":"NewsArticle"}`}, ldPage{})
	if len(notes) != 2 || !strings.Contains(notes[0], "block 1") || !strings.Contains(notes[1], "block 2") {
		t.Errorf("notes = %q", notes)
	}
}

func FuzzParseJSONLD(f *testing.F) {
	for _, s := range []string{
		`{"@graph":[{"@type":"NewsArticle","author":{"@id":"#p"}},{"@id":"#p","name":"X"}]}`,
		"//<![CDATA[\n{\"a\": [1,],}\n//]]>",
		`[{"@type":["Article"],"image":[{"url":"u"}],"keywords":["a"]}]`,
		`{&quot;@type&quot;: &quot;NewsArticle&quot;}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		info, _ := parseJSONLD([]string{s}, ldPage{})
		_ = info
	})
}

func TestParseJSONLDPicksThePagesArticle(t *testing.T) {
	popular := `{"@context":"https://schema.org","@type":"NewsArticle","headline":"Most read: Pier closes for repairs","url":"https://gazette.example/pier","author":{"@type":"Person","name":"Other Writer"}}`
	own := `{"@context":"https://schema.org","@type":"NewsArticle","headline":"Ferry timetable changes from May","mainEntityOfPage":{"@id":"https://www.gazette.example/ferry-timetable/"},"author":{"@type":"Person","name":"Own Writer"}}`
	ownNoURL := `{"@context":"https://schema.org","@type":"NewsArticle","headline":"Ferry timetable changes from May","author":{"@type":"Person","name":"Own Writer"}}`
	tests := []struct {
		name   string
		blocks []string
		page   ldPage
		want   string // the author of the chosen article
	}{
		{"no page hints: the first", []string{popular, own}, ldPage{}, "Other Writer"},
		{"canonical matches mainEntityOfPage", []string{popular, own}, ldPage{URLs: []string{"http://gazette.example/ferry-timetable"}}, "Own Writer"},
		{"graph", []string{`{"@graph":[` + popular + `,` + own + `]}`}, ldPage{URLs: []string{"https://gazette.example/ferry-timetable"}}, "Own Writer"},
		{"headline matches the h1", []string{popular, ownNoURL}, ldPage{Titles: []string{"Ferry timetable changes from May"}}, "Own Writer"},
		{"headline begins the title", []string{popular, ownNoURL}, ldPage{Titles: []string{"Ferry timetable changes from May | The Gazette"}}, "Own Writer"},
		{"url beats headline", []string{popular, own}, ldPage{URLs: []string{"https://gazette.example/ferry-timetable"}, Titles: []string{"Most read: Pier closes for repairs"}}, "Own Writer"},
		{"nothing matches: the first", []string{popular, ownNoURL}, ldPage{URLs: []string{"https://gazette.example/elsewhere"}, Titles: []string{"Another story"}}, "Other Writer"},
	}
	for _, tt := range tests {
		info, _ := parseJSONLD(tt.blocks, tt.page)
		if len(info.Authors) != 1 || info.Authors[0].name != tt.want {
			t.Errorf("%s: authors %+v, want %s", tt.name, info.Authors, tt.want)
		}
	}
}
