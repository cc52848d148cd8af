package extract

import (
	stdhtml "html"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Author cleaning.
//
// Precision over recall: a record with no author is better than one whose
// author is "Staff Writer", "Follow" or "Reuters". cleanAuthors turns one
// declared author string into people's names and organisation names:
//
//   - "By", "Written by", "Par", "Von", "Por", "Di", "Автор:" prefixes go;
//   - lists split on ",", ";", "|", "/", " and ", " & ", " und ", " et ",
//     " и ": "A, B and C" is three people; " y ", " e ", " en " (which
//     are also name particles) only in a list with a comma or between two
//     full names ("Jan de Vries en Anna Bakker");
//   - roles ("Staff Writer", "Senior Correspondent", "Editor"), credentials
//     ("PhD", "MD"), e-mails, @handles and URLs are dropped, as are
//     "for The Times" and "in London" tails;
//   - a profile URL (…/authors/jane-doe) gives "Jane Doe" when its last
//     path segment is two to four plain words, else nothing;
//   - names in ALL CAPS are title-cased;
//   - organisations (news agencies, "Staff", "Newsroom", "Editorial
//     Board", names ending in News, Media, Desk …) are returned apart so
//     the caller can use them as the site name; the placeholder ones
//     ("Staff", "Agencies") are dropped altogether.
//
// What remains must look like a name: letters, at most six words, at least
// one capitalised word in scripts that have case, no digits.

// bylinePrefixes are the words that introduce a byline. Matched case-
// insensitively at the start, followed by a space or a colon.
var bylinePrefixes = []string{
	"written by", "words by", "story by", "text by", "reporting by", "reported by", "posted by",
	"analysis by", "opinion by", "commentary by", "review by", "reviewed by", "interview by", "column by",
	"essay by", "perspective by", "compiled by", "curated by",
	"published by", "article by", "photos by", "by", "from", "par", "von", "por", "di", "door", "av", "af",
	"autor", "autorin", "auteur", "author", "автор", "авторы", "text", "texto", "testo", "tekst",
}

// authorRoles are words that make up job titles; a part made only of these
// (and small words) is a role, not a name.
var authorRoles = map[string]bool{
	"staff": true, "writer": true, "writers": true, "reporter": true, "reporters": true, "correspondent": true,
	"correspondents": true, "editor": true, "editors": true, "senior": true, "chief": true, "contributing": true,
	"contributor": true, "contributors": true, "columnist": true, "associate": true, "deputy": true,
	"managing": true, "executive": true, "political": true, "business": true, "sports": true, "science": true,
	"health": true, "technology": true, "tech": true, "foreign": true, "national": true, "international": true,
	"investigative": true, "special": true, "guest": true, "freelance": true, "journalist": true,
	"photographer": true, "producer": true, "analyst": true, "news": true, "desk": true, "team": true,
	"digital": true, "web": true, "online": true, "global": true, "economics": true, "economy": true,
	"diplomatic": true, "legal": true, "affairs": true, "culture": true, "arts": true, "environment": true,
	"climate": true, "education": true, "crime": true, "political editor": true, "white": true, "house": true,
	"bureau": true, "chief's": true, "and": true, "of": true, "the": true, "for": true, "at": true,
	"media": true, "politics": true, "world": true, "local": true, "city": true, "breaking": true,
	"enterprise": true, "entertainment": true, "travel": true, "food": true, "critic": true, "author": true,
	"host": true, "anchor": true, "intern": true, "fellow": true, "researcher": true, "redakteur": true,
	"redakteurin": true, "redaktion": true, "korrespondent": true, "korrespondentin": true,
	"journaliste": true, "rédaction": true, "redaccion": true, "redacción": true, "redação": true,
	"redazione": true, "reporters'": true, "updated": true, "published": true,
	"games": true, "gaming": true, "film": true, "movies": true, "music": true, "television": true, "tv": true,
	"style": true, "fashion": true, "opinion": true, "features": true, "feature": true, "video": true,
	"photo": true, "weather": true, "lifestyle": true, "books": true, "theater": true, "theatre": true,
	"art": true, "design": true, "markets": true, "finance": true, "money": true, "autos": true,
	"wine": true, "dining": true, "correspondant": true, "correspondante": true, "envoyé": true,
	"envoyée": true, "spécial": true, "spéciale": true, "à": true,
}

// credentials are tokens after a name that are not part of it.
var credentials = map[string]bool{
	"phd": true, "ph.d.": true, "ph.d": true, "md": true, "m.d.": true, "ma": true, "ms": true, "msc": true,
	"mph": true, "rn": true, "mba": true, "jr": true, "jr.": true, "sr": true, "sr.": true, "dr": true,
	"dr.": true, "mr": true, "mr.": true, "mrs": true, "mrs.": true, "ms.": true, "prof": true, "prof.": true,
	"bsc": true, "ba": true, "dds": true, "rd": true, "lcsw": true, "cpa": true, "esq": true, "esq.": true,
}

// agencyNames are organisations commonly given as authors.
var agencyNames = map[string]bool{
	"reuters": true, "thomson reuters": true, "ap": true, "associated press": true, "the associated press": true,
	"afp": true, "agence france-presse": true, "agence france presse": true, "bloomberg": true,
	"bloomberg news": true, "pa": true, "pa media": true, "press association": true, "upi": true,
	"dpa": true, "efe": true, "ansa": true, "xinhua": true, "tass": true, "ria novosti": true,
	"interfax": true, "kyodo": true, "kyodo news": true, "yonhap": true, "aap": true, "cnn": true,
	"bbc": true, "bbc news": true, "cnn wire": true, "ians": true, "pti": true, "ani": true,
	"anadolu": true, "anadolu agency": true, "europa press": true, "lusa": true, "belga": true, "sda": true,
	"apa": true, "ntb": true, "tt": true, "ritzau": true, "ctk": true, "čtk": true, "pap": true, "mti": true,
}

// placeholderAuthors name no one: dropped, and not used as a site name.
var placeholderAuthors = map[string]bool{
	"staff": true, "staff writer": true, "staff writers": true, "staff reporter": true, "staff reports": true,
	"newsroom": true, "the newsroom": true, "editorial board": true, "the editorial board": true,
	"editors": true, "the editors": true, "editorial": true, "editorial staff": true, "agencies": true,
	"wire services": true, "wires": true, "news desk": true, "web desk": true, "desk": true,
	"admin": true, "administrator": true, "guest": true, "user": true, "anonymous": true, "unknown": true,
	"redaction": true, "rédaction": true, "redaktion": true, "redacción": true, "redação": true,
	"redazione": true, "la rédaction": true, "die redaktion": true, "follow": true, "follow author": true,
	"more": true, "view all posts": true, "contributor": true, "contributors": true, "author": true,
	"editor": true, "team": true, "our reporter": true, "our correspondent": true, "correspondent": true,
	"reporter": true, "online": true, "ap staff": true, "afp staff": true, "reuters staff": true,
}

// orgSuffixes end organisation names ("Example News", "City Desk").
var orgSuffixes = []string{
	" news", " staff", " desk", " team", " media", " newsroom", " press", " agency", " agencies",
	" editors", " editorial", " inc", " inc.", " ltd", " ltd.", " llc", " group", " magazine",
	" radio", " tv", " online", " reporters", " foundation", " association", " company", " network",
	" services", " wire", " bureau", " channel", " newspaper", " website", " blog", " developers",
	" weekly", " daily",
}

// cleanAuthors cleans one declared author string. structured says the
// value came from a typed Person (JSON-LD, microdata), which lets a
// single-word name through. siteNames are known names of the site; an
// author equal to one of them is an organisation.
func cleanAuthors(raw string, structured bool, siteNames ...string) (people, orgs []string) {
	s := normalizeSpace(raw)
	if s == "" || len(s) > 300 {
		return nil, nil
	}
	if strings.IndexByte(s, '&') >= 0 {
		s = unescapeEntities(s)
	}
	if isURLLike(s) {
		// A profile URL gives a name only when its slug is clearly one;
		// that name is then judged like any other ("associated-press").
		if s = nameFromProfileURL(s); s == "" {
			return nil, nil
		}
	}
	s = cutCredits(s)
	s = dropURLs(s)
	s = stripBylinePrefix(s)
	s = openBracketedList(s)
	parts := splitAuthors(s)
	if len(parts) == 2 {
		// "Jong, Michiel de": a surname, then given names.
		if last, first := strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]); isSingleCapitalised(last) &&
			!strings.Contains(first, " and ") && len(strings.Fields(first)) >= 1 && len(strings.Fields(first)) <= 3 &&
			!isRoleOnly(strings.ToLower(first)) && !credentials[strings.ToLower(first)] && !agencyNames[strings.ToLower(first)] &&
			!placeholderAuthors[strings.ToLower(first)] && !isRoleOnly(strings.ToLower(last)) {
			parts = []string{first + " " + last}
		}
	}
	for i, part := range parts {
		raw := strings.TrimSpace(stripBylinePrefix(part))
		if i > 0 && isJobTitle(raw) {
			// "Jane Doe, Home Affairs Editor": the title of the name
			// before it.
			continue
		}
		rawLower := strings.ToLower(raw)
		if placeholderAuthors[rawLower] || strings.HasPrefix(rawLower, "our ") {
			continue
		}
		if agencyNames[rawLower] || (!structured && isSiteName(raw, siteNames, "")) {
			orgs = appendUnique(orgs, raw)
			continue
		}
		part = cleanAuthorPart(part)
		if part == "" {
			continue
		}
		lower := strings.ToLower(part)
		if placeholderAuthors[lower] || isRoleOnly(lower) || strings.HasPrefix(lower, "our ") {
			continue
		}
		if isOrganisation(lower, siteNames, structured) {
			// "Reuters staff", "CNN Editor-at-large": the agency itself.
			if i := strings.IndexByte(lower, ' '); i > 0 && agencyNames[lower[:i]] {
				part = part[:i]
			}
			orgs = appendUnique(orgs, part)
			continue
		}
		part = trimTrailingRoles(part)
		if !looksLikeName(part, structured) {
			continue
		}
		people = appendUnique(people, fixNameCase(part))
	}
	return people, orgs
}

