package warc

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strconv"
	"strings"

	kflate "github.com/klauspost/compress/flate"
)

// RedactedField is the header field a record RedactRecords rewrote gains:
// how many entries of its payload were blanked ("2 entries"), in all.
const RedactedField = "Herald-Redacted"

// Redaction is what a redact function of RedactRecords decides for one
// record.
type Redaction struct {
	// Payload is the record's new HTTP payload (content coding undone,
	// as Record.Payload), exactly as long as the old one; nil leaves the
	// record as it is.
	Payload []byte
	// Entries counts the entries blanked, for RedactedField.
	Entries int
	// Erase asks for the whole record to be erased instead (EraseRecords),
	// when no redaction is safe (a document that could not be read to its
	// end).
	Erase bool
}

// RedactResult says what RedactRecords did.
type RedactResult struct {
	// Redacted counts the records rewritten in place with a redacted
	// copy, and Entries the entries blanked in them.
	Redacted, Entries int
	// Erased counts the records erased whole instead (EraseRecords), and
	// Records every record that erasure overwrote, as EraseResult.Records.
	Erased, Records int
	// Whole says, for each record erased whole, why (by WARC-Record-ID).
	Whole map[string]string
}

// Why a record RedactRecords was asked to redact was erased whole
// (RedactResult.Whole).
const (
	// WhyAsked: the redact function asked for it (Redaction.Erase).
	WhyAsked = "the document could not be read to its end"
	// WhyEncoding: content codings that cannot be rewritten: two stacked
	// ("gzip, br"), or one other than gzip, deflate, br and zstd.
	WhyEncoding = "its body is content-encoded in a coding that cannot be rewritten to the same length"
	// WhyFit: no compression of the redacted copy fit the old length.
	WhyFit = "the redacted copy did not fit in the record's space"
	// WhyLayout: the block is not an HTTP message whose body could be
	// found again (bare LF lines, an interim 1xx response…).
	WhyLayout = "its HTTP message could not be taken apart"
)

// RedactRecords rewrites in place, in the WARC file at path (one Writer
// wrote, else ErrForeignFile), the HTTP response records that targets
// name, with the payload that redact returns for each: given the record
// as it is in the file now (under the file's erasure lock), redact
// returns a copy of its payload with some bytes blanked. A target not
// found, or already erased, is passed over.
//
// The HTTP message keeps its length and framing (Content-Length,
// chunks): without content coding the new payload is the new body; a
// body in gzip, deflate, br or zstd coding is compressed again in the
// same coding and padded to its old length in a way its decoders skip
// (gzip: an extra field or a comment in its header, empty stored
// blocks; deflate: empty blocks; br: metadata meta-blocks; zstd: a
// skippable frame, or empty raw blocks). The record keeps its
// WARC-Record-ID and fields, with WARC-Block-Digest and
// WARC-Payload-Digest recomputed and RedactedField added, and is
// compressed into a gzip member of exactly the old member's length,
// padded the same way, so every other record keeps its offset (a body in
// a content coding is compressed again with each setting in turn until
// the record's member fits too). The
// members are written as EraseRecords writes its own: listed in the
// file's journal first (synced), so that a crash is finished by the next
// erasure or redaction of the file.
//
// A record that cannot be rewritten so (a body in stacked or other
// content codings; a copy that does not fit; Redaction.Erase)
// is erased whole with EraseRecords, with its request record: its
// other entries are lost with it, which RedactResult.Whole reports.
func RedactRecords(path string, targets []EraseTarget, redact func(*Record) Redaction) (*RedactResult, error) {
	res := &RedactResult{Whole: map[string]string{}}
	erase, err := redactInPlace(path, targets, redact, res)
	if err != nil {
		return nil, fmt.Errorf("redact records in %s: %w", path, err)
	}
	if len(erase) > 0 {
		er, err := EraseRecords(path, erase)
		if err != nil {
			return nil, err
		}
		res.Erased += len(erase) - er.Already
		res.Records += er.Records
	}
	return res, nil
}

