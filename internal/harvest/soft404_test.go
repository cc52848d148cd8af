package harvest

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/extract"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// softPage is a page served with 200 that only says the page is not
// there: a site's "not found" template, which some sites serve with 200.
func softPage(lang, title, body string) string {
	return fmt.Sprintf(`<!DOCTYPE html><html lang="%s"><head><meta charset="utf-8"><title>%s</title>
<meta property="og:site_name" content="The Harbour Gazette"></head><body>
<header><nav><a href="/">Home</a> <a href="/section/port/">Port</a> <a href="/section/town/">Town</a> <a href="/search">Search</a></nav></header>
<main>%s</main>
<aside><h3>Most read</h3><ul><li><a href="/news/2026/05/01/ferry.html">Ferry timetable changes</a></li><li><a href="/news/2026/05/02/quay.html">Quay works begin</a></li></ul></aside>
<footer><p>The Harbour Gazette, Quay Street. All rights reserved.</p></footer></body></html>`, lang, html.EscapeString(title), body)
}

// soft404s are "not found" pages answered with 200, in several languages
// and shapes, each at an article-shaped URL a sitemap lists.
var soft404s = map[string]string{
	"wordpress": softPage("en", "Page not found – The Harbour Gazette",
		`<h1>Oops! That page can’t be found.</h1><p>It looks like nothing was found at this location. Maybe try one of the links below or a search?</p><form action="/search"><input name="q"></form>`),
	"german": softPage("de", "Seite nicht gefunden | Hafenblatt",
		`<h1>Seite nicht gefunden</h1><p>Leider konnte die von Ihnen aufgerufene Seite nicht gefunden werden. Möglicherweise wurde sie verschoben oder gelöscht.</p><p><a href="/">Zur Startseite</a></p>`),
	"gone": softPage("en", "The Harbour Gazette",
		`<h1>Article no longer available</h1><p>This article is no longer available. It may have been removed or its address may have changed. Please return to the home page or use the search to find what you were looking for.</p>`),
	"french": softPage("fr", "Page introuvable - Le Port",
		`<h1>Erreur 404</h1><p>Désolé, la page que vous recherchez est introuvable ou n'existe plus. Elle a peut-être été déplacée ou supprimée.</p><p>Vous pouvez utiliser le moteur de recherche ou revenir à la page d'accueil pour consulter nos dernières actualités.</p>`),
	"spanish": softPage("es", "Página no encontrada | El Puerto",
		`<h1>Lo sentimos</h1><p>La página que buscas no existe o ha sido movida. Vuelve a la portada.</p>`),
	"untitled": softPage("en", "The Harbour Gazette",
		`<p>Sorry, the page you are looking for is no longer available. It may have been moved or deleted. Return to the homepage or try the search.</p>`),
	"error404": softPage("en", "Error 404 - The Harbour Gazette",
		`<h1>404</h1><p>Sorry, the page you requested could not be found. Check the address for typos, or go back to the homepage.</p>`),
}

// realArticles mention 404s and things not found, and are articles:
// they must be kept.
var realArticles = map[string]string{
	// A long article about error pages.
	"feature": gazettePage("Why “page not found” screens are getting friendlier", "", gazetteDay, append([]string{
		"Anyone who has followed a broken link knows the 404 page: the error a web server returns when the page you are looking for does not exist. Designers at the council say a good page not found screen saves readers from giving up.",
		"The council's own 404 page now suggests related services and a search box, and the number of people who leave the site after seeing it has halved, officials said on Tuesday.",
	}, gazetteText("feature", 5)...)),
	// A short brief that quotes an error page, with its byline and date.
	"brief": gazettePage("Council website back online after outage", "", gazetteDay, []string{
		"The council's website showed a “page not found” error for most of Monday after a failed update, a spokesperson said. Residents were unable to renew parking permits. The site was restored in the evening.",
	}),
	// A short story whose title says something was not found.
	"hiker": gazettePage("Missing hiker not found after two-day search", "", gazetteDay, []string{
		"Rescue teams said on Sunday that the hiker reported missing on the coastal path had still not been found. The search will resume at first light, and residents are asked to check outbuildings.",
	}),
	// Short stories whose whole title is "404" (a film) or "Not Found"
	// (a song): each has a byline and a date, as news has.
	"film": gazettePage("404", "", gazetteDay, []string{
		"The thriller about a missing website opens at the Quay Cinema on Friday. Its director grew up in the town and will answer questions after the first screening.",
	}),
	"song": gazettePage("Not Found", "", gazetteDay, []string{
		"The harbour choir's new single, a ballad about a lost fishing boat, was played on national radio for the first time on Monday.",
	}),
	// A German article whose title starts with the phrase.
	"behoerden": gazettePage("Seite nicht gefunden: Warum so viele Behörden-Websites scheitern", "", gazetteDay, append([]string{
		"Wer beim Amt einen Termin buchen will, landet oft auf einer Fehlerseite. Die Meldung „Seite nicht gefunden“ gehört für viele Bürger zum Alltag, sagt eine Studie.",
	}, gazetteText("behoerden", 4)...)),
}