// creditMarkers start the part of a byline that credits others than the
// authors ("Edited by", "Additional reporting by").
var creditMarkers = []string{
	"edited by", "reviewed by", "medically reviewed by", "fact checked by", "fact-checked by",
	"illustrated by", "illustrations by", "illustration by", "photographs by", "photography by", "photos by",
	"photo by", "additional reporting by", "additional reporting from", "produced by", "translated by",
	"graphics by", "video by", "design by", "data by",
}

// cutCredits cuts s before the first credit marker that is not at its
// start.
func cutCredits(s string) string {
	lower := strings.ToLower(s)
	cut := len(s)
	for _, m := range creditMarkers {
		if i := strings.Index(lower, m); i > 0 && i < cut && len(lower) == len(s) {
			cut = i
		}
	}
	return strings.TrimSpace(s[:cut])
}

// dropURLs removes URLs and bracketed URLs from s: they would otherwise be
// split at their slashes.
func dropURLs(s string) string {
	if !strings.Contains(s, "://") && !strings.Contains(s, "www.") {
		return s
	}
	fields := strings.Fields(s)
	out := fields[:0]
	for _, f := range fields {
		t := strings.Trim(f, "()[]<>")
		if isURLLike(t) || strings.HasPrefix(strings.ToLower(t), "www.") {
			continue
		}
		out = append(out, f)
	}
	return strings.Join(out, " ")
}

