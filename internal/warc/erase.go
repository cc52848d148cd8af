package warc

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErasedField is the header field of the record EraseRecords writes in
// place of erased ones; its value says how many records the space held
// ("2 records").
const ErasedField = "Herald-Erased"

// IsErased reports whether rec is a record EraseRecords wrote in place of
// erased ones.
func (r *Record) IsErased() bool {
	return r.Type == TypeMetadata && r.Header.Get(ErasedField) != ""
}

// ErrForeignFile: EraseRecords refuses a file that is not one Writer
// wrote (gzip per record, a warcinfo record naming the file first).
var ErrForeignFile = errors.New("not a WARC file Herald wrote")

// ErrRecordNotFound: a record EraseRecords was asked to erase is neither
// at its offset nor anywhere else in the file.
var ErrRecordNotFound = errors.New("record not found")

// EraseTarget names a record to erase: where a Ref says it is.
type EraseTarget struct {
	Offset int64
	// RecordID is the record's WARC-Record-ID; "" takes the record that
	// starts at Offset if its WARC-Target-URI is one of URLs, or whatever
	// record starts there when URLs is empty (see Record.IsCapture).
	RecordID string
	URLs     []string
	// ChainOffset, when above 0 and below Offset, is where the capture's
	// redirect chain starts (store.Capture.ChainOffset): every record
	// from there up to the target is erased with it, meta refresh
	// interstitials too, which no Location leads from. Their URLs do not
	// widen the Location rule (EraseRecords): a redirect elsewhere in the
	// file that leads to one of them (another article's chain through
	// the same consent page) is kept, unless it leads to the target. A
	// ChainOffset where the records are not such a chain (no record
	// starts there, a record other than a request or response lies
	// between, more than MaxChainRecords do) is not used: the target is
	// erased as without it.
	ChainOffset int64
}

// at reports whether e, the record at the target's offset, is the one
// the target names.
func (t EraseTarget) at(e fileEntry) bool {
	if t.RecordID == "" && len(t.URLs) == 0 {
		return true
	}
	return (&Record{RecordID: e.id, TargetURI: e.uri}).IsCapture(t.RecordID, t.URLs...)
}

// EraseResult says what EraseRecords did.
type EraseResult struct {
	// Records counts the records overwritten by this call: the targets,
	// the records tied to them and the redirects that led to them.
	Records int
	// Already counts the targets found erased before (by an earlier call
	// that finished, or that a crash stopped after writing them).
	Already int
}

// EraseRecords erases for good, in place, the targets in the WARC file at
// path, which must be one Writer wrote (else ErrForeignFile), and with
// them every record tied to an erased one: those it names in
// WARC-Concurrent-To, those naming it in WARC-Concurrent-To or
// WARC-Refers-To (the request record of a response, metadata and revisit
// records), and the redirect responses (3xx) whose Location leads to an
// erased response, as a capture's redirect chain is written before it.
//
// Each run of adjacent erased records is overwritten with one gzip member
// of exactly the same length holding a metadata record (ErasedField, no
// target URI, its block blank padding), so every other record keeps its
// offset: references to the file stay true, and a Writer still appending
// to it is not disturbed (its records are past the erased ones). The
// spans to overwrite are first written to a journal beside the file
// (NAME.erasing, synced), removed once the file is synced: a crash while
// EraseRecords writes leaves at worst the erased records' own bytes torn,
// never another record's, and the next call on the file first finishes
// what the journal lists. Two erasures of one file (two processes) take
// turns (flock, on Unix). A target found erased counts under Already.
func EraseRecords(path string, targets []EraseTarget) (*EraseResult, error) {
	res := &EraseResult{}
	var refused error // said whole, not wrapped again
	err := rewriteFile(path, func(_ *os.File, entries []fileEntry) ([]eraseSpan, error) {
		var spans []eraseSpan
		spans, refused = eraseSpans(path, entries, targets, res)
		return spans, refused
	})
	switch {
	case refused != nil:
		return nil, refused
	case err != nil:
		return nil, fmt.Errorf("erase records in %s: %w", path, err)
	}
	return res, nil
}

