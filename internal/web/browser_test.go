package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/herald-archive/herald/article"
	"github.com/herald-archive/herald/internal/archive"
	"github.com/herald-archive/herald/internal/store"
)

// Browser tests drive the real pages in headless Chromium (Debian's
// chromium package) through chromedp. They are skipped when no Chromium
// is installed, except in CI (CI=true), where that is a failure. Each
// page is saved as a screenshot under $HERALD_TEST_ARTIFACTS/web (or a
// temporary folder, removed after the test).

// chromiumPath finds the browser, or skips (fails in CI) when it is absent.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found, and CI=true: .ci/run must install it (apt-get install -y chromium)")
	}
	t.Skip("chromium not installed: browser tests skipped (apt-get install chromium to run them)")
	return ""
}

// artifactDir is where screenshots go.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if base := os.Getenv("HERALD_TEST_ARTIFACTS"); base != "" {
		dir = filepath.Join(base, "web")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// browser is one headless Chromium tab that records every JavaScript
// dialog and console message of the pages it shows.
type browser struct {
	t   *testing.T
	ctx context.Context
	dir string

	mu       sync.Mutex
	dialogs  []string
	messages []string
}

func newBrowser(t *testing.T) *browser {
	path := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	// The machine may be slow and busy: one generous bound for the test.
	parent, cancelTimeout := context.WithTimeout(context.Background(), 3*time.Minute)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(parent, opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	b := &browser{t: t, ctx: ctx, dir: artifactDir(t)}

	// Subscribe before the first navigation; both loops end with ctx.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	console := chromedp.Console(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.dialogs = append(b.dialogs, ev.Message)
			b.mu.Unlock()
			// Dismiss it, or the page stays blocked.
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false}) // the failure is the dialog itself, recorded above
		}
	})
	wg.Go(func() {
		for m, err := range console {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.messages = append(b.messages, m.String())
			b.mu.Unlock()
		}
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		cancelTab()
		cancelAlloc()
		cancelTimeout()
		wg.Wait()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
		wg.Wait()
	})
	return b
}

// do runs actions, failing the test on error.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// navigate loads url and waits for selector to show.
func (b *browser) navigate(url, selector string) {
	b.t.Helper()
	b.do("load "+url, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(selector)))
}

func (b *browser) text(selector string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.TextContent(chromedp.CSS(selector)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", selector, err)
	}
	return s
}

func evaluate[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// screenshot saves the whole page as name.png.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, name+".png"), buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// checkQuiet fails if any page opened a dialog or logged an error (a
// Content-Security-Policy violation is logged as one).
func (b *browser) checkQuiet() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.dialogs) > 0 {
		b.t.Errorf("pages opened JavaScript dialogs: %q", b.dialogs)
	}
	for _, m := range b.messages {
		if strings.Contains(m, "error") || strings.Contains(m, "Content Security Policy") || strings.Contains(m, "exception") {
			b.t.Errorf("console: %s", m)
		}
	}
}

func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	f := sharedArchive(t)
	ts := httptest.NewServer(testServer(f, Options{}))
	defer ts.Close()
	b := newBrowser(t)

	// The search page, then a query typed and submitted like a person would.
	b.navigate(ts.URL+"/", "#q")
	if got := b.text("#result-count"); !strings.Contains(got, "of") {
		t.Errorf("front page count %q", got)
	}
	b.screenshot("search-front")
	b.do("search", chromedp.SendKeys(chromedp.ID("q"), "harbour breakwater"))
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Submit(chromedp.ID("q"))); err != nil {
		t.Fatalf("submit: %v", err)
	}
	b.do("results", chromedp.WaitVisible(chromedp.CSS("ol.results")))
	if got := b.text("#result-count"); !strings.Contains(got, "1 of 1") {
		t.Errorf("result count %q, want 1 of 1 (the copy collapsed)", got)
	}
	if n := evaluate[int](b, `document.querySelectorAll("ol.results mark").length`); n == 0 {
		t.Error("no highlighted words in the snippets")
	}
	b.screenshot("search-results")

	// Open the article from the results (the story's best-ranked copy).
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(`ol.results .hit-title a`))); err != nil {
		t.Fatalf("open article: %v", err)
	}
	b.do("article", chromedp.WaitVisible(chromedp.ID("article-title")))
	if got := b.text("#article-title"); got != "Harbour reopens after storm repairs" {
		t.Errorf("article title %q", got)
	}
	if got := b.text(".article-body"); !strings.Contains(got, "breakwater") {
		t.Errorf("article body %q", got)
	}
	if got := b.text("#copies"); !strings.Contains(got, "Harbour reopens") {
		t.Errorf("near-duplicates %q", got)
	}
	b.navigate(ts.URL+"/articles/"+f.harbour, "#article-title")
	if got := b.text(".article-body"); !strings.Contains(got, "ferry service") {
		t.Errorf("current version's body %q", got)
	}
	b.screenshot("article")

	// The attention chart renders: bars with a size on screen.
	b.navigate(ts.URL+"/timeline?q=harbour&split=site&by=month", "#attention-chart")
	bars := evaluate[int](b, `document.querySelectorAll("#attention-chart rect").length`)
	width := evaluate[float64](b, `document.getElementById("attention-chart").getBoundingClientRect().width`)
	if bars == 0 || width < 300 {
		t.Errorf("chart: %d bars, %.0f px wide", bars, width)
	}
	b.screenshot("attention-split")
	b.navigate(ts.URL+"/timeline", "#attention-chart")
	if n := evaluate[int](b, `document.querySelectorAll("#attention-chart rect, #attention-chart path").length`); n == 0 {
		t.Error("whole-archive chart has no marks")
	}
	b.screenshot("attention-all")
	// Two queries compared as shares: a line each, drawn on screen.
	b.navigate(ts.URL+"/timeline?q=harbour&compare=breakwater&share=true&by=month", "#attention-chart")
	lines := evaluate[int](b, `document.querySelectorAll("#attention-chart polyline").length`)
	drawn := evaluate[float64](b, `Math.max(...[...document.querySelectorAll("#attention-chart circle")].map(c => c.getBoundingClientRect().width))`)
	if lines < 2 || drawn < 4 {
		t.Errorf("comparison chart: %d lines, marks %.1f px wide", lines, drawn)
	}
	b.screenshot("attention-compare")

	// Hostile titles show as text and run nothing.
	for _, tc := range []struct{ id, title, shot string }{
		{f.scriptID, xssScript, "xss-script"},
		{f.imgID, xssImg, "xss-img"},
	} {
		b.navigate(ts.URL+"/articles/"+tc.id, "#article-title")
		if got := b.text("#article-title"); got != tc.title {
			t.Errorf("hostile title shows as %q, want the text %q", got, tc.title)
		}
		if n := evaluate[int](b, `document.querySelectorAll("script, img, iframe").length`); n != 0 {
			t.Errorf("%s: %d script/img/iframe elements in the page", tc.shot, n)
		}
		b.screenshot(tc.shot)
	}
	b.navigate(ts.URL+"/?q=harbour", "ol.results")
	if got := b.text("ol.results"); !strings.Contains(got, xssScript) || !strings.Contains(got, xssImg) {
		t.Errorf("hostile titles missing from results as text")
	}
	b.screenshot("xss-results")

	// The remaining pages, for the record, and the article on a phone.
	b.navigate(ts.URL+"/sources", "#log-heading")
	b.screenshot("sources")
	b.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	b.navigate(ts.URL+"/articles/"+f.harbour, "#article-title")
	if overflow := evaluate[bool](b, `document.documentElement.scrollWidth > window.innerWidth`); overflow {
		t.Error("the article page scrolls sideways on a phone")
	}
	b.screenshot("article-phone")
	b.navigate(ts.URL+"/timeline?q=harbour", "#attention-chart")
	b.screenshot("attention-phone")
	b.do("desktop", chromedp.EmulateReset())
	b.checkQuiet()

	// Last, as its 400 status is logged as a failed load.
	b.navigate(ts.URL+"/?q=%22harbour", "#query-error")
	b.screenshot("query-error")
}