// TestHarvestSoft404Skipped: a page answered with 200 that only says it
// is not there (a "soft 404": "Page not found", "Seite nicht gefunden",
// "Article no longer available") is not stored as an article; it is
// skipped as ReasonSoft404 and counted in the summary. Articles that
// merely mention a 404 or something not found are stored.
func TestHarvestSoft404Skipped(t *testing.T) {
	ts := newTestSite(t)
	ts.mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	var paths []string
	for name, page := range soft404s {
		p := "/news/2026/05/04/" + name + "-gone.html"
		ts.html(p, page)
		paths = append(paths, p)
	}
	for name, page := range realArticles {
		p := "/news/2026/05/04/" + name + ".html"
		ts.html(p, page)
		paths = append(paths, p)
	}
	ts.mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, urlset(ts, paths...))
	})
	st, dir := testArchive(t)
	h := newTestHarvester(t, st, testOptions(dir))
	addSource(t, st, ts.url("/sitemap.xml"), store.KindSitemap)
	sum, err := h.RunDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for name := range soft404s {
		if rec := stored(t, st, ts.url("/news/2026/05/04/"+name+"-gone.html")); rec != nil {
			t.Errorf("soft 404 %q stored as an article titled %q (%d words)", name, rec.Title, rec.WordCount)
		}
	}
	for name := range realArticles {
		if stored(t, st, ts.url("/news/2026/05/04/"+name+".html")) == nil {
			t.Errorf("article %q not stored", name)
		}
	}
	if sum.Skipped["soft 404"] != len(soft404s) || sum.New != len(realArticles) {
		t.Errorf("%d new, skipped %v; want %d articles and %d soft 404s", sum.New, sum.Skipped, len(realArticles), len(soft404s))
	}
}

func TestTitleSaysNotFound(t *testing.T) {
	for title, want := range map[string]titleVerdict{
		"Page not found":                               titleStrong,
		"Page Not Found | The Gazette":                 titleStrong,
		"Oops! Page not found.":                        titleStrong,
		"Error 404":                                    titleStrong,
		"HTTP 404 Not Found":                           titleStrong,
		"Fehler 404 – Seite nicht gefunden":            titleStrong,
		"Seite nicht gefunden | Hafenblatt":            titleStrong,
		"Page introuvable - Le Port":                   titleStrong,
		"Página no encontrada":                         titleStrong,
		"Страница не найдена":                          titleStrong,
		"Oops! That page can’t be found.":              titleStrong,
		"Article no longer available":                  titleStrong,
		"":                                             titleSilent,
		"Error":                                        titleSilent,
		"Oh no":                                        titleSilent,
		"The Harbour Gazette":                          titleSilent,
		"404 Not Found: the lost web":                  titleSilent,
		"The 404 Club reopens":                         titleSilent,
		"Missing hiker not found after two-day search": titleSilent,
		"Seite nicht gefunden: Warum so viele Behörden-Websites scheitern": titleSilent,
		"Why “page not found” screens are getting friendlier":              titleSilent,
		// Also the whole title of a film, a song, a street number: only
		// a page with nothing else of an article's is a soft 404 by it.
		"404":                     titleWeak,
		"410 | The Gazette":       titleWeak,
		"Not Found":               titleWeak,
		"Not Found - The Gazette": titleWeak,
		"Nicht gefunden":          titleWeak,
		"Oops! Not found":         titleStrong,
		"404 Not Found":           titleStrong,
	} {
		if got := titleNotFound(title); got != want {
			t.Errorf("titleNotFound(%q) = %v, want %v", title, got, want)
		}
	}
}