// CheckErasure tells what EraseRecords(path, targets) would do, without
// writing anything (a dry run): the same errors (ErrForeignFile,
// ErrRecordNotFound, a file that cannot be read), and in the result the
// records it would overwrite. The erasure of a crash that left a
// journal is not finished first: the torn records it left read as
// damaged, and are counted as records to overwrite.
func CheckErasure(path string, targets []EraseTarget) (*EraseResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("erase records in %s: %w", path, err)
	}
	defer f.Close()
	entries, err := indexFile(f, filepath.Base(path))
	if err != nil {
		return nil, fmt.Errorf("erase records in %s: %w", path, err)
	}
	res := &EraseResult{}
	if _, err := eraseSpans(path, entries, targets, res); err != nil {
		return nil, err
	}
	return res, nil
}

// eraseSpans returns the spans EraseRecords overwrites in the file at
// path, whose records are entries, to erase targets: theirs and those of
// the records tied to them, each run of adjacent ones a span. It counts
// the targets found erased before in res.Already, and the records the
// spans hold in res.Records. Its errors are said whole.
func eraseSpans(path string, entries []fileEntry, targets []EraseTarget, res *EraseResult) ([]eraseSpan, error) {
	erase := make([]bool, len(entries))
	// inChain marks the records erased only because they lie in a
	// target's recorded chain: their target URIs lead the Location rule
	// nowhere (a meta refresh interstitial's may be in another article's
	// chain too), unless they are themselves redirects it would erase.
	inChain := make([]bool, len(entries))
	ids := map[string]bool{} // record ids erased or to be
	at := map[int64]int{}
	byID := map[string]int{}
	for i, e := range entries {
		at[e.off] = i
		if e.id != "" {
			byID[e.id] = i
		}
	}
	for _, t := range targets {
		if t.RecordID != "" {
			ids[t.RecordID] = true
		}
		i, ok := at[t.Offset]
		if !ok {
			// Inside a stretch erased, or torn, before?
			if j := containing(entries, t.Offset); j > 0 && (entries[j].erased || entries[j].damaged) {
				i, ok = j, true
			}
		}
		switch {
		case ok && entries[i].erased:
			res.Already++
			continue
		case ok && entries[i].damaged:
			// Unreadable (damaged, or torn by a crash that took its
			// journal): the bytes up to the next readable record are
			// the target's.
			for ; i < len(entries) && entries[i].damaged; i++ {
				erase[i] = true
			}
			continue
		case ok && t.at(entries[i]):
		default:
			j, found := byID[t.RecordID]
			if t.RecordID == "" || !found {
				return nil, fmt.Errorf("erase records in %s: %w: %s at offset %d", path, ErrRecordNotFound, t.RecordID, t.Offset)
			}
			i = j
		}
		if i == 0 {
			return nil, fmt.Errorf("erase records in %s: the record at offset %d is the file's warcinfo", path, t.Offset)
		}
		erase[i], inChain[i] = true, false
		if entries[i].off == t.Offset && t.ChainOffset > 0 {
			for j := chainStart(entries, at, i, t.ChainOffset); j > 0 && j < i; j++ {
				if !entries[j].erased && !erase[j] {
					erase[j], inChain[j] = true, true
				}
			}
		}
	}
	// The records tied to the erased ones, until nothing more is found.
	uris := map[string]bool{} // target URIs of erased responses
	for changed := true; changed; {
		changed = false
		for i, e := range entries {
			if erase[i] {
				if !e.damaged && !ids[e.id] {
					ids[e.id] = true
					changed = true
				}
				for _, c := range e.concurrent {
					if !ids[c] {
						ids[c] = true
						changed = true
					}
				}
				if inChain[i] && e.location != "" && uris[e.location] {
					inChain[i] = false // a redirect to an erased response
				}
				if u := NormURL(e.uri); e.typ == TypeResponse && u != "" && !uris[u] && !inChain[i] {
					uris[u] = true
					changed = true
				}
				continue
			}
			if i == 0 || e.damaged || e.erased {
				continue
			}
			tied := ids[e.id] || e.location != "" && uris[e.location]
			for _, c := range e.links {
				tied = tied || ids[c]
			}
			if tied {
				erase[i] = true
				changed = true
			}
		}
	}
	// Runs of adjacent erased records, each overwritten by one member.
	var spans []eraseSpan
	for i, e := range entries {
		if !erase[i] {
			continue
		}
		if k := len(spans) - 1; k >= 0 && spans[k].end == e.off {
			spans[k].end, spans[k].n = e.end, spans[k].n+1
			continue
		}
		spans = append(spans, eraseSpan{off: e.off, end: e.end, n: 1})
	}
	for _, s := range spans {
		// Refused now rather than half done (never for records Writer wrote).
		if _, err := erasedMember(s.end-s.off, s.n, time.Now()); err != nil {
			return nil, fmt.Errorf("erase records in %s at offset %d: %w", path, s.off, err)
		}
		res.Records += s.n
	}
	return spans, nil
}

