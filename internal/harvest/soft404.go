package harvest

import (
	"strings"
	"unicode"

	"github.com/herald-archive/herald/extract"
)

// A soft 404 is a page a server answers with 200 that only says the page
// is not there: a site's "Page not found" template, served at an old
// article's URL instead of a 404. Its text is short and on an article's
// URL, so it would pass for an article. isSoft404 tells it by two kinds
// of signal, in several languages, and only on a short page: no page of
// soft404MaxWords words or more is one, so an article that discusses
// error pages, or quotes one, is kept.
//
//   - The title says so, whole: one of its parts (between separators such
//     as " | " or " - ") is a not-found phrase ("Page not found", "Seite
//     nicht gefunden", "Article no longer available"), or "404" with an
//     "error" or "oops" around it. A title that goes on ("Seite nicht
//     gefunden: Warum Behörden-Websites scheitern", "Missing hiker not
//     found") is not.
//   - The title says so only as a film, a song or an address could: a
//     part is "404" alone or a bare "Not Found" ("Nicht gefunden"). That
//     counts only on a bare page, as the text's signal below: a review
//     of the film "404" or of the song "Not Found" has a byline or a
//     date.
//   - The text says so, near its start (within softLeadWords words), on
//     a bare page: shorter than softBodyMaxWords, naming no author, and
//     whose own markup gives no date (a date read off the URL aside):
//     "the page you are looking for", "diese Seite existiert nicht". A
//     news brief quoting an error page has a byline or a date.
const (
	soft404MaxWords  = 120
	softBodyMaxWords = 80
	softLeadWords    = 40
)

// isSoft404 reports whether an extracted page is a soft 404.
func isSoft404(res *extract.Result) bool {
	a := &res.Article
	if a.WordCount >= soft404MaxWords {
		return false
	}
	title := titleNotFound(a.Title)
	if title == titleStrong {
		return true
	}
	if a.WordCount >= softBodyMaxWords || len(a.Authors) > 0 {
		return false
	}
	if src := res.Sources["published"]; src != "" && src != "url" {
		return false
	}
	if title == titleWeak {
		return true
	}
	lead := strings.Fields(a.Text)
	lead = lead[:min(len(lead), softLeadWords)]
	return containsPhrase(normalizeSoft(strings.Join(lead, " ")), softBodyPhrases)
}

// titleVerdict is how firmly a page title says the page is not there.
type titleVerdict int

const (
	// titleSilent: the title does not say so.
	titleSilent titleVerdict = iota
	// titleWeak: a part of the title is "404" (or "410") alone, or a bare
	// not-found phrase (softWeakPhrases): a soft 404's title, or a film's,
	// a song's, a street number's.
	titleWeak
	// titleStrong: a part is a not-found phrase about a page, an article
	// or content, or one said with an error word or number around it
	// ("Error 404", "Oops! Not found", "404 Not Found").
	titleStrong
)

// titleNotFound says how firmly a part of a page title is a not-found
// phrase or an error number with nothing else; the firmest part counts.
func titleNotFound(title string) titleVerdict {
	verdict := titleSilent
	for _, part := range splitTitle(title) {
		words := strings.Fields(normalizeSoft(part))
		had404, hadFiller := false, false
		trim := func(w string) bool {
			switch {
			case w == "404" || w == "410":
				had404 = true
			case softFiller[w]:
				hadFiller = true
			default:
				return false
			}
			return true
		}
		for len(words) > 0 && trim(words[0]) {
			words = words[1:]
		}
		for len(words) > 0 && trim(words[len(words)-1]) {
			words = words[:len(words)-1]
		}
		phrase := strings.Join(words, " ")
		switch {
		case len(words) == 0 && had404 && hadFiller,
			softTitlePhrases[phrase] && (had404 || hadFiller || !softWeakPhrases[phrase]):
			return titleStrong
		case len(words) == 0 && had404, softWeakPhrases[phrase]:
			verdict = titleWeak
		}
	}
	return verdict
}

