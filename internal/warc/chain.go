package warc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// A capture's redirect chain is the exchanges that led to its response,
// written before it in the same file: each hop's response (3xx, or a
// meta refresh interstitial) and its request record. Writer.WriteExchanges
// writes a chain and its response together, so a chain's records lie
// right before the response; where the chain starts is known to the
// writer (the first Ref of WriteExchanges), and can be found again in a
// file written without saying so by walking back from the response
// (FindChain), as EraseRecords finds the redirects that led to an erased
// response.

// RedirectLocation returns, for an HTTP response record with a 3xx status,
// the absolute URL its Location field names (resolved against the target
// URI); "" for any other record. A redirect whose location is the target
// URI of another response record leads to it: compare with NormURL.
func (r *Record) RedirectLocation() string {
	if !r.IsHTTPResponse() || !isRedirect(r.Block) {
		return ""
	}
	if r.HTTPHeader == nil {
		r.parseHTTP()
	}
	if r.HTTPStatus < 300 || r.HTTPStatus >= 400 {
		return ""
	}
	return resolve(r.TargetURI, r.HTTPHeader.Get("Location"))
}

// chainStep is what chainWalk.prev says of a record.
type chainStep int

const (
	chainStop  chainStep = iota // the record is not part of the chain
	chainTaken                  // it is (with any request held before)
	chainHeld                   // a request: its response, before it, decides
)

// chainWalk walks back from a response over the records before it, one
// at a time, deciding which are its redirect chain: a response whose
// redirect leads to the earliest response taken so far (the final one
// to begin with), and the request records of the responses taken,
// whether written after their response (as Herald does) or before it
// (as wget and Common Crawl do).
type chainWalk struct {
	head *Record // the earliest response taken
	held *Record // a request met before (in the walk) its response
}

// prev says whether rec, the record just before those walked so far, is
// part of the chain. After chainStop the walk is over; a request held
// then was not part of it.
func (c *chainWalk) prev(rec *Record) chainStep {
	switch {
	case rec.IsErased():
		return chainStop
	case rec.Type == TypeRequest:
		if c.held == nil && Concurrent(rec, c.head) {
			return chainTaken
		}
		if c.held != nil {
			return chainStop
		}
		c.held = rec
		return chainHeld
	case rec.Type == TypeResponse:
		if loc := rec.RedirectLocation(); loc == "" || loc != NormURL(c.head.TargetURI) {
			return chainStop
		}
		if c.held != nil && !Concurrent(rec, c.held) {
			return chainStop
		}
		c.head, c.held = rec, nil
		return chainTaken
	}
	return chainStop
}

// Bounds of the walk back from a response to its chain (FindChain).
const (
	// MaxChainRecords caps the records of one chain: ten hops (fetch's
	// default limit) of two records each, with room to spare.
	MaxChainRecords = 64
	// MaxChainLookback caps how far before a record FindChain looks for
	// the start of the one before it: a hop's record stored in more
	// than 2 MiB is not looked for.
	MaxChainLookback = 2 << 20
)

// ErrChainUnsure: FindChain stopped where it could not tell what came
// before (a record more than MaxChainLookback long, or damaged), or where
// the chain went on past MaxChainRecords, so the chain it found may have
// begun earlier.
var ErrChainUnsure = errors.New("the walk back to the redirects stopped at its bound")

// FindChain finds, in src (the file final was read from), the redirect
// chain written right before final: the records chainWalk takes, in file
// order, walking back one record at a time, at most MaxChainRecords.
// final's own request, when it lies right before final (written first, as
// wget and Common Crawl do), is not part of the chain: it is returned as
// req, nil when there is none there. It
// reads no more than MaxChainLookback bytes before each record to find
// the one before it, so its cost does not grow with the file; a record
// at the start of the file, or one sharing a gzip member, has nothing
// before it that can be walked. It returns ErrChainUnsure with the
// chain found so far when the walk could not go on (see ErrChainUnsure);
// other errors are src's.
func (sr *StoredReader) FindChain(src io.ReaderAt, final *Stored) (chain []*Stored, req *Stored, err error) {
	if final.Shared || final.Offset <= 0 {
		return nil, nil, nil
	}
	walk := chainWalk{head: final.Record}
	var taken, held []*Stored
	at := final.Offset
	var buf []byte
	for at > 0 {
		rec, err := sr.recordBefore(src, at, final.Gzip, &buf)
		if err != nil {
			return taken, req, err
		}
		if rec == nil {
			break // the start of the file
		}
		if at == final.Offset && rec.Type == TypeRequest && Concurrent(rec.Record, final.Record) {
			req, at = rec, rec.Offset // final's own, not a redirect's
			continue
		}
		switch walk.prev(rec.Record) {
		case chainStop:
			return taken, req, nil
		case chainHeld:
			held = append(held, rec)
		case chainTaken:
			if len(taken)+len(held)+1 > MaxChainRecords {
				return taken, req, ErrChainUnsure // it goes on past the cap
			}
			taken = append(append([]*Stored{rec}, held...), taken...)
			held = nil
		}
		at = rec.Offset
	}
	return taken, req, nil
}