// chainStart returns the index of the entry where the chain recorded
// before entries[i] starts, at offset start, when the records from there
// up to it can be a chain as ReadChain reads one: a record starts right
// at start, after the warcinfo, and each up to entries[i] is a request
// or response record (or one erased before), at most MaxChainRecords of
// them. Else -1: a chain offset edited, or another tool's, must not make
// an erasure reach records that are not the capture's.
func chainStart(entries []fileEntry, at map[int64]int, i int, start int64) int {
	k, ok := at[start]
	if !ok || k <= 0 || k >= i || i-k > MaxChainRecords {
		return -1
	}
	for _, e := range entries[k:i] {
		if e.damaged || !e.erased && e.typ != TypeRequest && e.typ != TypeResponse {
			return -1
		}
	}
	return k
}

// rewriteFile is the part EraseRecords and RedactRecords share: it opens
// the WARC file at path, takes its erasure lock, finishes an erasure a
// crash stopped, lists its records (a file Writer wrote, else
// ErrForeignFile) and gives them to plan, which returns the spans to
// overwrite; those are listed in the file's journal (synced), written
// over the file (synced), and the journal removed. No span, nothing
// written. Errors are plan's as it returned them, or else say what
// failed without naming the file.
func rewriteFile(path string, plan func(f *os.File, entries []fileEntry) ([]eraseSpan, error)) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	unlock, err := lockErasure(f)
	if err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	defer unlock()
	if err := finish(f, path); err != nil {
		return err
	}
	entries, err := indexFile(f, filepath.Base(path))
	if err != nil {
		return err
	}
	spans, err := plan(f, entries)
	if err != nil || len(spans) == 0 {
		return err
	}
	if err := writeJournal(path, spans); err != nil {
		return err
	}
	if err := overwrite(f, spans); err != nil {
		return err
	}
	return os.Remove(journalPath(path))
}

// FinishErasure finishes an erasure of records in the WARC file at path
// that a crash stopped, as the next EraseRecords on it would: the spans
// its journal lists are overwritten again and the journal removed. It
// does nothing when there is no journal.
func FinishErasure(path string) error {
	if _, err := os.Stat(journalPath(path)); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("finish the erasure in %s: %w", path, err)
	}
	defer f.Close()
	unlock, err := lockErasure(f)
	if err != nil {
		return fmt.Errorf("finish the erasure in %s: lock: %w", path, err)
	}
	defer unlock()
	if err := finish(f, path); err != nil {
		return fmt.Errorf("finish the erasure in %s: %w", path, err)
	}
	return nil
}

// finish replays the journal of f (at path), if any.
func finish(f *os.File, path string) error {
	pending, err := readJournal(path)
	if err != nil || pending == nil {
		return err
	}
	if err := overwrite(f, pending); err != nil {
		return fmt.Errorf("finish the erasure stopped before: %w", err)
	}
	return os.Remove(journalPath(path))
}

// eraseSpan is a run of adjacent erased records: bytes off to end, n
// records; or, with member set, one record RedactRecords rewrites, and
// the gzip member that replaces it.
type eraseSpan struct {
	off, end int64
	n        int
	member   []byte
}

