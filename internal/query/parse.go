package query

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// maxDepth bounds parenthesis nesting so that hostile input cannot exhaust
// the stack.
const maxDepth = 32

// Parse parses a query. An empty or blank query matches everything. The
// error, when not nil, is a *Error.
func Parse(s string) (*Query, error) {
	if !utf8.ValidString(s) {
		i := 0
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		return nil, &Error{Query: s, Pos: i, Msg: "query is not valid UTF-8"}
	}
	for i, r := range s {
		if unicode.IsControl(r) && !isSpace(r) {
			return nil, &Error{Query: s, Pos: i, Msg: fmt.Sprintf("query contains a control character (U+%04X)", r)}
		}
	}
	p := &parser{src: s}
	if err := p.next(); err != nil {
		return nil, err
	}
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind == tRParen {
		return nil, p.errorf(p.tok.pos, "unmatched )")
	}
	return &Query{Root: root, Sort: p.sort, topOr: p.topOr}, nil
}

// MustParse is Parse for queries known to be valid, such as constants in
// tests; it panics on error.
func MustParse(s string) *Query {
	q, err := Parse(s)
	if err != nil {
		panic(fmt.Sprintf("query.MustParse(%q): %v", s, err))
	}
	return q
}

type kind int

const (
	tEOF kind = iota
	tWord
	tPhrase
	tField
	tSort
	tOr
	tAnd
	tNeg
	tLParen
	tRParen
)

type token struct {
	kind kind
	pos  int    // byte offset of the token
	text string // word, phrase or field value
	name string // field name for tField
	vpos int    // byte offset of the field value
}

type parser struct {
	src   string
	pos   int
	tok   token
	depth int
	neg   int
	sort  Sort
	sortP int
	topOr bool // an OR outside brackets was read
}