// openBracketedList turns "A (avec B et C)" and "A (with B)" into a plain
// list "A, B et C".
func openBracketedList(s string) string {
	lower := strings.ToLower(s)
	for _, w := range []string{"(avec ", "(with ", "(mit ", "(con ", "(com ", "(и "} {
		if i := strings.Index(lower, w); i > 0 && len(lower) == len(s) {
			rest := s[i+len(w):]
			rest = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), ")"))
			return strings.TrimSpace(s[:i]) + ", " + rest
		}
	}
	return s
}

// isSingleCapitalised reports whether s is one capitalised word.
func isSingleCapitalised(s string) bool {
	if s == "" || strings.ContainsAny(s, " .") {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r) && isLetters(s)
}

// isLetters reports whether s has only letters, hyphens and apostrophes.
func isLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && r != '-' && r != '\'' {
			return false
		}
	}
	return true
}

// isOrganisation reports whether a cleaned, lower-cased author part names
// an organisation rather than a person. person says a type declared it a
// Person, which overrides a match with the site name.
func isOrganisation(lower string, siteNames []string, person bool) bool {
	if agencyNames[lower] {
		return true
	}
	// A typed Person named like the site is a personal site's author,
	// if the name has at least two words ("Haki Benita", not
	// "LinkNaija"). Desks are named after their site ("Telegraph Sport"
	// for The Telegraph).
	key := nameKey(lower)
	twoWords := strings.IndexByte(strings.TrimSpace(lower), ' ') > 0
	for _, sn := range siteNames {
		if sn == "" {
			continue
		}
		sk := nameKey(sn)
		if sk == "" {
			continue
		}
		if key == sk && (!person || !twoWords) {
			return true
		}
		if !person && twoWords && len(sk) >= 5 && strings.HasPrefix(key, sk) {
			return true
		}
		// "Business Insider" for Business Insider Deutschland
		if !person && twoWords && len(key) >= 6 && strings.HasPrefix(sk, key) {
			return true
		}
		// "Beachbody" for The Beachbody Blog
		if !twoWords && len(key) >= 4 && strings.Contains(sk, key) {
			return true
		}
	}
	// Domain names: "Cleveland.com"
	if i := strings.LastIndexByte(lower, '.'); i > 0 && !strings.ContainsAny(lower, " ") && topLevelDomains[lower[i+1:]] {
		return true
	}
	for _, suf := range orgSuffixes {
		if strings.HasSuffix(lower, suf) {
			return true
		}
	}
	// People's names do not start with "The": "The Washington Post".
	if strings.HasPrefix(lower, "the ") {
		return true
	}
	// "Reuters staff", "AP reporters"
	if i := strings.IndexByte(lower, ' '); i > 0 && agencyNames[lower[:i]] {
		return true
	}
	return false
}