// journalPath names the file that lists the spans an erasure of path is
// overwriting, until it is done: NAME.erasing beside it.
func journalPath(path string) string { return path + ".erasing" }

// writeJournal records spans for path durably, before any is written.
func writeJournal(path string, spans []eraseSpan) error {
	var b bytes.Buffer
	for _, s := range spans {
		if s.member != nil {
			fmt.Fprintf(&b, "%d %d redacted %s\n", s.off, s.end, base64.StdEncoding.EncodeToString(s.member))
			continue
		}
		fmt.Fprintf(&b, "%d %d %d\n", s.off, s.end, s.n)
	}
	b.WriteString("end\n")
	tmp := journalPath(path) + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, journalPath(path)); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// readJournal returns the spans a stopped erasure of path was writing,
// nil when there is none. A journal cut short was never used (it is
// renamed into place whole), so it is not one.
func readJournal(path string) ([]eraseSpan, error) {
	b, err := os.ReadFile(journalPath(path))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) == 0 || lines[len(lines)-1] != "end" {
		return nil, fmt.Errorf("%s is not a whole erasure journal", journalPath(path))
	}
	var spans []eraseSpan
	for _, l := range lines[:len(lines)-1] {
		var s eraseSpan
		var err error
		if span, member, ok := strings.Cut(l, " redacted "); ok {
			_, err = fmt.Sscanf(span, "%d %d", &s.off, &s.end)
			if err == nil {
				s.member, err = base64.StdEncoding.DecodeString(member)
			}
			if err == nil && int64(len(s.member)) != s.end-s.off {
				err = errors.New("a member of another length")
			}
		} else {
			_, err = fmt.Sscanf(l, "%d %d %d", &s.off, &s.end, &s.n)
		}
		if err != nil || s.end <= s.off || s.off <= 0 {
			return nil, fmt.Errorf("%s: bad line %.80q", journalPath(path), l)
		}
		spans = append(spans, s)
	}
	return spans, nil
}

// tearAfter, when not negative, makes overwrite stop after writing that
// many bytes of the first span, as a crash would; for tests.
var tearAfter = -1

// errTorn is what overwrite returns when tearAfter stops it.
var errTorn = errors.New("stopped in the middle of the overwrite (test)")

// overwrite writes the member standing for each span's records over it
// (the redacted copy, or a record saying they were erased), then syncs f.
func overwrite(f *os.File, spans []eraseSpan) error {
	for _, s := range spans {
		m := s.member
		if m == nil {
			var err error
			if m, err = erasedMember(s.end-s.off, s.n, time.Now()); err != nil {
				return fmt.Errorf("at offset %d: %w", s.off, err)
			}
		}
		if tearAfter >= 0 {
			f.WriteAt(m[:tearAfter], s.off)
			f.Sync()
			return errTorn
		}
		if _, err := f.WriteAt(m, s.off); err != nil {
			return err
		}
	}
	return f.Sync()
}

// syncDir makes a directory's entries (a rename) durable. Windows
// cannot sync a directory (and needs not: its renames are durable).
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// fileEntry is one record (or damaged stretch) of a file, as
// EraseRecords needs it: no block is kept.
type fileEntry struct {
	off, end int64
	damaged  bool
	erased   bool // a record EraseRecords wrote
	typ, id  string
	uri      string
	// concurrent holds the WARC-Concurrent-To values; links those and
	// the WARC-Refers-To value.
	concurrent, links []string
	// location is where a redirect response leads, resolved.
	location string
}