func (p *parser) errorf(pos int, format string, args ...any) error {
	return &Error{Query: p.src, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func isSpace(r rune) bool { return unicode.IsSpace(r) }

// wordEnd reports whether r ends a bare word.
func wordEnd(r rune) bool { return isSpace(r) || r == '(' || r == ')' || r == '"' }

// next reads the next token into p.tok.
func (p *parser) next() error {
	s := p.src
	for p.pos < len(s) {
		r, n := utf8.DecodeRuneInString(s[p.pos:])
		if !isSpace(r) {
			break
		}
		p.pos += n
	}
	start := p.pos
	if p.pos >= len(s) {
		p.tok = token{kind: tEOF, pos: start}
		return nil
	}
	switch s[p.pos] {
	case '(':
		p.pos++
		p.tok = token{kind: tLParen, pos: start}
		return nil
	case ')':
		p.pos++
		p.tok = token{kind: tRParen, pos: start}
		return nil
	case '"':
		text, err := p.quoted()
		if err != nil {
			return err
		}
		p.tok = token{kind: tPhrase, pos: start, text: text}
		return nil
	case '-':
		// A minus negates only when it is glued to what it negates;
		// a lone "-" is punctuation and ignored.
		p.pos++
		if p.pos < len(s) {
			r, _ := utf8.DecodeRuneInString(s[p.pos:])
			if !isSpace(r) && r != ')' {
				p.tok = token{kind: tNeg, pos: start}
				return nil
			}
		}
		return p.next()
	}
	for p.pos < len(s) {
		r, n := utf8.DecodeRuneInString(s[p.pos:])
		if wordEnd(r) {
			break
		}
		p.pos += n
	}
	word := s[start:p.pos]
	switch word {
	case "OR":
		p.tok = token{kind: tOr, pos: start}
		return nil
	case "AND":
		p.tok = token{kind: tAnd, pos: start}
		return nil
	}
	if i := strings.IndexByte(word, ':'); i > 0 {
		name := strings.ToLower(word[:i])
		_, known := fields[name]
		if known || name == "sort" {
			value, vpos := word[i+1:], start+i+1
			if value == "" && p.pos < len(s) && s[p.pos] == '"' {
				var err error
				if value, err = p.quoted(); err != nil {
					return err
				}
			}
			if strings.TrimSpace(value) == "" {
				return p.errorf(start, "%s: wants a value", name)
			}
			k := tField
			if name == "sort" {
				k = tSort
			}
			p.tok = token{kind: k, pos: start, name: name, text: value, vpos: vpos}
			return nil
		}
		// Anything else with a colon (http://x, 10:30, Re:) is a word.
	}
	p.tok = token{kind: tWord, pos: start, text: word}
	return nil
}

// quoted reads a double-quoted string starting at p.pos.
func (p *parser) quoted() (string, error) {
	open := p.pos
	end := strings.IndexByte(p.src[open+1:], '"')
	if end < 0 {
		return "", p.errorf(open, "unterminated quote")
	}
	p.pos = open + 1 + end + 1
	return p.src[open+1 : open+1+end], nil
}

// parseOr parses: and { "OR" and }.
func (p *parser) parseOr() (Node, error) {
	orPos := p.tok.pos
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tOr {
		return left, nil
	}
	var nodes []Node
	add := func(n Node) {
		if o, ok := n.(*Or); ok {
			nodes = append(nodes, o.Nodes...)
		} else {
			nodes = append(nodes, n)
		}
	}
	// A side whose terms are all ignored (punctuation, an empty phrase)
	// is left out, as it would be beside AND; a side with no terms at all
	// is an error.
	if left == nil && p.tok.pos == orPos {
		return nil, p.errorf(p.tok.pos, "OR needs a term before it")
	}
	if left != nil {
		add(left)
	}
	for p.tok.kind == tOr {
		if p.depth == 0 {
			p.topOr = true
		}
		orPos = p.tok.pos
		if err := p.next(); err != nil {
			return nil, err
		}
		from := p.tok.pos
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		if right == nil && p.tok.pos == from {
			return nil, p.errorf(orPos, "OR needs a term after it")
		}
		if right != nil {
			add(right)
		}
	}
	switch len(nodes) {
	case 0:
		return nil, nil
	case 1:
		return nodes[0], nil
	}
	return &Or{Nodes: nodes}, nil
}

// parseAnd parses a run of unary expressions up to OR, ")" or the end.
func (p *parser) parseAnd() (Node, error) {
	var nodes []Node
	terms := 0
	for p.tok.kind != tEOF && p.tok.kind != tOr && p.tok.kind != tRParen {
		if p.tok.kind == tAnd {
			// AND is what two terms side by side mean already; it
			// must stand between two, as OR must.
			andPos := p.tok.pos
			if terms == 0 {
				return nil, p.errorf(andPos, "AND needs a term before it")
			}
			if err := p.next(); err != nil {
				return nil, err
			}
			if k := p.tok.kind; k == tEOF || k == tOr || k == tRParen || k == tAnd {
				return nil, p.errorf(andPos, "AND needs a term after it")
			}
			continue
		}
		terms++
		n, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		if a, ok := n.(*And); ok {
			nodes = append(nodes, a.Nodes...)
		} else if n != nil {
			nodes = append(nodes, n)
		}
	}
	switch len(nodes) {
	case 0:
		return nil, nil
	case 1:
		return nodes[0], nil
	}
	return &And{Nodes: nodes}, nil
}

// parseUnary parses an optionally negated primary.
func (p *parser) parseUnary() (Node, error) {
	if p.tok.kind != tNeg {
		return p.parsePrimary()
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	p.neg++
	n, err := p.parseUnary()
	p.neg--
	if err != nil || n == nil {
		return nil, err
	}
	if inner, ok := n.(*Not); ok {
		return inner.Node, nil
	}
	return &Not{Node: n}, nil
}

func (p *parser) parsePrimary() (Node, error) {
	t := p.tok
	switch t.kind {
	case tLParen:
		if p.depth >= maxDepth {
			return nil, p.errorf(t.pos, "too many nested parentheses")
		}
		if err := p.next(); err != nil {
			return nil, err
		}
		p.depth++
		n, err := p.parseOr()
		p.depth--
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			return nil, p.errorf(t.pos, "missing ) for this (")
		}
		return n, p.next()
	case tRParen:
		return nil, p.errorf(t.pos, "unmatched )")
	case tOr:
		return nil, p.errorf(t.pos, "OR needs a term before it")
	case tAnd:
		return nil, p.errorf(t.pos, "AND needs a term before it")
	case tPhrase:
		if err := p.next(); err != nil {
			return nil, err
		}
		text := strings.Join(strings.Fields(t.text), " ")
		if !searchable(text) {
			return nil, nil
		}
		return &Phrase{Text: text}, nil
	case tWord:
		if err := p.next(); err != nil {
			return nil, err
		}
		text := strings.TrimRight(t.text, "*")
		if !searchable(text) {
			return nil, nil
		}
		return &Word{Text: text, Prefix: len(text) < len(t.text)}, nil
	case tSort:
		if err := p.next(); err != nil {
			return nil, err
		}
		return nil, p.setSort(t)
	case tField:
		if err := p.next(); err != nil {
			return nil, err
		}
		return p.filter(t)
	}
	return nil, p.errorf(t.pos, "unexpected end of query")
}

func (p *parser) setSort(t token) error {
	if p.depth > 0 || p.neg > 0 {
		return p.errorf(t.pos, "sort: must stand on its own, outside parentheses and not negated")
	}
	var s Sort
	switch strings.ToLower(t.text) {
	case "relevance", "rank":
		s = SortRelevance
	case "date", "newest":
		s = SortNewest
	case "oldest":
		s = SortOldest
	case "archived":
		s = SortArchived
	default:
		return p.errorf(t.vpos, "sort: wants relevance, date, oldest or archived, got %s", t.text)
	}
	if p.sort != SortDefault && p.sort != s {
		return p.errorf(t.pos, "sort: given twice (first at column %d)", (&Error{Query: p.src, Pos: p.sortP}).Column())
	}
	p.sort, p.sortP = s, t.pos
	return nil
}

// dateError says why v, the value of date filter f, is no date: a value
// written as YYYY-MM-DD that names no day (2024-13-01, 2024-02-30) is
// told apart from one in another form.
func dateError(f Field, v string, err error) string {
	var pe *time.ParseError
	if errors.As(err, &pe) && strings.HasSuffix(pe.Message, "out of range") {
		return fmt.Sprintf("%s: %s is not a date (%s)", f, v, strings.TrimPrefix(pe.Message, ": "))
	}
	return fmt.Sprintf("%s: wants YYYY-MM-DD, got %s", f, v)
}

var langTag = regexp.MustCompile(`^[a-z]{2,3}(-[a-z0-9]{2,8})*$`)

func (p *parser) filter(t token) (Node, error) {
	f := fields[t.name]
	v := strings.Join(strings.Fields(t.text), " ")
	switch f {
	case After, Before:
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return nil, p.errorf(t.vpos, "%s", dateError(f, v, err))
		}
		return &Filter{Field: f, Value: d.Format(time.DateOnly), Date: d}, nil
	case Site, Original:
		if strings.Contains(v, "*") {
			// No host holds one, so the filter would silently match
			// nothing; site:*.ru means what site:ru does.
			msg := fmt.Sprintf("%s: takes no * (it matches every host under a name already)", f)
			if name := strings.TrimLeft(v, "*."); name != "" && !strings.Contains(name, "*") {
				msg += fmt.Sprintf(": write %s:%s", f, name)
			}
			return nil, p.errorf(t.vpos, "%s", msg)
		}
		host, err := normalizeSite(v)
		if errors.Is(err, errBadIDN) {
			return nil, p.errorf(t.vpos, "%s: wants a valid internationalised host name, got %s", f, v)
		}
		if err != nil {
			return nil, p.errorf(t.vpos, "%s: wants a host name like example.com, got %s", f, v)
		}
		v = host
	case Lang:
		v = strings.ToLower(strings.ReplaceAll(v, "_", "-"))
		if !langTag.MatchString(v) {
			return nil, p.errorf(t.vpos, "lang: wants a language tag like en or pt-BR, got %s", t.text)
		}
	}
	return &Filter{Field: f, Value: v}, nil
}

// Why normalizeSite can refuse a value.
var (
	errBadHost = errors.New("not a host name")
	errBadIDN  = errors.New("not a valid internationalised domain name")
)

// idnaProfile must convert hosts exactly as internal/canon's does: the
// archive files every article under its canonical URL's host, which canon
// turns into ASCII (punycode), so site:новости.рф only finds anything once
// it is spelt as the stored xn--b1amnebsh.xn--p1ai. It is the lookup
// profile without the strict STD3 check, which would refuse hosts with
// underscores that canon keeps. (query may not import canon: it is a leaf.)
var idnaProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false), idna.StrictDomainName(false))

