// Package strayutf8 reads XML documents (feeds, sitemaps) that are meant
// as UTF-8 but carry stray bytes of a legacy encoding: each byte outside
// a valid UTF-8 sequence is taken as Windows-1252, the encoding such a
// byte nearly always comes from, instead of the whole document being
// refused for it.
package strayutf8

import (
	"bytes"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// Fix returns data as it is when it is valid UTF-8 or an XML document
// declaring another encoding (the parser decodes those); otherwise data
// with its stray bytes read as Windows-1252 (see Transformer).
func Fix(data []byte) []byte {
	if utf8.Valid(data) || !MeantAsUTF8(data[:min(len(data), 512)]) {
		return data
	}
	out, _, err := transform.Bytes(Transformer{}, data)
	if err != nil {
		return data // cannot happen: Transformer reads every byte
	}
	return out
}

// Transformer is a transform.Transformer for a document meant as UTF-8
// that is not quite: each byte outside a valid UTF-8 sequence is read as
// Windows-1252, the encoding such a stray byte nearly always comes from (a
// legacy CMS pasting a curly quote or an accented letter into a title).
// An XML decoder would otherwise reject the whole document for that byte.
type Transformer struct{ transform.NopResetter }

// Transform implements transform.Transformer.
func (Transformer) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		if c := src[nSrc]; c < utf8.RuneSelf { // most of a feed or sitemap
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = c
			nDst++
			nSrc++
			continue
		}
		r, n := utf8.DecodeRune(src[nSrc:])
		if r == utf8.RuneError && n <= 1 {
			if !atEOF && !utf8.FullRune(src[nSrc:]) {
				return nDst, nSrc, transform.ErrShortSrc // a sequence cut by the buffer
			}
			c := charmap.Windows1252.DecodeByte(src[nSrc])
			if nDst+utf8.RuneLen(c) > len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			nDst += utf8.EncodeRune(dst[nDst:], c)
			nSrc++
			continue
		}
		if nDst+n > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += copy(dst[nDst:], src[nSrc:nSrc+n])
		nSrc += n
	}
	return nDst, nSrc, nil
}

// MeantAsUTF8 reports whether the start of an XML document declares UTF-8
// or no encoding in its <?xml ...?> prolog (plain text counts as UTF-8
// too), so that Transformer may read it. A byte order mark is skipped.
func MeantAsUTF8(head []byte) bool {
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	if !bytes.HasPrefix(head, []byte("<?xml")) {
		return true
	}
	end := bytes.Index(head, []byte("?>"))
	if end < 0 {
		return true
	}
	prolog := bytes.ToLower(head[:end])
	i := bytes.Index(prolog, []byte("encoding"))
	if i < 0 {
		return true
	}
	rest := bytes.TrimLeft(prolog[i+len("encoding"):], " \t\r\n")
	rest = bytes.TrimLeft(bytes.TrimPrefix(rest, []byte("=")), " \t\r\n")
	if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
		return true
	}
	label, _, _ := bytes.Cut(rest[1:], rest[:1])
	switch string(bytes.TrimSpace(label)) {
	case "utf-8", "utf8", "":
		return true
	}
	return false
}
