package archive

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"sort"

	"github.com/herald-archive/herald/internal/query"
	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/warc"
)

// CaptureCheck is what CheckCaptures found: the fixity of the raw
// captures the archive keeps, so that any record can be derived again.
type CaptureCheck struct {
	// Captures counts the capture references checked: the articles' and
	// those of their earlier versions.
	Captures int `json:"captures"`
	// WithoutCapture counts the articles that have none (imported from
	// JSON lines or text files).
	WithoutCapture int `json:"without_capture"`
	// Files counts the WARC files that hold the captures; Records the
	// records read in them, each with its block digest verified.
	Files   int `json:"files"`
	Records int `json:"records"`
	// Problems lists what is wrong, file by file in offset order.
	Problems []CaptureProblem `json:"problems,omitempty"`
}

// CaptureProblem is one problem CheckCaptures found.
type CaptureProblem struct {
	// ID names the article whose capture it is, and Version the earlier
	// version when it is one's (0 for the article as it stands); ID is
	// empty for a damaged record that no article names (a request
	// record, a redirect), which is a problem all the same.
	ID      string `json:"id,omitempty"`
	Version int    `json:"version,omitempty"`
	// File is the WARC file as the archive names it, Offset the record's
	// place in it.
	File    string `json:"file"`
	Offset  int64  `json:"offset"`
	Problem string `json:"problem"`
	// Incomplete says the problem is the file's: it is a download that
	// stopped (herald import warc URL), of which only NAME.part is there,
	// Offset bytes long; its captures are checked in the part.
	Incomplete bool `json:"incomplete,omitempty"`
}

// captureRef is one reference to check.
type captureRef struct {
	id       string
	version  int
	offset   int64
	recordID string
	// urls are the article's fetched and canonical URLs, which the
	// record's target URI is checked against when there is no recordID.
	urls []string
	// chain is where the capture's redirect chain starts, when it is
	// known and there is one (store.Capture.Chain), else offset.
	chain int64
}

// newCaptureRef is the reference to check for capture c of the article
// id (version, for an earlier one) at urls.
func newCaptureRef(id string, version int, c *store.Capture, urls ...string) captureRef {
	chain, _ := c.Chain()
	return captureRef{id: id, version: version, offset: c.Offset, recordID: c.RecordID, urls: urls, chain: chain}
}

