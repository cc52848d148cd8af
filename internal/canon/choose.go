package canon

import (
	"net/url"
	"slices"
	"strings"
)

// Choose returns the canonical URL to file a page under, given the URL it
// was fetched from and the URL it declares as canonical (rel=canonical,
// og:url, JSON-LD url; empty when none). The result is always in URL's
// canonical form, or "" when fetched is not a valid http or https URL.
//
// The declared URL is resolved against fetched (it may be relative) and is
// used only when all of these hold; otherwise the fetched URL is used:
//
//   - it is a valid http or https URL;
//   - it is on the same site: the same registrable domain by the public
//     suffix list (www.example.co.uk and news.example.co.uk are one site,
//     a.blogspot.com and b.blogspot.com are not), or the same host for IP
//     addresses and hosts that are not under a known public suffix;
//   - it is not the home page ("/" with no query) while fetched is not;
//   - it is not a section page of the fetched article: its path is a
//     proper prefix of fetched's path, fetched's last segment looks like an
//     article (it has a digit, a dot, or two or more hyphens or
//     underscores, as slugs and ids do) and the declared last segment does
//     not (/world/europe for /world/europe/2022/talks-end-without-deal);
//   - it does not drop the parameter that identifies the article: fetched
//     has a query parameter such as id, p, story or article (see
//     isContentParam) and declared has the same path and no query at all.
//
// These checks guard against two common publisher mistakes (a canonical
// tag copied from a template pointing at the home or section page) and
// against a page claiming another site's article.
func Choose(fetched, declared string) string {
	u, _ := ChooseWhy(fetched, declared)
	return u
}

// Reasons ChooseWhy gives for not following a declared canonical URL.
const (
	RefusedInvalid   = "it is not a valid http or https URL"
	RefusedOtherSite = "it is on another site than the page"
	RefusedHome      = "it is the site's home page"
	RefusedSection   = "it is a section page above the article"
	RefusedDropsID   = "it drops the query parameter that identifies the article"
)

// ChooseWhy is Choose that also says why a non-empty declared URL was not
// followed: refused is one of the Refused* reasons when the fetched URL
// was used instead of it, and "" when the declared URL was used, when none
// was declared, or when fetched is invalid (chosen is then "").
func ChooseWhy(fetched, declared string) (chosen, refused string) {
	f, err := canonical(fetched)
	if err != nil {
		return "", ""
	}
	fs := f.String()
	if strings.TrimSpace(declared) == "" {
		return fs, ""
	}
	d, ok := resolve(fs, declared)
	if !ok {
		return fs, RefusedInvalid
	}
	if site(d.host) != site(f.host) {
		return fs, RefusedOtherSite
	}
	if len(d.segs) == 0 && len(d.query) == 0 && (len(f.segs) > 0 || len(f.query) > 0) {
		return fs, RefusedHome
	}
	if isSectionOf(d, f) {
		return fs, RefusedSection
	}
	if len(d.query) == 0 && slices.Equal(d.segs, f.segs) &&
		slices.ContainsFunc(f.query, func(q param) bool { return isContentParam(unescape(q.key)) }) {
		return fs, RefusedDropsID
	}
	return d.String(), ""
}

// resolve canonicalises declared, resolving it against the canonical
// fetched URL base when it is relative.
func resolve(base, declared string) (*parts, bool) {
	declared = strings.TrimSpace(declared)
	if declared == "" {
		return nil, false
	}
	if d, err := canonical(declared); err == nil {
		return d, true
	}
	b, err := url.Parse(base)
	if err != nil {
		return nil, false
	}
	ref, err := url.Parse(declared)
	if err != nil || ref.IsAbs() {
		return nil, false
	}
	d, err := canonical(b.ResolveReference(ref).String())
	if err != nil {
		return nil, false
	}
	return d, true
}

func isSectionOf(d, f *parts) bool {
	if len(d.query) > 0 || len(d.segs) == 0 || len(d.segs) >= len(f.segs) {
		return false
	}
	if !slices.Equal(d.segs, f.segs[:len(d.segs)]) {
		return false
	}
	return looksLikeArticle(f.segs[len(f.segs)-1]) && !looksLikeArticle(d.segs[len(d.segs)-1])
}

// looksLikeArticle reports whether a path segment looks like an article's
// slug or id rather than a section name.
func looksLikeArticle(seg string) bool {
	if strings.ContainsAny(seg, "0123456789.") {
		return true
	}
	return strings.Count(seg, "-")+strings.Count(seg, "_") >= 2
}

// contentParams name query parameters that commonly identify an article.
var contentParams = []string{
	"id", "p", "story", "article", "aid", "sid", "nid", "newsid",
	"storyid", "story_id", "articleid", "article_id", "item", "itemid",
}

// isContentParam reports whether a parameter name commonly identifies the
// article itself (?id=123, ?p=456, ?story=...); compared ignoring case.
func isContentParam(name string) bool {
	return slices.Contains(contentParams, strings.ToLower(name))
}