// redactInPlace does RedactRecords' rewriting, under the file's lock
// (rewriteFile), and returns the targets to erase whole.
func redactInPlace(path string, targets []EraseTarget, redact func(*Record) Redaction, res *RedactResult) ([]EraseTarget, error) {
	var erase []EraseTarget
	err := rewriteFile(path, func(f *os.File, entries []fileEntry) ([]eraseSpan, error) {
		at := map[int64]int{}
		for i, e := range entries {
			at[e.off] = i
		}
		var spans []eraseSpan
		done := map[int64]bool{}
		for _, t := range targets {
			i, ok := at[t.Offset]
			if !ok || i == 0 || done[t.Offset] {
				continue
			}
			e := entries[i]
			if e.erased || e.damaged || e.typ != TypeResponse || t.RecordID != "" && e.id != t.RecordID {
				continue // erased or replaced since it was found
			}
			done[t.Offset] = true
			rec, err := newReaderAt(io.NewSectionReader(f, e.off, e.end-e.off), e.off).Next()
			if err != nil {
				return nil, fmt.Errorf("read the record at offset %d: %w", e.off, err)
			}
			if !rec.IsHTTPResponse() {
				continue
			}
			r := redact(rec)
			if r.Erase {
				res.Whole[rec.RecordID] = WhyAsked
				erase = append(erase, EraseTarget{Offset: e.off, RecordID: rec.RecordID})
				continue
			}
			if r.Payload == nil {
				continue
			}
			if len(r.Payload) != len(rec.Payload) {
				return nil, fmt.Errorf("the record at offset %d: the redacted payload is %d bytes, the payload %d", e.off, len(r.Payload), len(rec.Payload))
			}
			m, why := redactedMember(rec, r, e.end-e.off)
			if why != "" {
				res.Whole[rec.RecordID] = why
				erase = append(erase, EraseTarget{Offset: e.off, RecordID: rec.RecordID})
				continue
			}
			spans = append(spans, eraseSpan{off: e.off, end: e.end, n: 1, member: m})
			res.Redacted++
			res.Entries += r.Entries
		}
		return spans, nil
	})
	if err != nil {
		return nil, err
	}
	return erase, nil
}

// redactedRecord returns rec, uncompressed, with block as its block and
// body as its payload (for the digests), and when mark is true the
// Redacted field saying entries (its old one, if any, replaced).
func redactedRecord(rec *Record, block, body []byte, entries string, mark bool) []byte {
	var b bytes.Buffer
	b.WriteString(rec.Version)
	b.WriteString("\r\n")
	for _, h := range rec.Header {
		v := h.Value
		switch {
		case strings.EqualFold(h.Name, RedactedField) && mark:
			continue
		case strings.EqualFold(h.Name, "WARC-Block-Digest"):
			v = sha1Digest(block)
		case strings.EqualFold(h.Name, "WARC-Payload-Digest"):
			v = sha1Digest(body)
		case strings.EqualFold(h.Name, "Content-Length") && mark:
			fmt.Fprintf(&b, "%s: %s\r\n", RedactedField, entries)
		}
		fmt.Fprintf(&b, "%s: %s\r\n", h.Name, v)
	}
	b.WriteString("\r\n")
	b.Write(block)
	b.WriteString("\r\n\r\n")
	return b.Bytes()
}

// redactedMember returns the gzip member, size bytes long, of rec with
// its payload replaced as r says; or why it cannot be made. A body in a
// content coding is compressed again in turn with each setting that fits
// it to its length (replacePayload), until one leaves a record whose
// member fits too: the record's compression of the new body differs from
// the old's by some bytes either way, which another setting's body may
// not.
func redactedMember(rec *Record, r Redaction, size int64) ([]byte, string) {
	total := r.Entries
	for _, h := range rec.Header {
		if strings.EqualFold(h.Name, RedactedField) {
			n, _, _ := strings.Cut(h.Value, " ")
			k, _ := strconv.Atoi(n)
			total += k
		}
	}
	entries := "1 entry"
	if total != 1 {
		entries = strconv.Itoa(total) + " entries"
	}
	var member []byte
	tried := 0
	why := replacePayload(rec.Block, rec.Payload, r.Payload, func(block, body []byte) bool {
		// Every compressor for the first body; the two smallest for the
		// others, which would otherwise cost as many again each.
		cs := compressors
		if tried++; tried > 1 {
			cs = compressors[:2]
		}
		// The record says it was redacted, when that fits: a small
		// document whose blanked entry saved fewer bytes than the field
		// takes goes without (its digests are true all the same).
		for _, mark := range []bool{true, false} {
			data := redactedRecord(rec, block, body, entries, mark)
			if m, ok := first(func(yield func([]byte) bool) bool { return fitGzipWith(cs, data, size, yield) }); ok {
				member = m
				return true
			}
		}
		return false
	})
	if why != "" {
		return nil, why
	}
	return member, ""
}