// CheckCaptures verifies every raw capture the archive references: its
// WARC file is there, a record starts at its offset with its record id
// (or, for a reference without one, for the article's URL: see
// warc.Record.IsCapture; another record there is "capture not in this
// archive", a reference imported from another archive), and that record, like every other record of the file, is whole and
// matches its WARC-Block-Digest. Where the reference says where the
// capture's redirect chain starts (store.Capture.ChainOffset), a record
// starts there and the records from there up to the response are whole
// request and response records, not erased: each record among them that
// is not is the article's problem, not a record's that no article names
// (unless the capture itself is missing, damaged or another record: its
// chain's damaged records are then reported as records). Relative file names are resolved against
// base (the archive's folder), as harvests write them. Each file is read
// once, from start to end.
//
// When the store lists references by file (store.CaptureScanner), they
// are read as the files are checked, so that the memory it takes is one
// file's references (and those of earlier versions), not the archive's:
// held all at once they took some 600 bytes each, 680 MB of heap for a
// million articles.
func CheckCaptures(ctx context.Context, st store.Store, base string) (*CaptureCheck, error) {
	sum := &CaptureCheck{}
	cs, byScanner := st.(store.CaptureScanner)
	// The references to check by file: every one, or with a
	// CaptureScanner those of earlier versions only.
	byFile := map[string][]captureRef{}
	add := func(r *store.Record, version int) {
		c := r.Capture
		if c == nil || c.File == "" {
			return
		}
		sum.Captures++
		byFile[c.File] = append(byFile[c.File], newCaptureRef(r.ID, version, c, r.URL, r.CanonicalURL))
	}
	all, err := query.Parse("")
	if err != nil {
		return nil, fmt.Errorf("check captures: %w", err)
	}
	var older []string // articles with earlier versions
	// The references are all it needs: no texts are read.
	err = store.ScanMeta(ctx, st, all, func(r *store.Record) error {
		if r.Capture == nil || r.Capture.File == "" {
			sum.WithoutCapture++
		}
		if !byScanner {
			add(r, 0)
		}
		if r.Version > 1 {
			older = append(older, r.ID)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("check captures: %w", err)
	}
	for _, id := range older {
		versions, err := st.Versions(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted since the scan
		}
		if err != nil {
			return nil, fmt.Errorf("check captures: %w", err)
		}
		for _, v := range versions[:len(versions)-1] { // the last is the article itself
			add(v, v.Version)
		}
	}

	// check checks file name with refs and the references of byFile to
	// it.
	check := func(name string, refs []captureRef) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		refs = append(refs, byFile[name]...)
		delete(byFile, name)
		slices.SortFunc(refs, func(a, b captureRef) int {
			return cmp.Or(cmp.Compare(a.offset, b.offset), cmp.Compare(a.version, b.version))
		})
		sum.Files++
		path, partial := store.CapturePath(name, base)
		return checkFile(ctx, sum, name, path, partial, refs)
	}
	// checkBefore checks the files of byFile whose names sort before
	// name ("": all of them).
	checkBefore := func(name string) error {
		for _, f := range slices.Sorted(maps.Keys(byFile)) {
			if name != "" && f >= name {
				break
			}
			if err := check(f, nil); err != nil {
				return err
			}
		}
		return nil
	}
	if byScanner {
		var name string
		var refs []captureRef
		err := cs.ScanCaptures(ctx, func(c store.CaptureRef) error {
			if c.Capture.File != name {
				if len(refs) > 0 {
					if err := check(name, refs); err != nil {
						return err
					}
				}
				if err := checkBefore(c.Capture.File); err != nil {
					return err
				}
				name, refs = c.Capture.File, refs[:0]
			}
			sum.Captures++
			refs = append(refs, newCaptureRef(c.ID, 0, &c.Capture, c.URL, c.CanonicalURL))
			return nil
		})
		if err == nil && len(refs) > 0 {
			err = check(name, refs)
		}
		if err != nil {
			return sum, fmt.Errorf("check captures: %w", err)
		}
	}
	if err := checkBefore(""); err != nil {
		return sum, fmt.Errorf("check captures: %w", err)
	}
	return sum, nil
}

// checkFile reads the WARC file at path (named name in the archive) and
// adds to sum what is wrong with it and with refs, the references to it
// in offset order. partial says path is NAME.part, a download that
// stopped: that is a problem of its own, and the record it breaks off in
// is not damaged but unfinished.
func checkFile(ctx context.Context, sum *CaptureCheck, name, path string, partial bool, refs []captureRef) error {
	problem := func(r *captureRef, offset int64, what string) {
		p := CaptureProblem{File: name, Offset: offset, Problem: what}
		if r != nil {
			p.ID, p.Version = r.id, r.version
		}
		sum.Problems = append(sum.Problems, p)
	}
	everyRef := func(what string) {
		for i := range refs {
			problem(&refs[i], refs[i].offset, what)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		everyRef("WARC file unreadable: " + err.Error())
		return nil
	}
	defer f.Close()

	type loose struct {
		offset int64
		what   string
		torn   bool
	}
	var looseOnes []loose
	at, chained, last, readErr := readFile(ctx, sum, f, refs, func(offset int64, what string, torn bool) {
		looseOnes = append(looseOnes, loose{offset, what, torn})
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	// The references' problems, worked out first: a damaged record in a
	// chain is the article's problem where its chain is reported, else
	// (its capture is itself damaged, erased or another record) it is
	// reported as a record of its own, as any damage is.
	var refProblems []CaptureProblem
	told := map[int64]bool{} // chained records reported through a chain
	refProblem := func(r *captureRef, offset int64, what string) {
		refProblems = append(refProblems, CaptureProblem{File: name, Offset: offset, Problem: what, ID: r.id, Version: r.version})
	}
	for i := range refs {
		r := &refs[i]
		got, ok := at[r.offset]
		switch {
		case !ok && readErr != nil:
			refProblem(r, r.offset, readErr.Error())
		case !ok:
			refProblem(r, r.offset, "no record starts at this offset")
		case got.damage != "":
			refProblem(r, r.offset, got.damage)
		case got.erased:
			refProblem(r, r.offset, "the capture was erased (herald delete --erase-captures), but the archive still points at it")
		case r.recordID != "" && got.recordID != r.recordID:
			refProblem(r, r.offset, fmt.Sprintf("capture not in this archive: the record at this offset is %s, not %s", got.recordID, r.recordID))
		case !(&warc.Record{RecordID: got.recordID, TargetURI: got.uri}).IsCapture(r.recordID, r.urls...):
			refProblem(r, r.offset, fmt.Sprintf("capture not in this archive: the record at this offset is for %s", got.uri))
		default:
			for _, c := range chainProblems(r, chained) {
				refProblem(r, r.chain, fmt.Sprintf("its redirect chain, from this offset to the response at %d: %s", r.offset, c.why))
				told[c.offset] = true
			}
		}
	}
	for _, c := range chained {
		if c.loose != "" && !told[c.offset] {
			looseOnes = append(looseOnes, loose{c.offset, c.loose, c.torn})
		}
	}
	slices.SortStableFunc(looseOnes, func(a, b loose) int { return cmp.Compare(a.offset, b.offset) })
	if k := len(looseOnes) - 1; partial && k >= 0 && looseOnes[k].torn && looseOnes[k].offset == last {
		looseOnes = looseOnes[:k] // where the download stopped
	}
	for _, l := range looseOnes {
		problem(nil, l.offset, l.what)
	}
	if partial {
		size := int64(-1)
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		sum.Problems = append(sum.Problems, CaptureProblem{File: name, Offset: size, Incomplete: true,
			Problem: fmt.Sprintf("the download of this file stopped: only %s is here, its first %d bytes, which its captures are read from; run herald import warc with its URL again to finish it", path, size)})
	}
	sum.Problems = append(sum.Problems, refProblems...)
	return nil
}

// found is what a WARC file holds at an offset: a record's id, or the
// damage found there.
type found struct {
	offset   int64
	recordID string
	uri      string // its WARC-Target-URI
	typ      string // its WARC-Type
	damage   string
	erased   bool // by herald delete --erase-captures
	// loose is how damage there is reported when no chain reports it
	// (readFile's loose), torn whether it breaks off.
	loose string
	torn  bool
}

// chainProblem is one thing wrong with a redirect chain: why, about the
// record at offset.
type chainProblem struct {
	offset int64
	why    string
}

// chainProblems says everything wrong with the redirect chain of r,
// whose records are among chained (in file order): nothing when nothing
// is or r says of none.
func chainProblems(r *captureRef, chained []found) []chainProblem {
	if r.chain >= r.offset {
		return nil
	}
	i, _ := slices.BinarySearchFunc(chained, r.chain, func(f found, off int64) int { return cmp.Compare(f.offset, off) })
	if i == len(chained) || chained[i].offset != r.chain {
		return []chainProblem{{r.chain, "no record starts at this offset"}}
	}
	var ps []chainProblem
	for ; i < len(chained) && chained[i].offset < r.offset; i++ {
		f := chained[i]
		var damage error
		if f.damage != "" {
			damage = errors.New(f.damage)
		}
		if err := warc.ChainRecordProblem(f.offset, f.typ, f.erased, damage); err != nil {
			ps = append(ps, chainProblem{f.offset, err.Error()})
		}
	}
	return ps
}

// readFile reads every record of f, verifying each one's block digest,
// and returns what it found at the offsets refs name, and, in file
// order, at the offsets within their redirect chains (captureRef.chain
// up to offset). Damage at other offsets goes to loose. The error says
// why the file could not be read to its end (it is not a WARC file, or
// an I/O error), nil when it was. refs are in offset order.
func readFile(ctx context.Context, sum *CaptureCheck, f io.Reader, refs []captureRef, loose func(offset int64, what string, torn bool)) (map[int64]found, []found, int64, error) {
	at := make(map[int64]found, len(refs))
	wanted := make(map[int64]bool, len(refs))
	for _, r := range refs {
		wanted[r.offset] = true
	}
	// inChain reports whether off lies in the chain of the first
	// reference after it.
	inChain := func(off int64) bool {
		i := sort.Search(len(refs), func(i int) bool { return refs[i].offset > off })
		return i < len(refs) && refs[i].chain <= off
	}
	var chained []found
	last := int64(-1) // the offset of the last record read
	rd := warc.NewBlockReader(bufio.NewReaderSize(f, 1<<20))
	for ctx.Err() == nil {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return at, chained, last, nil
		}
		var re *warc.RecordError
		if errors.As(err, &re) {
			last = re.Offset
			switch {
			case wanted[re.Offset]:
				at[re.Offset] = found{offset: re.Offset, damage: re.Err.Error()}
			case inChain(re.Offset):
				chained = append(chained, found{offset: re.Offset, damage: re.Err.Error(),
					loose: "damaged record: " + re.Err.Error(), torn: errors.Is(re.Err, warc.ErrTruncated)})
			default:
				loose(re.Offset, "damaged record: "+re.Err.Error(), errors.Is(re.Err, warc.ErrTruncated))
			}
			continue // the reader goes on with the next record
		}
		if err != nil {
			return at, chained, last, err
		}
		last = rec.Offset
		sum.Records++
		damage := ""
		if err := rec.CheckBlockDigest(); err != nil {
			damage = err.Error()
		}
		got := found{offset: rec.Offset, recordID: rec.RecordID, uri: rec.TargetURI, typ: rec.Type, damage: damage, erased: rec.IsErased(), loose: damage}
		switch _, seen := at[rec.Offset]; {
		case wanted[rec.Offset] && !seen: // the first record of its gzip member
			at[rec.Offset] = got
		case inChain(rec.Offset) && (len(chained) == 0 || chained[len(chained)-1].offset != rec.Offset):
			chained = append(chained, got)
		case damage != "":
			loose(rec.Offset, damage, false)
		}
	}
	return at, chained, last, ctx.Err()
}
