package query

import (
	"errors"
	"strings"
)

// FilterValue reads v as the value of the filter field f (site:, lang:,
// …) and returns it normalised as a parsed query holds it, or the error
// the query would give, without its column: for options that take the
// values filters take (herald import warc --site and --lang).
func FilterValue(f Field, v string) (string, error) {
	if _, ok := fields[string(f)]; !ok {
		return "", errors.New("no filter " + string(f) + ":")
	}
	p := &parser{src: v}
	n, err := p.filter(token{kind: tField, name: string(f), text: v})
	if err != nil {
		var qe *Error
		if errors.As(err, &qe) {
			return "", errors.New(qe.Msg)
		}
		return "", err
	}
	return n.(*Filter).Value, nil
}

// OnSite reports whether host, spelt as the archive keeps hosts
// (lower-case ASCII, punycode), is the site site (a FilterValue of
// site:) or a host under it, as site: matches.
func OnSite(host, site string) bool {
	host = strings.TrimSuffix(host, ".")
	if host == site {
		return true
	}
	f := Filter{Field: Site, Value: site}
	return f.Subdomains() && strings.HasSuffix(host, "."+site)
}

// InLanguage reports whether the language tag lang is tag (a FilterValue
// of lang:) or one of its forms, as lang: matches: pt matches pt and
// pt-BR, pt-br only pt-BR.
func InLanguage(lang, tag string) bool {
	lang = strings.ToLower(strings.ReplaceAll(lang, "_", "-"))
	return lang == tag || strings.HasPrefix(lang, tag+"-")
}