// nameKey reduces a name to lower-case letters and digits, without a
// leading "the" or a trailing top-level domain ("The Guardian" and
// "guardian.com" give "guardian").
func nameKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "the ")
	s = strings.TrimPrefix(s, "www.")
	for _, tld := range []string{".com", ".co.uk", ".org", ".net", ".de", ".fr", ".es", ".it", ".ru", ".cz", ".io"} {
		if strings.HasSuffix(s, tld) {
			s = s[:len(s)-len(tld)]
			break
		}
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// stripBylinePrefix removes "By", "Written by", "Par" … from the start of
// s, repeatedly ("By: Text by Jane").
func stripBylinePrefix(s string) string {
	for changed := true; changed; {
		changed = false
		s = strings.TrimLeft(s, " :-–—|•·")
		for _, p := range bylinePrefixes {
			if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) {
				next := s[len(p)]
				if next == ' ' || next == ':' || next == '\u00a0' {
					s = s[len(p)+1:]
					changed = true
					break
				}
			}
		}
	}
	return strings.TrimSpace(s)
}

// splitAuthors splits a list of names.
func splitAuthors(s string) []string {
	for _, sep := range []string{" and ", " And ", " AND ", " & ", " und ", " et ", " и ", " e ", " y ", " i ", " en ", " og ", " och "} {
		if sep == " e " || sep == " y " || sep == " i " || sep == " en " || sep == " og " || sep == " och " {
			// Conjunctions that are also name particles (José Ortega y
			// Gasset): without a comma, split only between two full
			// names ("Jan de Vries en Anna Bakker").
			if !strings.Contains(s, ",") {
				if i := strings.Index(s, sep); i < 0 || strings.Count(s, sep) != 1 || !isFullName(s[:i]) || !isFullName(s[i+len(sep):]) {
					continue
				}
			}
		}
		s = strings.ReplaceAll(s, sep, ",")
	}
	// "Jane Doe. Agency": a full stop after a word (not an initial).
	for i := strings.Index(s, ". "); i > 1; {
		if unicode.IsLower(rune(s[i-1])) && unicode.IsLetter(rune(s[i-2])) {
			s = s[:i] + "," + s[i+1:]
		}
		j := strings.Index(s[i+1:], ". ")
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case ',', ';', '|', '/', '•', '·', '\n', '，', '、':
			return true
		}
		return false
	})
}