// indexFile lists the records of f, a file Writer wrote under the name
// base.
func indexFile(f *os.File, base string) ([]fileEntry, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	head := make([]byte, len(gzipMagic))
	if _, err := f.ReadAt(head, 0); err != nil || !bytes.Equal(head, gzipMagic) {
		return nil, fmt.Errorf("%w: not gzip per record", ErrForeignFile)
	}
	rd := NewBlockReader(bufio.NewReaderSize(io.NewSectionReader(f, 0, st.Size()), 1<<20))
	var entries []fileEntry
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *RecordError
		if errors.As(err, &re) {
			if len(entries) == 0 {
				return nil, fmt.Errorf("%w: its first record is damaged: %v", ErrForeignFile, re)
			}
			if k := len(entries) - 1; entries[k].off == re.Offset {
				// The member's first record read, then its end did not
				// (a torn erasure: new bytes, then old).
				entries[k] = fileEntry{off: re.Offset, damaged: true}
			} else {
				entries = append(entries, fileEntry{off: re.Offset, damaged: true})
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if k := len(entries) - 1; k >= 0 && entries[k].off == rec.Offset {
			return nil, fmt.Errorf("%w: records share a gzip member (one gzip stream, not a member per record)", ErrForeignFile)
		}
		if len(entries) == 0 && (rec.Type != TypeWarcinfo || rec.Header.Get("WARC-Filename") != base) {
			return nil, fmt.Errorf("%w: it does not start with a warcinfo record naming it", ErrForeignFile)
		}
		e := fileEntry{off: rec.Offset, typ: rec.Type, id: rec.RecordID, uri: rec.TargetURI, erased: rec.IsErased()}
		for _, h := range rec.Header {
			switch {
			case strings.EqualFold(h.Name, "WARC-Concurrent-To"):
				e.concurrent = append(e.concurrent, h.Value)
				e.links = append(e.links, h.Value)
			case strings.EqualFold(h.Name, "WARC-Refers-To"):
				e.links = append(e.links, h.Value)
			}
		}
		e.location = rec.RedirectLocation()
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: it holds no record", ErrForeignFile)
	}
	for i := range entries {
		if i+1 < len(entries) {
			entries[i].end = entries[i+1].off
		} else {
			entries[i].end = st.Size()
		}
	}
	return entries, nil
}

// NormURL spells a URL as url.URL.String does (as resolve does an
// absolute one), for comparing URLs written differently.
func NormURL(s string) string {
	if s == "" {
		return ""
	}
	if u, err := url.Parse(s); err == nil {
		return u.String()
	}
	return s
}

// isRedirect reports whether an HTTP response block's status line says
// 3xx ("HTTP/1.1 301 …").
func isRedirect(block []byte) bool {
	line, _, _ := bytes.Cut(block[:min(len(block), 64)], []byte(" "))
	rest := block[min(len(line)+1, len(block)):]
	return bytes.HasPrefix(line, []byte("HTTP/")) && len(rest) > 0 && rest[0] == '3'
}

// containing returns the index of the entry whose bytes hold off, or -1.
func containing(entries []fileEntry, off int64) int {
	i := sort.Search(len(entries), func(i int) bool { return entries[i].end > off })
	if i < len(entries) && entries[i].off <= off {
		return i
	}
	return -1
}

// resolve returns the absolute URL that ref, a Location, names from base.
func resolve(base, ref string) string {
	if ref == "" {
		return ""
	}
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := b.Parse(ref)
	if err != nil {
		return ref
	}
	return r.String()
}

// maxStored is the most bytes one stored deflate block holds.
const maxStored = 65535

// erasedMember returns a gzip member of exactly size bytes holding the
// record that stands for n erased ones: its deflate stream is made of
// stored blocks, whose size is known in advance, and the record's block
// is padded with spaces to fill it.
func erasedMember(size int64, n int, now time.Time) ([]byte, error) {
	records := "1 record"
	if n != 1 {
		records = strconv.Itoa(n) + " records"
	}
	var head bytes.Buffer
	head.WriteString("WARC/1.1\r\n")
	for _, f := range (Fields{
		{"WARC-Type", TypeMetadata},
		{"WARC-Record-ID", newRecordID()},
		{"WARC-Date", formatDate(now)},
		{"Content-Type", "text/plain; charset=utf-8"},
		{ErasedField, records},
	}) {
		fmt.Fprintf(&head, "%s: %s\r\n", f.Name, f.Value)
	}
	head.WriteString("Content-Length: ")
	msg := "Erased for good: this space held " + records + ".\r\n"
	const gzipOverhead = 10 + 8        // header, then CRC-32 and size
	fixed := int64(head.Len()) + 4 + 4 // "\r\n\r\n" after the field, and after the block
	for blocks := max((size-gzipOverhead+maxStored+4)/(maxStored+5), 1); ; blocks++ {
		u := size - gzipOverhead - 5*blocks // the record's bytes
		if u < fixed+1+int64(len(msg)) {
			return nil, fmt.Errorf("%d bytes are too few to hold the record that replaces %s", size, records)
		}
		if u > maxStored*blocks {
			continue
		}
		for d := int64(1); d <= 19; d++ {
			l := u - fixed - d
			if l < int64(len(msg)) || int64(len(strconv.FormatInt(l, 10))) != d {
				continue
			}
			rec := make([]byte, 0, u)
			rec = append(rec, head.Bytes()...)
			rec = strconv.AppendInt(rec, l, 10)
			rec = append(rec, "\r\n\r\n"...)
			rec = append(rec, msg...)
			for int64(len(rec)) < u-4 {
				rec = append(rec, ' ')
			}
			rec = append(rec, "\r\n\r\n"...)
			return storedGzip(rec, int(blocks)), nil
		}
		// No length fits these bytes (Content-Length gains a digit right
		// there): one more, empty, block takes five of them.
	}
}

// storedGzip wraps data in a gzip member of stored deflate blocks: the
// first ones full, then what is left, then empty ones up to blocks.
func storedGzip(data []byte, blocks int) []byte {
	out := make([]byte, 0, 18+5*blocks+len(data))
	out = append(out, 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255) // no flags or time, unknown OS
	rest := data
	for i := range blocks {
		k := min(len(rest), maxStored)
		final := byte(0)
		if i == blocks-1 {
			final = 1
		}
		out = append(out, final)
		out = binary.LittleEndian.AppendUint16(out, uint16(k))
		out = binary.LittleEndian.AppendUint16(out, ^uint16(k))
		out = append(out, rest[:k]...)
		rest = rest[k:]
	}
	out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(data))
	return binary.LittleEndian.AppendUint32(out, uint32(len(data)))
}