// recordBefore reads the record that ends right before end (only line
// ends, spaces and NULs between them), looking at most MaxChainLookback
// bytes back: the record at the last gzip member start (a file of gzip
// members) or WARC version line (a plain file) before end that reads
// whole up to there. nil for none because end is the start of the file;
// ErrChainUnsure when none was found within the bound.
func (sr *StoredReader) recordBefore(src io.ReaderAt, end int64, gz bool, buf *[]byte) (*Stored, error) {
	tried := end // candidates at or after it were tried
	for _, window := range []int64{16 << 10, 256 << 10, MaxChainLookback} {
		lo := max(0, end-window)
		n := int(end - lo)
		if cap(*buf) < n {
			*buf = make([]byte, n)
		}
		b := (*buf)[:n]
		if k, err := src.ReadAt(b, lo); k < n {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("read before offset %d: %w", end, err)
		}
		for p := previousStart(b, int(tried-lo), gz); p >= 0; p = previousStart(b, p, gz) {
			rec, err := sr.Read(src, lo+int64(p))
			if err != nil || rec.Shared || rec.Offset != lo+int64(p) || rec.End > end {
				continue
			}
			if onlySpace(b[rec.End-lo:]) {
				return rec, nil
			}
		}
		tried = lo
		if lo == 0 {
			if onlySpace(b) {
				return nil, nil
			}
			break
		}
	}
	return nil, ErrChainUnsure
}

// previousStart returns the last index before i in b where a record may
// start: a gzip member's magic bytes, or a WARC version line at a line's
// start; -1 for none.
func previousStart(b []byte, i int, gz bool) int {
	for i > 0 {
		var j int
		if gz {
			// A match starting before i, which may end past it.
			j = bytes.LastIndex(b[:min(len(b), i+len(gzipMagic)-1)], gzipMagic)
		} else {
			j = bytes.LastIndex(b[:i], versionPrefix)
		}
		if j < 0 {
			return -1
		}
		if gz || j == 0 || b[j-1] == '\n' {
			return j
		}
		i = j
	}
	return -1
}

// onlySpace reports whether b holds nothing but what readers pass over
// between records.
func onlySpace(b []byte) bool {
	for _, c := range b {
		if c != '\r' && c != '\n' && c != ' ' && c != '\t' && c != 0 {
			return false
		}
	}
	return true
}

// ReadChain reads the records from start up to final (final.Offset) in
// src, the file final was read from: a redirect chain whose start a
// writer recorded (the first Ref of WriteExchanges). Each must be a
// response or request record, whole, not erased, in a gzip member of its
// own (in a file of gzip members), and the last must end where final
// starts; at most MaxChainRecords of them. An error says why the records
// there are not such a chain ("no record starts at offset N" when start
// is inside a record, or inside the space of records erased together).
func (sr *StoredReader) ReadChain(src io.ReaderAt, start int64, final *Stored) ([]*Stored, error) {
	if start >= final.Offset {
		return nil, nil
	}
	var chain []*Stored
	for at := start; at < final.Offset; {
		if len(chain) == MaxChainRecords {
			return nil, fmt.Errorf("more than %d records before the response", MaxChainRecords)
		}
		rec, err := sr.Read(src, at)
		var re *RecordError
		switch {
		case err != nil && len(chain) == 0 && errors.As(err, &re) && !startsRecord(src, start):
			// Inside a record, or inside the space of records erased
			// together: what the reader found there says nothing.
			return nil, fmt.Errorf("no record starts at offset %d", start)
		case err != nil:
			return nil, fmt.Errorf("at offset %d: %w", at, err)
		case rec.Offset == final.Offset:
			return chain, nil
		case rec.Offset != at && len(chain) == 0:
			return nil, fmt.Errorf("no record starts at offset %d", start)
		case rec.Offset > final.Offset || rec.Shared || rec.End > final.Offset:
			return nil, fmt.Errorf("the record at offset %d goes past the response", rec.Offset)
		}
		if err := ChainRecordProblem(rec.Offset, rec.Type, rec.IsErased(), rec.CheckBlockDigest()); err != nil {
			return nil, err
		}
		chain = append(chain, rec)
		at = rec.End
	}
	return chain, nil
}