// normalizeSite turns what people paste after site: into a bare host name
// spelt as the archive stores hosts: lower-case ASCII, an internationalised
// name in punycode. Like canon, it leaves an all-ASCII value alone but for
// case, so a punycode spelling (or any odd host canon kept) still matches
// as typed.
func normalizeSite(v string) (string, error) {
	// Only ASCII letters are lowered here; the rest is left to the IDNA
	// mapping, as canon does, because the two disagree (strings.ToLower
	// turns ẞ into ß, the mapping into ss).
	v = strings.Map(asciiLower, v)
	for _, scheme := range []string{"https://", "http://"} {
		v = strings.TrimPrefix(v, scheme)
	}
	v = stripPort(strings.TrimSuffix(v, "/"))
	if strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]") {
		v = v[1 : len(v)-1] // an IPv6 address is filed without its brackets
	}
	v = trimHost(v)
	if !hostLike(v) {
		return "", errBadHost
	}
	if !isASCII(v) {
		a, err := idnaProfile.ToASCII(v)
		if err != nil {
			return "", errBadIDN
		}
		// The mapping turns full-width letters and ideographic full
		// stops into ASCII ones, so "ｗｗｗ." and "。" only show now.
		v = trimHost(a)
	}
	if !hostLike(v) {
		return "", errBadHost // a mapped character, such as a full-width solidus
	}
	return v, nil
}

// stripPort drops a port from host:port or [v6]:port: the archive files
// hosts without one.
func stripPort(v string) string {
	i := strings.LastIndexByte(v, ':')
	if i < 0 || i == len(v)-1 || strings.Trim(v[i+1:], "0123456789") != "" {
		return v
	}
	host := v[:i]
	if strings.Contains(host, ":") && !strings.HasSuffix(host, "]") {
		return v // an IPv6 address without brackets: the digits are its own
	}
	return host
}

// hostLike reports whether v could be a host name rather than a URL with
// a path, query or user, or nothing.
func hostLike(v string) bool {
	return v != "" && !strings.ContainsAny(v, "/ ?#@\\\"")
}

// trimHost drops the "www." and the outer dots that site: ignores.
func trimHost(v string) string {
	return strings.Trim(strings.TrimPrefix(v, "www."), ".")
}

func asciiLower(r rune) rune {
	if 'A' <= r && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// searchable reports whether s has a letter or number (digits, but also
// Ⅻ, ½, ²) that a full-text index could match; punctuation-only words
// are dropped.
func searchable(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return true
		}
	}
	return false
}