// ScanHTTPResponses reads the WARC file at path, which must be one Writer
// wrote (else ErrForeignFile), and calls fn with each HTTP response
// record that want accepts, in file order. Damaged records are passed
// over. An error from fn stops the scan and is returned. want is given
// the record before its HTTP message is parsed (its WARC header and block
// are set, HTTPHeader and Payload not yet: RawHTTPField reads a field
// cheaply), so that passing over a record costs no decoding.
func ScanHTTPResponses(path string, want func(*Record) bool, fn func(*Record) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("scan %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, len(gzipMagic))
	if _, err := f.ReadAt(head, 0); err != nil || !bytes.Equal(head, gzipMagic) {
		return fmt.Errorf("scan %s: %w: not gzip per record", path, ErrForeignFile)
	}
	rd := NewBlockReader(bufio.NewReaderSize(f, 1<<20))
	first := true
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var re *RecordError
		if errors.As(err, &re) && !first {
			continue
		}
		if err != nil {
			return fmt.Errorf("scan %s: %w: %v", path, ErrForeignFile, err)
		}
		if first {
			first = false
			if rec.Type != TypeWarcinfo || rec.Header.Get("WARC-Filename") != filepath.Base(path) {
				return fmt.Errorf("scan %s: %w: it does not start with a warcinfo record naming it", path, ErrForeignFile)
			}
			continue
		}
		if rec.Type == TypeResponse && rec.IsHTTPResponse() && want(rec) {
			rec.parseHTTP()
			if err := fn(rec); err != nil {
				return err
			}
		}
	}
}

// RawHTTPField returns the first value of the HTTP header field name in
// the record's block, an HTTP message, read without parsing the rest of
// it; "" when there is none.
func (r *Record) RawHTTPField(name string) string {
	head := r.Block
	if i := bytes.Index(head, []byte("\r\n\r\n")); i >= 0 {
		head = head[:i]
	}
	for _, line := range bytes.Split(head, []byte("\r\n"))[1:] {
		n, v, ok := bytes.Cut(line, []byte(":"))
		if ok && strings.EqualFold(string(bytes.TrimSpace(n)), name) {
			return string(bytes.TrimSpace(v))
		}
	}
	return ""
}
