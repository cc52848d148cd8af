package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// A feed cut off mid-document (a download that stopped early, a proxy that
// passes only so many bytes) is a feed whose last entries are missing, not
// a broken feed: the entries before the cut are whole. repairCut rebuilds
// such a document as it would be had it ended after its last complete
// entry, so that the ordinary parser reads those entries. It recognises a
// cut only where the document ends inside an open element or value;
// malformed markup in the middle is still an error.

// repairCut returns data shortened to its last complete entry and closed,
// or ok false when data is not a cut XML or JSON feed with at least one
// complete entry.
func repairCut(data []byte) (fixed []byte, ok bool) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\uFEFF")
	switch {
	case len(trimmed) == 0:
		return nil, false
	case trimmed[0] == '<':
		return repairXML(data)
	case trimmed[0] == '{':
		return repairJSON(data)
	}
	return nil, false
}

// repairXML handles RSS and Atom, whose entries are <item> and <entry>.
// Only the markup matters here, so every byte outside ASCII is read as a
// letter: the offsets stay those of data whatever its charset, and no
// charset has to be known. (UTF-16, which is not ASCII-compatible, is left
// alone: such feeds are rare and are not salvaged.)
func repairXML(data []byte) ([]byte, bool) {
	if bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.HasPrefix(data, []byte{0xff, 0xfe}) {
		return nil, false
	}
	ascii := make([]byte, len(data))
	for i, b := range data {
		if b >= 0x80 {
			b = 'x'
		}
		ascii[i] = b
	}
	d := xml.NewDecoder(bytes.NewReader(ascii))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }

	var (
		open   []string // qualified names of the open elements
		end    int64    // offset just after the last complete entry
		closer []string // the elements open there, outermost first
	)
	for {
		tok, err := d.RawToken()
		if err != nil {
			var se *xml.SyntaxError
			cut := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
				(errors.As(err, &se) && strings.Contains(se.Msg, "unexpected EOF"))
			if !cut || len(open) == 0 || end == 0 {
				return nil, false // whole, broken elsewhere, or nothing complete
			}
			var b bytes.Buffer
			b.Grow(int(end) + 64)
			b.Write(data[:end])
			for i := len(closer) - 1; i >= 0; i-- {
				b.WriteString("</" + closer[i] + ">")
			}
			return b.Bytes(), true
		}
		switch t := tok.(type) {
		case xml.StartElement:
			open = append(open, qualified(t.Name))
		case xml.EndElement:
			if len(open) == 0 {
				return nil, false
			}
			open = open[:len(open)-1]
			if l := t.Name.Local; len(open) > 0 && (strings.EqualFold(l, "item") || strings.EqualFold(l, "entry")) {
				end = d.InputOffset()
				closer = append(closer[:0], open...)
			}
		}
	}
}

func qualified(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// repairJSON handles JSON Feed, whose entries are the members of the top
// level "items" array.
func repairJSON(data []byte) ([]byte, bool) {
	d := json.NewDecoder(bytes.NewReader(data))
	cutErr := func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) }
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	var (
		end    int64  // offset just after the last complete item, or the items array
		closer string // what closes the document there
	)
	repaired := func() ([]byte, bool) {
		if end == 0 {
			return nil, false
		}
		return append(append([]byte(nil), data[:end]...), closer...), true
	}
	for d.More() {
		key, err := d.Token()
		if err != nil {
			if cutErr(err) {
				return repaired()
			}
			return nil, false
		}
		if key != "items" {
			var skip json.RawMessage
			if err := d.Decode(&skip); err != nil {
				if cutErr(err) {
					return repaired()
				}
				return nil, false
			}
			continue
		}
		if tok, err := d.Token(); err != nil || tok != json.Delim('[') {
			if err != nil && cutErr(err) {
				return repaired()
			}
			return nil, false
		}
		for d.More() {
			var item json.RawMessage
			if err := d.Decode(&item); err != nil {
				if cutErr(err) {
					return repaired()
				}
				return nil, false
			}
			end, closer = d.InputOffset(), "]}"
		}
		if _, err := d.Token(); err != nil { // the array's ']'
			if cutErr(err) {
				return repaired()
			}
			return nil, false
		}
		end, closer = d.InputOffset(), "}"
	}
	if _, err := d.Token(); err != nil && cutErr(err) { // the root's '}'
		return repaired()
	}
	return nil, false // whole: not cut
}