// replacePayload makes copies of an HTTP response block whose payload
// (old, content coding undone) is replaced by payload, of the same
// length, and gives each with its new entity body (transfer coding
// undone, content coding kept: what WARC-Payload-Digest covers) to try,
// until try takes one (returns true); or it says why none was taken. The
// block keeps its length and framing; a body in identity coding (one
// copy), or in one content coding of gzip, deflate, br and zstd (one
// copy for each setting whose compression fits: fitBodyEach), can be
// replaced, others give why not.
func replacePayload(block, old, payload []byte, try func(out, body []byte) bool) string {
	head, segs, ok := httpLayout(block)
	if !ok {
		return WhyLayout
	}
	var oldBody []byte
	for _, s := range segs {
		oldBody = append(oldBody, block[s[0]:s[1]]...)
	}
	with := func(body []byte) bool {
		out := bytes.Clone(block)
		rest := body
		for _, s := range segs {
			rest = rest[copy(out[s[0]:s[1]], rest):]
		}
		return try(out, body)
	}
	codings := contentCodings(head.Values("Content-Encoding"))
	switch {
	case len(codings) == 0:
		if !bytes.Equal(oldBody, old) {
			return WhyLayout
		}
		if !with(payload) {
			return WhyFit
		}
	case rewritableCodings(codings): // one of gzip, deflate, br, zstd
		dec, err := decodeContent(codings, oldBody)
		if err != nil || !bytes.Equal(dec, old) {
			return WhyLayout
		}
		if !fitBodyEach(codings[0], oldBody, payload, int64(len(oldBody)), with) {
			return WhyFit
		}
	default:
		return WhyEncoding
	}
	return ""
}

// httpHeader is an HTTP message's header fields, as written.
type httpHeader [][2]string

// Values returns the values of the fields named name.
func (h httpHeader) Values(name string) []string {
	var vs []string
	for _, f := range h {
		if strings.EqualFold(f[0], name) {
			vs = append(vs, f[1])
		}
	}
	return vs
}

// httpLayout takes an HTTP response block apart: its header fields, and
// the spans of the block that make its entity body (one, or one a chunk
// when the transfer coding is chunked; cut short where the block is). It
// reports false for a block it cannot read.
func httpLayout(block []byte) (httpHeader, [][2]int, bool) {
	end := bytes.Index(block, []byte("\r\n\r\n"))
	if end < 0 {
		return nil, nil, false
	}
	lines := strings.Split(string(block[:end]), "\r\n")
	if !strings.HasPrefix(lines[0], "HTTP/") {
		return nil, nil, false
	}
	var h httpHeader
	for _, l := range lines[1:] {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			return nil, nil, false
		}
		h = append(h, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
	}
	at := end + 4
	chunked := false
	for _, v := range h.Values("Transfer-Encoding") {
		chunked = chunked || strings.Contains(strings.ToLower(v), "chunked")
	}
	if !chunked {
		to := len(block)
		if cls := h.Values("Content-Length"); len(cls) > 0 {
			n, err := strconv.Atoi(cls[0])
			if err != nil || n < 0 {
				return nil, nil, false
			}
			to = min(to, at+n)
		}
		return h, [][2]int{{at, to}}, true
	}
	var segs [][2]int
	for at < len(block) {
		nl := bytes.Index(block[at:], []byte("\r\n"))
		if nl < 0 {
			return h, segs, true // cut in a size line
		}
		size, _, _ := strings.Cut(string(block[at:at+nl]), ";")
		n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
		if err != nil || n < 0 {
			return nil, nil, false
		}
		at += nl + 2
		if n == 0 {
			break
		}
		to := int(min(int64(len(block)), int64(at)+n))
		segs = append(segs, [2]int{at, to})
		at = to + 2
	}
	return h, segs, true
}