// splitTitle cuts a title at the separators sites put between a page's
// title and their name. A colon is not one: it starts a headline's second
// half.
func splitTitle(title string) []string {
	parts := []string{title}
	for _, sep := range []string{" | ", " - ", " – ", " — ", " · ", " • ", " :: ", " » ", " « "} {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	return parts
}

// normalizeSoft lower-cases s, makes its apostrophes straight and turns
// every other character that is not a letter or digit into a space, with
// one space between words.
func normalizeSoft(s string) string {
	s = strings.ToLower(s)
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '’' || r == '‘' || r == '\'':
			return '\''
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return r
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// containsPhrase reports whether normalized text s holds one of phrases
// as whole words.
func containsPhrase(s string, phrases []string) bool {
	s = " " + s + " "
	for _, p := range phrases {
		if strings.Contains(s, " "+p+" ") {
			return true
		}
	}
	return false
}

// softFiller are the words around a not-found title that say nothing
// more ("Oops! Page not found", "Error 404", "Fehler 404").
var softFiller = map[string]bool{
	"oops": true, "whoops": true, "sorry": true, "error": true, "erreur": true, "fehler": true,
	"hoppla": true, "ups": true, "uups": true, "oh": true, "no": true, "errore": true, "fout": true,
	"ошибка": true, "hata": true, "błąd": true, "http": true,
}

// softTitlePhrases are whole title parts that say the page is not there
// (normalized: lower case, no punctuation, straight apostrophes).
var softTitlePhrases = phraseSet(
	[]string{
		// English
		"page not found", "not found", "file not found", "article not found", "story not found",
		"content not found", "nothing found", "that page can't be found", "page can't be found",
		"page cannot be found", "page could not be found", "the page could not be found",
		"the page you requested could not be found", "this page doesn't exist", "page does not exist",
		"page no longer exists", "page unavailable", "page not available", "article no longer available",
		"this article is no longer available", "story no longer available", "content no longer available",
		"content not available", "article unavailable",
		// German
		"seite nicht gefunden", "die seite wurde nicht gefunden", "seite wurde nicht gefunden",
		"nicht gefunden", "seite existiert nicht", "diese seite existiert nicht", "seite nicht verfügbar",
		"artikel nicht gefunden", "artikel nicht mehr verfügbar", "inhalt nicht gefunden",
		"inhalt nicht verfügbar", "inhalt nicht mehr verfügbar",
		// French
		"page introuvable", "page non trouvée", "page inexistante", "cette page n'existe pas",
		"article introuvable", "article non disponible", "contenu introuvable", "contenu indisponible",
		// Spanish, Portuguese, Italian
		"página no encontrada", "pagina no encontrada", "la página no existe", "página no disponible",
		"artículo no encontrado", "página não encontrada", "pagina nao encontrada", "artigo não encontrado",
		"pagina non trovata", "articolo non trovato", "pagina non disponibile",
		// Dutch, Scandinavian, Polish, Russian, Turkish
		"pagina niet gevonden", "artikel niet gevonden", "pagina bestaat niet",
		"sidan hittades inte", "sidan kunde inte hittas", "siden blev ikke fundet", "siden ble ikke funnet",
		"side ikke funnet", "nie znaleziono strony", "strona nie została znaleziona", "strona nie istnieje",
		"страница не найдена", "sayfa bulunamadı",
	})

// softWeakPhrases are the title phrases of softTitlePhrases that are
// also the whole title of a work ("Not Found", a song): they say nothing
// of a page.
var softWeakPhrases = phraseSet([]string{"not found", "nicht gefunden", "nothing found"})

// softBodyPhrases say, in a page's first words, that the page asked for
// is not there: about the page, not about something in the news.
var softBodyPhrases = normalizeAll([]string{
	// English
	"page not found", "page you are looking for", "page you're looking for", "page you were looking for",
	"page you requested", "page could not be found", "page cannot be found", "page can't be found",
	"page does not exist", "page doesn't exist", "page no longer exists", "nothing was found at this location",
	"article is no longer available", "article you are looking for", "article you requested",
	"story is no longer available", "content is no longer available",
	// German
	"seite nicht gefunden", "seite konnte nicht gefunden werden", "seite existiert nicht",
	"gesuchte seite", "aufgerufene seite", "angeforderte seite", "artikel ist nicht mehr verfügbar",
	"inhalt ist nicht mehr verfügbar",
	// French
	"page introuvable", "page que vous recherchez", "page demandée", "cette page n'existe pas",
	"article n'est plus disponible",
	// Spanish, Portuguese, Italian
	"página no encontrada", "página que buscas", "página que busca", "página solicitada",
	"la página no existe", "artículo ya no está disponible", "página não encontrada",
	"página que você procura", "pagina non trovata", "pagina che stai cercando", "pagina richiesta",
	"articolo non è più disponibile",
	// Dutch
	"pagina niet gevonden", "pagina die u zoekt", "pagina die je zoekt",
})

// phraseSet is the set of phrases, normalized.
func phraseSet(phrases []string) map[string]bool {
	set := make(map[string]bool, len(phrases))
	for _, p := range phrases {
		set[normalizeSoft(p)] = true
	}
	return set
}

// normalizeAll normalizes each of phrases.
func normalizeAll(phrases []string) []string {
	out := make([]string, len(phrases))
	for i, p := range phrases {
		out[i] = normalizeSoft(p)
	}
	return out
}