func TestIsSoft404(t *testing.T) {
	notice := "Sorry, the page you are looking for is no longer available. Return to the homepage."
	long := strings.Repeat("The harbour board met on Tuesday to discuss the new quay. ", 15)
	for _, tt := range []struct {
		name    string
		title   string
		text    string
		authors []string
		pubSrc  string
		want    bool
	}{
		{"title says so", "Page not found", "Try the search.", nil, "", true},
		{"text says so", "The Harbour Gazette", notice, nil, "", true},
		{"text says so, date from the URL", "The Harbour Gazette", notice, nil, "url", true},
		{"text says so, with a byline", "The Harbour Gazette", notice, []string{"Mara Quill"}, "", false},
		{"text says so, with a date", "The Harbour Gazette", notice, nil, "json-ld:datePublished", false},
		{"text says so late", "Council news", strings.Repeat("The council met. ", 15) + notice, nil, "", false},
		{"long page, title says so", "Page not found", long, nil, "", false},
		{"long page, text says so", "The Harbour Gazette", notice + " " + long, nil, "", false},
		{"something else not found", "Hiker still missing", "The hiker was not found. The search goes on.", nil, "", false},
		{"bare 404 title, bare page", "404", "Try the search.", nil, "", true},
		{"bare 404 title, date from the URL", "404 | The Harbour Gazette", "Return to the homepage.", nil, "url", true},
		{"film titled 404, with a byline", "404", "The thriller opens at the Quay Cinema on Friday.", []string{"Mara Quill"}, "", false},
		{"film titled 404, with a date", "404", "The thriller opens at the Quay Cinema on Friday.", nil, "meta:article:published_time", false},
		{"song titled Not Found, with a date", "Not Found", "The choir's new single was played on the radio.", nil, "json-ld:datePublished", false},
		{"bare Not Found title, bare page", "Not Found", "The requested URL was not found on this server.", nil, "", true},
		{"strong title, with a byline", "Page not found", "Try the search.", []string{"Mara Quill"}, "", true},
	} {
		res := &extract.Result{Sources: map[string]string{}}
		res.Article.Title, res.Article.Text, res.Article.Authors = tt.title, tt.text, tt.authors
		res.Article.WordCount = len(strings.Fields(tt.text))
		if tt.pubSrc != "" {
			res.Sources["published"] = tt.pubSrc
		}
		if got := isSoft404(res); got != tt.want {
			t.Errorf("%s: isSoft404 = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// A soft 404 in an imported WARC is skipped as in a harvest; the
// articles beside it are stored.
func TestImportWARCSoft404(t *testing.T) {
	dir := t.TempDir()
	w, err := warc.NewWriter(dir, warc.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for path, page := range map[string]string{
		"/news/2026/05/04/gone.html":  soft404s["german"],
		"/news/2026/05/04/brief.html": realArticles["brief"],
	} {
		if _, err := w.WriteExchange(context.Background(), warc.Exchange{
			TargetURI: "https://gazette.example" + path, Date: gazetteDay,
			ResponseRaw: rawResponse(200, "text/html; charset=utf-8", page),
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	if err != nil || len(files) != 1 {
		t.Fatalf("warc files %v %v", files, err)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	st, _ := testArchive(t)
	sum, err := ImportWARC(context.Background(), st, bytes.NewReader(b), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Skipped[ReasonSoft404] != 1 || stored(t, st, "https://gazette.example/news/2026/05/04/brief.html") == nil ||
		stored(t, st, "https://gazette.example/news/2026/05/04/gone.html") != nil {
		t.Errorf("import summary %+v: want the brief stored and the soft 404 skipped", sum)
	}
}

// TestReextractSoft404Kept: an archived article whose capture the
// current extractor judges a soft 404 (stored by a Herald without the
// rule) is reported and counted as one, not as a problem, and the stored
// record is kept as it was: the rule is a guess about a short page, and
// nothing already stored is lost to it.
func TestReextractSoft404Kept(t *testing.T) {
	st, dir := testArchive(t)
	ctx := context.Background()
	w, err := warc.NewWriter(filepath.Join(dir, "captures"), warc.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const u = "https://gazette.example/news/2026/05/04/gone.html"
	ref, err := w.WriteExchange(ctx, warc.Exchange{TargetURI: u, Date: gazetteDay,
		ResponseRaw: rawResponse(200, "text/html; charset=utf-8", soft404s["wordpress"])})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	old := &store.Record{
		Article: article.Article{URL: u, Title: "Page not found", SiteName: "The Harbour Gazette",
			Text: "It looks like nothing was found at this location. Maybe try one of the links below or a search?"},
		FetchedAt: gazetteDay,
		Capture:   &store.Capture{File: filepath.Join("captures", ref.File), Offset: ref.Offset, RecordID: ref.RecordID},
	}
	if _, err := archive.Ingest(ctx, st, []*store.Record{old}); err != nil {
		t.Fatal(err)
	}
	before := stored(t, st, u)
	if before == nil {
		t.Fatal("the old record was not stored")
	}
	for _, dry := range []bool{true, false} {
		var changes []Change
		sum, err := Reextract(ctx, st, &query.Query{}, ReextractOptions{Base: dir, DryRun: dry, Report: func(c Change) { changes = append(changes, c) }})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Records != 1 || sum.Soft404 != 1 || len(sum.Problems) != 0 || sum.Changed != 0 || sum.Same != 0 {
			t.Errorf("dry run %v: summary %+v; want the one record counted as a soft 404, not a problem", dry, sum)
		}
		if len(changes) != 1 || !changes[0].Soft404 || changes[0].Problem != "" || changes[0].Stored || changes[0].URL != u {
			t.Errorf("dry run %v: reported %+v; want the record reported as a soft 404, not stored", dry, changes)
		}
		after := stored(t, st, u)
		if after == nil || after.Version != before.Version || after.Text != before.Text || after.Title != before.Title {
			t.Errorf("dry run %v: the stored record changed: %+v, was %+v", dry, after, before)
		}
	}
}