// fitGzipWith compresses data with each of the compressors cs into gzip
// members of exactly size bytes, giving each that fits to yield in turn,
// as fitBodyEach does; false when none is small enough. The member is
// padded with an extra field in its header (readers skip it) and, past
// what that holds, empty stored deflate blocks, five bytes each; one to
// five bytes, too few for an extra field, with a comment in its header
// (spaces, ended by a zero byte: readers skip it too), so that a copy a
// few bytes smaller than the old (a link's target blanked) fits.
func fitGzipWith(cs []func(io.Writer) deflater, data []byte, size int64, yield func([]byte) bool) bool {
	const maxExtra = 2 + 65535 // XLEN, then up to 65535 bytes: one subfield, its id and length first
	for _, c := range cs {
		// First the stream as it ends (its last block final), padded
		// with the extra field alone; then, for more padding or other
		// lengths, ended by empty stored blocks, five bytes each.
		for _, blocky := range []bool{false, true} {
			var d bytes.Buffer
			zw := c(&d)
			zw.Write(data)
			if blocky {
				zw.Flush() // ends byte-aligned, on an empty stored block, not final
			} else {
				zw.Close()
			}
			fixed := int64(10 + d.Len() + 8)
			if blocky {
				fixed += 5 // the final block, empty
			}
			pad := size - fixed
			var extra, comment, blocks int64
			switch {
			case pad == 0:
			case pad >= 1 && pad < 6:
				comment = pad // too few bytes for an extra field
			case pad >= 6 && pad <= maxExtra:
				extra = pad
			case !blocky:
				continue
			case pad > maxExtra:
				extra = maxExtra - (maxExtra-pad%5+5)%5
				blocks = (pad - extra) / 5
			default:
				continue // too big: another compressor
			}
			if yield(gzipMember(data, d.Bytes(), extra, comment, blocks, blocky)) {
				return true
			}
		}
	}
	return false
}

// deflater is a deflate compressor, as both flate packages make them.
type deflater interface {
	Write([]byte) (int, error)
	Flush() error
	Close() error
}

// compressors are the deflate compressors fitGzipWith and fitDeflateEach
// try, smallest output first as a rule: two implementations, whose
// streams differ, at a few levels, so that one of them is likely to leave
// a length that pads to the size asked.
var compressors = []func(io.Writer) deflater{
	func(w io.Writer) deflater { zw, _ := flate.NewWriter(w, flate.BestCompression); return zw },
	func(w io.Writer) deflater { zw, _ := kflate.NewWriter(w, kflate.BestCompression); return zw },
	func(w io.Writer) deflater { zw, _ := flate.NewWriter(w, 6); return zw },
	func(w io.Writer) deflater { zw, _ := kflate.NewWriter(w, 6); return zw },
	func(w io.Writer) deflater { zw, _ := flate.NewWriter(w, flate.BestSpeed); return zw },
	func(w io.Writer) deflater { zw, _ := flate.NewWriter(w, flate.HuffmanOnly); return zw },
	// More draws, for a body whose record's member the ones before did
	// not fit (redactedMember): other streams, a few bytes apart.
	func(w io.Writer) deflater { zw, _ := flate.NewWriter(w, 8); return zw },
	func(w io.Writer) deflater { zw, _ := kflate.NewWriter(w, 8); return zw },
	func(w io.Writer) deflater { zw, _ := flate.NewWriter(w, 7); return zw },
	func(w io.Writer) deflater { zw, _ := kflate.NewWriter(w, 7); return zw },
	func(w io.Writer) deflater { zw, _ := flate.NewWriter(w, 5); return zw },
	func(w io.Writer) deflater { zw, _ := kflate.NewWriter(w, 5); return zw },
	func(w io.Writer) deflater { zw, _ := flate.NewWriter(w, 4); return zw },
	func(w io.Writer) deflater { zw, _ := kflate.NewWriter(w, 4); return zw },
}

// gzipMember frames a deflate stream of data as a gzip member with an
// extra field of extra bytes in all (none, or 6 to 65537), a comment of
// comment bytes in all (none, or spaces and the zero byte that ends it)
// and, when open (the stream ends on a non-final block), blocks empty
// stored blocks and a final one.
func gzipMember(data, deflated []byte, extra, comment, blocks int64, open bool) []byte {
	flg := byte(0)
	if extra > 0 {
		flg |= 4 // FEXTRA
	}
	if comment > 0 {
		flg |= 16 // FCOMMENT
	}
	out := []byte{0x1f, 0x8b, 8, flg, 0, 0, 0, 0, 0, 255}
	if extra > 0 {
		sub := extra - 2 - 4 // XLEN, then the subfield's id and length
		out = binary.LittleEndian.AppendUint16(out, uint16(extra-2))
		out = append(out, 'H', 'R')
		out = binary.LittleEndian.AppendUint16(out, uint16(sub))
		out = append(out, make([]byte, sub)...)
	}
	if comment > 0 {
		out = append(out, bytes.Repeat([]byte{' '}, int(comment-1))...)
		out = append(out, 0)
	}
	out = append(out, deflated...)
	if open {
		for range blocks {
			out = append(out, 0, 0, 0, 0xff, 0xff)
		}
		out = append(out, 1, 0, 0, 0xff, 0xff)
	}
	out = binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(data))
	return binary.LittleEndian.AppendUint32(out, uint32(len(data)))
}
