package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Words of made-up German and French news, for articles whose language
// extraction tells.
var (
	germanWords = strings.Fields(`der die das und ist nicht mit für auf dem den ein eine wird wurde
Hafen Stadt Brücke Schule Bürgermeister Regierung Wetter Sturm Bahnhof Markt heute gestern
nach Angaben der Polizei hat sich über Woche Jahren neue alte große kleine Menschen sagte`)
	frenchWords = strings.Fields(`le la les et est pas avec pour sur du des un une sera été
port ville pont école maire gouvernement temps tempête gare marché aujourd'hui hier
selon la police semaine années nouvelle ancienne grande petite habitants déclaré`)
)

// langArticle is the HTML of a distinct article of 160 words drawn from
// words, in language lang.
func langArticle(n int, lang string, words []string) string {
	return htmlArticle(7, n, lang, "Bericht", words)
}

// herald import warc --site, --sites and --lang keep the pages of the
// sites named (and the hosts under them) and the articles in the
// languages named; the rest is counted by reason. Bad values are refused
// before anything is read.
func TestImportWARCOnly(t *testing.T) {
	dir := t.TempDir()
	recs := [][]byte{
		warcResponse("https://gazette.example/news/1.html", "response", warcArticle(1)),
		warcResponse("https://www.gazette.example/news/2.html", "response", warcArticle(2)),
		warcResponse("https://sport.gazette.example/3.html", "response", warcArticle(3)),
		warcResponse("https://badgazette.example/4.html", "response", warcArticle(4)),
		warcResponse("https://other.example/5.html", "response", warcArticle(5)),
		warcResponse("https://zeitung.example/6.html", "response", langArticle(6, "de", germanWords)),
		warcResponse("https://zeitung.example/7.html", "response", langArticle(7, "de", germanWords)),
		warcResponse("https://journal.example/8.html", "response", langArticle(8, "fr", frenchWords)),
	}
	path := writeFile(t, dir, "news.warc.gz", perRecordGzip(t, recs))
	summary := func(db string, args ...string) map[string]any {
		t.Helper()
		out, stderr, code := herald(t, "", append([]string{"--db", db, "import", "warc", "--json", path}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, stderr)
		}
		var sum map[string]any
		if err := json.Unmarshal([]byte(out), &sum); err != nil {
			t.Fatal(err)
		}
		return sum
	}
	skipped := func(sum map[string]any, reason string) float64 {
		m, _ := sum["skipped"].(map[string]any)
		n, _ := m[reason].(float64)
		return n
	}

	db := filepath.Join(dir, "sites.db")
	sum := summary(db, "--site", "gazette.example", "--site", "https://ZEITUNG.example/")
	if sum["new"] != 5.0 || sum["responses"] != 8.0 || skipped(sum, "other site") != 3 {
		t.Errorf("--site gazette.example --site zeitung.example: %v", sum)
	}
	out, _, _ := herald(t, "", "--db", db, "top", "--json", "--by", "site")
	for _, site := range []string{"badgazette.example", "other.example", "journal.example"} {
		if strings.Contains(out, `"`+site+`"`) {
			t.Errorf("%s archived:\n%s", site, out)
		}
	}

	db = filepath.Join(dir, "langs.db")
	sum = summary(db, "--lang", "DE,fr")
	if sum["new"] != 3.0 || skipped(sum, "other language") != 5 {
		t.Errorf("--lang de,fr: %v", sum)
	}
	out, _, _ = herald(t, "", "--db", db, "search", "--json", "lang:en")
	if strings.Contains(out, "gazette.example") {
		t.Errorf("an English article archived with --lang de,fr:\n%s", out)
	}

	// A list of sites and a language: a page must pass both.
	list := writeFile(t, dir, "sites.txt", []byte("\uFEFF# outlets we follow\n\nzeitung.example\njournal.example\n"))
	db = filepath.Join(dir, "both.db")
	sum = summary(db, "--sites", list, "--lang", "de")
	if sum["new"] != 2.0 || skipped(sum, "other site") != 5 || skipped(sum, "other language") != 1 {
		t.Errorf("--sites (zeitung, journal) --lang de: %v", sum)
	}

	bad := writeFile(t, dir, "bad.txt", []byte("zeitung.example\n# a comment\nexample.org/politics\n"))
	empty := writeFile(t, dir, "empty.txt", []byte("# nothing yet\n\n"))
	db = filepath.Join(dir, "refused.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--site", "example.org/politics"}, "--site example.org/politics: site: wants a host name like example.com, got example.org/politics"},
		{[]string{"--site", "*.ru"}, "write site:ru"},
		{[]string{"--lang", "english"}, "--lang english: lang: wants a language tag like en or pt-BR"},
		{[]string{"--sites", filepath.Join(dir, "missing.txt")}, "missing.txt: no such file or directory"},
		{[]string{"--sites", dir}, "a folder, not a file"},
		{[]string{"--sites", bad}, "bad.txt:3: example.org/politics: site: wants a host name"},
		{[]string{"--sites", empty}, "empty.txt lists no sites"},
	} {
		out, stderr, code := herald(t, "", append([]string{"--db", db, "import", "warc", path}, c.args...)...)
		if code != 2 || !strings.Contains(stderr, c.want) || out != "" {
			t.Errorf("%v: exit %d, stderr %q, want it to say %q", c.args, code, stderr, c.want)
		}
	}
	if _, err := os.Stat(db); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused import made the archive: %v", err)
	}
}