// isFullName reports whether s is at least two capitalised words, with
// only name particles ("de", "van") between them: a given name and a
// surname, not a lone surname.
func isFullName(s string) bool {
	capitalised := 0
	for _, w := range strings.Fields(s) {
		r, _ := utf8.DecodeRuneInString(w)
		switch {
		case unicode.IsUpper(r):
			capitalised++
		case !nameParticles[w]:
			return false
		}
	}
	return capitalised >= 2
}

// cleanAuthorPart removes what surrounds a name: e-mails, handles, roles
// after a dash or in brackets, "for X" and "in X" tails, credentials.
func cleanAuthorPart(p string) string {
	p = strings.TrimSpace(p)
	p = stripBylinePrefix(p)
	// "Jane Doe - Staff Writer", "Jane Doe — Reuters"
	for _, sep := range []string{" - ", " – ", " — ", ": "} {
		if i := strings.Index(p, sep); i > 0 {
			head, tail := p[:i], strings.ToLower(strings.TrimSpace(p[i+len(sep):]))
			if isRoleOnly(tail) || placeholderAuthors[tail] || agencyNames[tail] || isURLLike(tail) || strings.Contains(tail, "@") || len(strings.Fields(tail)) > 3 {
				p = head
			}
		}
	}
	// Roles or notes in brackets: "Jane Doe (Reuters)". A bracketed middle
	// name stays: "Bruno (Henrique) Rodrigues".
	if i := strings.IndexAny(p, "(["); i > 0 {
		if j := strings.IndexAny(p[i:], ")]"); j > 0 && strings.TrimSpace(p[i+j+1:]) == "" {
			p = strings.TrimSpace(p[:i])
		}
	}
	// Drop tokens that are e-mails, handles or URLs, and credentials.
	fields := strings.Fields(p)
	out := fields[:0]
	for _, f := range fields {
		lf := strings.ToLower(strings.Trim(f, ",;"))
		switch {
		case strings.HasPrefix(f, "@"), strings.Contains(f, "@") && strings.Contains(f, "."), isURLLike(f):
			continue
		case credentials[lf] && (len(out) >= 2 || len(out) == 0) && len(lf) > 1 && strings.ToUpper(strings.Trim(f, ",;")) == strings.Trim(f, ",;"):
			continue
		case credentials[lf] && len(out) >= 2:
			continue
		}
		out = append(out, f)
	}
	// "Jane Doe for The Times", "Jane Doe in London"
	for i, f := range out {
		if i >= 2 && (f == "for" || f == "in" || f == "at" || f == "with" || f == "pour" || f == "für" || f == "aus" || f == "en" || f == "em" || f == "da" || f == "reporting" || f == "contributed" || f == "is" || f == "has") {
			out = out[:i]
			break
		}
	}
	p = strings.Join(out, " ")
	return strings.Trim(p, " .,;:-–—|*\"'“”«»")
}

