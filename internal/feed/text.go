package feed

import (
	"strings"

	"golang.org/x/net/html"
)

// cleanText trims s and folds its runs of whitespace into single spaces.
func cleanText(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// htmlToText turns a feed's title or description into plain text: tags
// removed (with the text of script and style elements), character
// references decoded, whitespace folded. Feeds put HTML in these fields
// freely, often escaped twice, so text without markup is unescaped once
// more as well.
func htmlToText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return cleanText(s)
	}
	if !looksLikeMarkup(s) {
		return cleanText(html.UnescapeString(s))
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // depth inside script/style
	for {
		switch z.Next() {
		case html.ErrorToken:
			return cleanText(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			tt := z.Token()
			switch tt.Data {
			case "script", "style", "noscript", "template":
				if tt.Type == html.StartTagToken {
					skip++
				} else if tt.Type == html.EndTagToken && skip > 0 {
					skip--
				}
			}
			if !inline[tt.Data] {
				b.WriteByte(' ')
			}
		}
	}
}

// inline elements do not separate words: "un<b>believ</b>able" is one.
var inline = map[string]bool{
	"a": true, "abbr": true, "b": true, "bdi": true, "bdo": true, "cite": true,
	"code": true, "data": true, "dfn": true, "em": true, "font": true, "i": true,
	"kbd": true, "mark": true, "q": true, "s": true, "samp": true, "small": true,
	"span": true, "strong": true, "sub": true, "sup": true, "time": true,
	"u": true, "var": true, "wbr": true,
}

// looksLikeMarkup reports whether s has something that starts a tag or a
// comment: "<" followed by a letter, "/" or "!". "5 < 6" is not markup.
func looksLikeMarkup(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		c := s[i+1]
		if c == '/' || c == '!' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
			return true
		}
	}
	return false
}

// firstImageSrc returns the src of the first <img> in an HTML fragment, or
// "" if there is none.
func firstImageSrc(s string) string {
	if !strings.Contains(s, "<img") && !strings.Contains(s, "<IMG") {
		return ""
	}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "img" || !hasAttr {
				continue
			}
			for {
				k, v, more := z.TagAttr()
				if string(k) == "src" && len(v) > 0 {
					return string(v)
				}
				if !more {
					break
				}
			}
		}
	}
}