// TestBrowserHarvest: an admin signs in, starts a harvest from the sources
// page like a person would, follows it to done and finds the article.
func TestBrowserHarvest(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	site := quaysideSite(t)
	f := newArchive(t)
	q := harvestQueue(t, f)
	const token = "browser-test-token-0123456789"
	ts := httptest.NewServer(testServer(f, Options{AdminToken: token, AllowPrivate: true, Harvests: q}))
	defer ts.Close()
	b := newBrowser(t)

	b.navigate(ts.URL+"/sources", "#harvests-heading")
	b.do("sign in", chromedp.SendKeys(chromedp.CSS(`input[name="token"]`), token))
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Submit(chromedp.CSS(`input[name="token"]`))); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	b.do("harvest form", chromedp.WaitVisible(chromedp.CSS(`textarea[name="urls"]`)))
	b.do("type URL", chromedp.SendKeys(chromedp.CSS(`textarea[name="urls"]`), site.URL+"/news/cranes.html"))
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(`.harvest-now button`))); err != nil {
		t.Fatalf("start harvest: %v", err)
	}
	// A generous deadline: the job takes seconds, but CI machines can be
	// loaded enough to stretch it (it once ran past 30 s there while a
	// database rewrite shared the two cores).
	for deadline, poll := time.Now().Add(90*time.Second), 0; ; poll++ {
		// A new query each time: navigating to the same URL and
		// fragment again would not load the page again.
		b.navigate(fmt.Sprintf("%s/sources?poll=%d#harvests", ts.URL, poll), "#harvests-heading")
		if evaluate[int](b, `document.querySelectorAll(".status-job-done").length`) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job not done: %s", b.text("table.jobs"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := b.text("table.jobs"); !strings.Contains(got, "/news/cranes.html") {
		t.Errorf("jobs table %q", got)
	}
	b.screenshot("harvest-jobs")
	b.navigate(ts.URL+"/?q=zanzibarquay", "ol.results")
	if got := b.text("ol.results"); !strings.Contains(got, "Quayside cranes return") {
		t.Errorf("harvested article not found: %q", got)
	}
	b.checkQuiet()
}

// TestBrowserLongTitleWraps: a title that is one 3,000-character word
// wraps in the results instead of pushing the page sideways.
func TestBrowserLongTitleWraps(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	f := newArchive(t)
	res, err := archive.Ingest(t.Context(), f.db, []*store.Record{{Article: article.Article{
		URL: "https://long.example/a", Title: "Longword" + strings.Repeat("x", 3000), Language: "en",
		Published: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), Text: "A harbour page with a very long title."}}})
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res[0].Err)
	}
	ts := httptest.NewServer(testServer(f, Options{}))
	defer ts.Close()
	b := newBrowser(t)
	b.navigate(ts.URL+"/?q=site:long.example", "ol.results")
	if overflow := evaluate[bool](b, `document.documentElement.scrollWidth > window.innerWidth`); overflow {
		t.Error("a long title makes the results page scroll sideways")
	}
	b.screenshot("long-title")
	b.checkQuiet()
}