// trimTrailingRoles removes role words after a name: "Jane Doe Staff
// Writer" → "Jane Doe".
func trimTrailingRoles(p string) string {
	out := strings.Fields(p)
	n := len(out)
	for len(out) > 2 {
		last := strings.ToLower(strings.Trim(out[len(out)-1], ".,"))
		if !authorRoles[last] {
			break
		}
		out = out[:len(out)-1]
	}
	if len(out) == n {
		return p
	}
	return strings.Join(out, " ")
}

// roleHeads are the words that end a job title whatever beat or place
// comes before them: "Transport Correspondent", "Home Affairs Editor",
// "Washington Bureau Chief".
var roleHeads = map[string]bool{
	"correspondent": true, "correspondents": true, "editor": true, "editors": true, "chief": true,
	"reporter": true, "reporters": true, "writer": true, "writers": true, "columnist": true, "critic": true,
	"producer": true, "analyst": true, "journalist": true, "photographer": true, "contributor": true,
	"presenter": true, "anchor": true, "correspondant": true, "correspondante": true, "journaliste": true,
	"korrespondent": true, "korrespondentin": true, "redakteur": true, "redakteurin": true,
	"corresponsal": true, "corrispondente": true, "redactor": true, "redactora": true,
}

// isJobTitle reports whether a part of a byline list that follows a name
// is that person's job title: at most five words, ending with a role head
// word, every other word capitalised or a role word ("of", "and").
func isJobTitle(s string) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 5 {
		return false
	}
	if !roleHeads[strings.ToLower(strings.Trim(words[len(words)-1], ".,"))] {
		return false
	}
	for _, w := range words[:len(words)-1] {
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) && !authorRoles[strings.ToLower(w)] {
			return false
		}
	}
	return true
}

// isRoleOnly reports whether every word of a lower-cased part is a role
// word ("senior staff writer", "correspondent").
func isRoleOnly(lower string) bool {
	if lower == "" {
		return false
	}
	for _, w := range strings.Fields(lower) {
		if !authorRoles[strings.Trim(w, ".,")] {
			return false
		}
	}
	return true
}

// nameParticles are lower-case words allowed inside names.
var nameParticles = map[string]bool{
	"van": true, "von": true, "der": true, "den": true, "de": true, "da": true, "das": true, "do": true,
	"dos": true, "di": true, "del": true, "della": true, "la": true, "le": true, "du": true, "des": true,
	"bin": true, "bint": true, "ibn": true, "al": true, "el": true, "ben": true, "ter": true, "ten": true,
	"y": true, "e": true, "zu": true, "af": true, "av": true, "st.": true, "mac": true, "ó": true,
}

// looksLikeName reports whether s can be a person's name.
func looksLikeName(s string, structured bool) bool {
	if s == "" || len(s) > 80 {
		return false
	}
	words := strings.Fields(s)
	if len(words) > 6 {
		return false
	}
	cased, capitalised, letters := false, 0, 0
	for _, w := range words {
		first, _ := utf8.DecodeRuneInString(w)
		for _, r := range w {
			switch {
			case unicode.IsLetter(r) || unicode.IsMark(r):
				letters++
			case unicode.IsDigit(r):
				return false
			case r == '.' || r == '\'' || r == '’' || r == '-' || r == '(' || r == ')' || r == '·' || r == '‧':
			default:
				return false
			}
		}
		if unicode.IsUpper(first) {
			cased = true
			capitalised++
		} else if unicode.IsLower(first) {
			cased = true
			if !nameParticles[strings.ToLower(w)] {
				return false
			}
		}
	}
	if letters < 2 || strings.Count(s, "(") != strings.Count(s, ")") {
		return false
	}
	if cased && capitalised == 0 {
		return false
	}
	if len(words) == 1 && cased && (!structured || letters < 3) {
		// A lone word ("Admin", "Jane") is a name only when a typed
		// Person said so, and never a two-letter one ("As").
		return false
	}
	// An acronym first ("HNN Staff", "PMJS - Coordenadoria") starts an
	// organisation's name, not a person's.
	if len(words) > 1 && cased && isAcronym(words[0]) && strings.IndexFunc(s, unicode.IsLower) >= 0 {
		return false
	}
	return true
}