// ChainRecordProblem says why the record at offset, of WARC type typ,
// erased or not (Record.IsErased), whose damage is what reading it or
// checking its digest found (nil for none), cannot be one of a recorded
// redirect chain's records; nil when it can. ReadChain and check
// --fixity apply the same rule.
func ChainRecordProblem(offset int64, typ string, erased bool, damage error) error {
	switch {
	case damage != nil:
		return fmt.Errorf("the record at offset %d is damaged: %w", offset, damage)
	case erased:
		return fmt.Errorf("the record at offset %d was erased (herald delete --erase-captures)", offset)
	case typ != TypeResponse && typ != TypeRequest:
		return fmt.Errorf("the record at offset %d is a %s record, not a request or response", offset, typ)
	}
	return nil
}

// startsRecord reports whether the bytes at off in src look like the
// start of a record: a gzip member's magic bytes or a WARC version line.
func startsRecord(src io.ReaderAt, off int64) bool {
	b := make([]byte, max(len(gzipMagic), len(versionPrefix)))
	n, _ := src.ReadAt(b, off)
	return bytes.HasPrefix(b[:n], gzipMagic) || bytes.HasPrefix(b[:n], versionPrefix)
}

// ChainTracker finds redirect chains in a file read in order (Reader),
// as FindChain finds them walking back, without reading anything again:
// it keeps what the walk needs of the last records read (their headers
// and status lines), enough for a chain of MaxChainRecords.
type ChainTracker struct {
	recent []*Record // the records read, the last one last
	// cut says records before recent[0] were read but not kept (or a
	// damaged one lies there): a walk that reaches it cannot tell
	// whether the chain began earlier.
	cut bool
}

// Add takes rec, the record read next.
func (t *ChainTracker) Add(rec *Record) {
	light := &Record{Header: rec.Header, Type: rec.Type, TargetURI: rec.TargetURI, RecordID: rec.RecordID,
		ContentType: rec.ContentType, Offset: rec.Offset, HTTPStatus: rec.HTTPStatus, HTTPHeader: rec.HTTPHeader}
	light.Block = bytes.Clone(rec.Block[:min(len(rec.Block), 64)]) // isRedirect's status line
	if light.HTTPHeader == nil && light.IsHTTPResponse() && isRedirect(rec.Block) {
		rec.parseHTTP()
		light.HTTPStatus, light.HTTPHeader = rec.HTTPStatus, rec.HTTPHeader
	}
	if len(t.recent) == MaxChainRecords+2 {
		t.recent, t.cut = append(t.recent[:0], t.recent[1:]...), true
	}
	t.recent = append(t.recent, light)
}

// Damaged says a damaged record was read next: no chain runs across it.
func (t *ChainTracker) Damaged() {
	t.recent, t.cut = t.recent[:0], true
}

// Start returns where the redirect chain of the last record Add took, a
// response, starts: the offset of its first record (its records run up
// to the response, or to the response's own request right before it),
// or the response's own offset when there is none. ErrChainUnsure (with the start found so far)
// when the walk reached records not kept, or a damaged one, or went past
// MaxChainRecords. A record sharing its offset with another (a file
// gzipped as one stream) has no chain.
func (t *ChainTracker) Start() (int64, error) {
	n := len(t.recent)
	if n == 0 {
		return -1, errors.New("no record read")
	}
	final := t.recent[n-1]
	start := final.Offset
	if n >= 2 && t.recent[n-2].Offset == final.Offset {
		return start, nil
	}
	walk := chainWalk{head: final}
	i := n - 2
	if i >= 0 && t.recent[i].Type == TypeRequest && Concurrent(t.recent[i], final) {
		i-- // final's own request, not a redirect's
	}
	held, taken := 0, 0
	for ; i >= 0; i-- {
		rec := t.recent[i]
		if i > 0 && t.recent[i-1].Offset == rec.Offset || i+1 < n && t.recent[i+1].Offset == rec.Offset {
			return start, nil // a shared member: not copied as a chain
		}
		switch walk.prev(rec) {
		case chainStop:
			return start, nil
		case chainHeld:
			held++
		case chainTaken:
			if taken+held+1 > MaxChainRecords {
				return start, ErrChainUnsure
			}
			taken, held, start = taken+held+1, 0, rec.Offset
		}
	}
	if t.cut {
		return start, ErrChainUnsure
	}
	return start, nil
}
