package feed

import (
	"bytes"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// fixUTF8 returns data as it is when it is valid UTF-8 or an XML document
// declaring another encoding (the parser decodes those). Otherwise, an
// XML document meant as UTF-8 (so declared, or declaring nothing) that is
// not quite, each byte outside a valid UTF-8 sequence is read as
// Windows-1252, the encoding such a stray byte nearly always comes from (a
// legacy CMS pasting a curly quote or an accented letter): the XML
// decoder would otherwise reject the whole feed for that one byte.
func fixUTF8(data []byte) []byte {
	if utf8.Valid(data) || !meantAsUTF8(data) {
		return data
	}
	out := make([]byte, 0, len(data)+len(data)/8)
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if r == utf8.RuneError && n <= 1 {
			out = utf8.AppendRune(out, charmap.Windows1252.DecodeByte(data[0]))
			data = data[1:]
			continue
		}
		out = append(out, data[:n]...)
		data = data[n:]
	}
	return out
}

// meantAsUTF8 reports whether an XML document declares UTF-8 or no
// encoding in its <?xml ...?> prolog (JSON and other text counts as
// UTF-8 too).
func meantAsUTF8(data []byte) bool {
	head := data[:min(len(data), 512)]
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