// isAcronym reports whether w is two or more capital letters and nothing
// else.
func isAcronym(w string) bool {
	n := 0
	for _, r := range w {
		if !unicode.IsUpper(r) {
			return false
		}
		n++
	}
	return n >= 2
}

// fixNameCase title-cases names written in capitals ("JOE HILDEBRAND" →
// "Joe Hildebrand", "JEAN-PIERRE O'NEIL" → "Jean-Pierre O'Neil").
func fixNameCase(s string) string {
	hasLower, hasUpper := false, false
	for _, r := range s {
		if unicode.IsLower(r) {
			hasLower = true
		} else if unicode.IsUpper(r) {
			hasUpper = true
		}
	}
	if hasLower || !hasUpper {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	start := true
	for _, r := range s {
		if start {
			b.WriteRune(unicode.ToUpper(r))
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
		start = r == ' ' || r == '-' || r == '\'' || r == '’' || r == '.'
	}
	return b.String()
}

// isURLLike reports whether s is a URL or a bare domain path.
func isURLLike(s string) bool {
	if strings.ContainsAny(s, " \t\n") {
		return false
	}
	ls := strings.ToLower(s)
	return strings.HasPrefix(ls, "http://") || strings.HasPrefix(ls, "https://") || strings.HasPrefix(ls, "www.") ||
		strings.HasPrefix(ls, "//") || strings.HasPrefix(ls, "/") || strings.Contains(ls, "://")
}

// profileDirs are path segments after which a profile URL names its
// author.
var profileDirs = map[string]bool{
	"author": true, "authors": true, "people": true, "person": true, "profile": true, "profiles": true,
	"staff": true, "contributor": true, "contributors": true, "writer": true, "writers": true,
	"journalist": true, "journalists": true, "by": true, "autor": true, "autoren": true, "auteur": true,
	"columnist": true, "columnists": true, "reporter": true, "reporters": true, "team": true,
}

// nameFromProfileURL turns https://site/authors/jane-doe into "Jane Doe"
// when the segment after a profile folder is two to four words of letters.
func nameFromProfileURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := 0; i+1 < len(segs); i++ {
		if !profileDirs[strings.ToLower(segs[i])] {
			continue
		}
		slug := segs[i+1]
		slug = strings.TrimSuffix(slug, ".html")
		words := strings.FieldsFunc(slug, func(r rune) bool { return r == '-' || r == '_' || r == '+' || r == '.' })
		if len(words) < 2 || len(words) > 4 || topLevelDomains[strings.ToLower(words[len(words)-1])] {
			return ""
		}
		for j, w := range words {
			if !isASCIIWord(w) || (len(w) < 2 && (j == 0 || j == len(words)-1)) {
				return ""
			}
			words[j] = strings.ToUpper(w[:1]) + strings.ToLower(w[1:])
		}
		return strings.Join(words, " ")
	}
	return ""
}

// topLevelDomains end slugs made from e-mail addresses
// ("jdoe-example-com"), which are not names.
var topLevelDomains = map[string]bool{"com": true, "org": true, "net": true, "edu": true, "gov": true, "io": true, "uk": true, "de": true, "fr": true, "ru": true, "it": true, "es": true, "au": true, "ca": true, "in": true, "info": true, "news": true, "tv": true}

// appendUnique appends s unless list already has it (ignoring case).
func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return list
		}
	}
	return append(list, s)
}

// unescapeEntities decodes HTML character references left in metadata
// values (JSON-LD strings are not decoded by the HTML parser).
func unescapeEntities(s string) string {
	if strings.IndexByte(s, '&') < 0 {
		return s
	}
	return stdhtml.UnescapeString(s)
}
