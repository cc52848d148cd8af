package sqlite

import (
	"bytes"
	"context"
	cryptoRand "crypto/rand"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zstd"
	sqlite "modernc.org/sqlite"

	"github.com/herald-archive/herald/internal/dedupe"
)

// Article texts are stored compressed, one blob per article, in one of two
// forms told apart by their first bytes:
//
//   - a zstd frame (magic 28 B5 2F FD) compressed with the archive's text
//     dictionary: news articles are short, and a dictionary of the
//     archive's own earlier texts (its vocabulary, phrases and
//     boilerplate) compresses them much better than each text alone: on
//     the benchmark generator's text 0.42 of the raw size against 0.48
//     for deflate, and it decompresses about three times faster;
//   - raw deflate (RFC 1951), for texts written before the archive had a
//     dictionary (the first few megabytes) and by earlier versions. A
//     deflate stream cannot begin with the zstd magic (a stored block
//     would need LEN and NLEN to be complements).
//
// The dictionary is made once, from a sample of the stored texts, when the
// archive first holds defaultDictMinText bytes of text, and kept in text_dicts.
// Its zstd dictionary id is random, so that archives opened in one process
// never mix theirs up (the decoder below is shared by all of them, and by
// the herald_inflate SQL function). Earlier versions' records in
// article_versions stay deflated.
const (
	// deflateLevel: level 5 is close to the best ratio at a fraction of
	// the cost of level 9.
	deflateLevel = 5
	// defaultDictMinText is how much text the archive holds before its
	// dictionary is made; dictSize is the dictionary's size.
	defaultDictMinText = 4 << 20
	dictSize           = 112 << 10
)

var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

var writers = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, deflateLevel) // the level is valid, so no error
	return w
}}

var readers = sync.Pool{New: func() any { return flate.NewReader(nil) }}

// deflate compresses s; the empty string stays empty.
func deflate(s []byte) []byte {
	if len(s) == 0 {
		return []byte{}
	}
	var b bytes.Buffer
	b.Grow(len(s)/2 + 64)
	w := writers.Get().(*flate.Writer)
	w.Reset(&b)
	w.Write(s) // writes to a bytes.Buffer cannot fail
	w.Close()
	writers.Put(w)
	return b.Bytes()
}

// inflate reverses deflate, and decodes dictionary-compressed zstd frames.
func inflate(z []byte) (string, error) {
	if len(z) == 0 {
		return "", nil
	}
	if bytes.HasPrefix(z, zstdMagic) {
		b, err := textDicts.decode(z)
		if err != nil {
			return "", fmt.Errorf("inflate: %w", err)
		}
		return owned(b), nil
	}
	r := readers.Get().(io.ReadCloser)
	defer readers.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(z), nil); err != nil {
		return "", fmt.Errorf("inflate: %w", err)
	}
	var b bytes.Buffer
	b.Grow(len(z) * 3)
	if _, err := b.ReadFrom(r); err != nil {
		return "", fmt.Errorf("inflate: %w", err)
	}
	return owned(b.Bytes()), nil
}

// owned returns b as a string without copying it: b was allocated for
// this string and no one else holds it.
func owned(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// dictRegistry holds every text dictionary seen in this process, by zstd
// id, and a decoder that knows them all. A text compressed with a
// dictionary it does not know yet (made by another process writing to the
// same archive) makes it reload the dictionaries of the open archives.
type dictRegistry struct {
	mu    sync.Mutex
	known map[uint32][]byte
	dec   atomic.Pointer[zstd.Decoder]
	open  map[*DB]bool
}

var textDicts = &dictRegistry{known: map[uint32][]byte{}, open: map[*DB]bool{}}

func (r *dictRegistry) opened(db *DB, open bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if open {
		r.open[db] = true
	} else {
		delete(r.open, db)
	}
}

// add registers dictionaries, rebuilding the decoder when one is new.
func (r *dictRegistry) add(ds map[uint32][]byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	added := false
	for id, d := range ds {
		if _, ok := r.known[id]; !ok {
			r.known[id] = d
			added = true
		}
	}
	if !added && r.dec.Load() != nil {
		return nil
	}
	opts := []zstd.DOption{zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxWindow(64 << 20)}
	for id, d := range r.known {
		opts = append(opts, zstd.WithDecoderDictRaw(id, d))
	}
	dec, err := zstd.NewReader(nil, opts...)
	if err != nil {
		return fmt.Errorf("text dictionaries: %w", err)
	}
	if old := r.dec.Swap(dec); old != nil {
		// Calls in flight may still use old: let the collector have it
		// rather than Close it under them.
		_ = old
	}
	return nil
}

func (r *dictRegistry) decode(z []byte) ([]byte, error) {
	dec := r.dec.Load()
	if dec == nil {
		if err := r.add(nil); err != nil {
			return nil, err
		}
		dec = r.dec.Load()
	}
	out, err := dec.DecodeAll(z, make([]byte, 0, 3*len(z)))
	if !errors.Is(err, zstd.ErrUnknownDictionary) {
		return out, err
	}
	r.mu.Lock()
	dbs := make([]*DB, 0, len(r.open))
	for db := range r.open {
		dbs = append(dbs, db)
	}
	r.mu.Unlock()
	for _, db := range dbs {
		if db.r != nil {
			if lerr := db.loadDicts(context.Background(), db.r); lerr != nil {
				return nil, lerr
			}
		}
	}
	return r.dec.Load().DecodeAll(z, make([]byte, 0, 3*len(z)))
}

// textCodec compresses new texts for one archive.
type textCodec struct {
	enc atomic.Pointer[zstd.Encoder] // nil until the archive has a dictionary
	n   atomic.Int64                 // dictionaries loaded from text_dicts
}

// compress returns text in its stored form.
func (c *textCodec) compress(text string) []byte {
	if text == "" {
		return []byte{}
	}
	if enc := c.enc.Load(); enc != nil {
		return enc.EncodeAll([]byte(text), make([]byte, 0, len(text)/2+64))
	}
	return deflate([]byte(text))
}

// useDict makes d (with zstd id id) the dictionary new texts use.
func (c *textCodec) useDict(id uint32, d []byte) error {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderCRC(false), zstd.WithLowerEncoderMem(true), zstd.WithEncoderDictRaw(id, d))
	if err != nil {
		return fmt.Errorf("text dictionary: %w", err)
	}
	c.enc.Store(enc)
	return nil
}

// loadDicts registers the archive's dictionaries (all of them, for
// reading; the last made, for writing) if text_dicts holds any not loaded
// yet. Cheap when nothing changed.
func (db *DB) loadDicts(ctx context.Context, q querier) error {
	var count int64
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM text_dicts`).Scan(&count); err != nil {
		return fmt.Errorf("text dictionaries: %w", err)
	}
	if count == db.codec.n.Load() {
		return nil
	}
	rows, err := q.QueryContext(ctx, `SELECT id, dict FROM text_dicts ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("text dictionaries: %w", err)
	}
	defer rows.Close()
	ds := map[uint32][]byte{}
	var lastID uint32
	var last []byte
	for rows.Next() {
		var id int64
		var d []byte
		if err := rows.Scan(&id, &d); err != nil {
			return fmt.Errorf("text dictionaries: %w", err)
		}
		ds[uint32(id)], lastID, last = d, uint32(id), d
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("text dictionaries: %w", err)
	}
	if err := textDicts.add(ds); err != nil {
		return err
	}
	if last != nil {
		if err := db.codec.useDict(lastID, last); err != nil {
			return err
		}
	}
	db.codec.n.Store(int64(len(ds)))
	return nil
}

// makeDict builds the archive's text dictionary inside write transaction
// t when the archive has enough text and none yet: a sample of its texts
// spread over the archive, whole, up to dictSize bytes. The dictionary is
// used for texts compressed after the transaction commits.
func (t *tx) makeDict(ctx context.Context) (func() error, error) {
	if t.db.codec.enc.Load() != nil {
		return nil, nil
	}
	var total, ndicts, maxN int64
	if err := t.tx.QueryRowContext(ctx, `SELECT (SELECT text_bytes FROM counters), (SELECT count(*) FROM text_dicts),
		(SELECT coalesce(max(n), 0) FROM articles)`).Scan(&total, &ndicts, &maxN); err != nil {
		return nil, err
	}
	if ndicts > 0 || total+t.textDelta < t.db.dictMinText {
		return nil, nil
	}
	// Whole texts from about 64 places spread over the archive, newest
	// first within the dictionary's end (zstd matches nearer the end of
	// a dictionary with shorter offsets).
	rows, err := t.tx.QueryContext(ctx, `SELECT text FROM articles WHERE n % ? = 0 ORDER BY n`, max(1, maxN/64))
	if err != nil {
		return nil, err
	}
	var sample []byte
	for rows.Next() && len(sample) < dictSize {
		var z []byte
		if err := rows.Scan(&z); err != nil {
			rows.Close()
			return nil, err
		}
		text, err := inflate(z)
		if err != nil {
			rows.Close()
			return nil, err
		}
		sample = append(sample, text...)
		sample = append(sample, '\n')
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(sample) > dictSize {
		sample = sample[len(sample)-dictSize:]
	}
	id := randomDictID()
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO text_dicts (id, dict) VALUES (?, ?)`, int64(id), sample); err != nil {
		return nil, err
	}
	return func() error { return t.db.loadDicts(context.Background(), t.db.w) }, nil
}

// randomDictID returns a zstd dictionary id that is neither 0 (no
// dictionary) nor in the range the zstd format reserves (below 32768).
func randomDictID() uint32 {
	var b [4]byte
	for {
		if _, err := cryptoRand.Read(b[:]); err != nil {
			panic(err) // crypto/rand does not fail on supported systems
		}
		if id := binary.LittleEndian.Uint32(b[:]) & 0x7fffffff; id >= 1<<15 {
			return id
		}
	}
}

var registerOnce sync.Once
var registerErr error

// registerFunctions makes herald_inflate(blob) available to every
// connection the driver opens (the schema's article_text view, and so the
// full-text index, depend on it), herald_signable(text), herald_norm(text),
// herald_days, herald_nkeys, the block builders and herald_key (see
// days.go), herald_nclusters (clusters.go), herald_fts and
// herald_unspaced (see cjk.go), herald_one_line.
func registerFunctions() error {
	registerOnce.Do(func() {
		registerErr = sqlite.RegisterDeterministicScalarFunction("herald_inflate", 1,
			func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
				switch v := args[0].(type) {
				case nil:
					return "", nil
				case []byte:
					return inflate(v)
				case string:
					return inflate([]byte(v))
				}
				return nil, fmt.Errorf("herald_inflate: want a blob, got %T", args[0])
			})
		if registerErr == nil {
			// herald_signable(text): dedupe.Signable, for migration 0012.
			registerErr = sqlite.RegisterDeterministicScalarFunction("herald_signable", 1,
				func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
					switch v := args[0].(type) {
					case nil:
						return false, nil
					case string:
						return dedupe.Signable(v), nil
					case []byte:
						return dedupe.Signable(string(v)), nil
					}
					return nil, fmt.Errorf("herald_signable: want text, got %T", args[0])
				})
		}
		if registerErr == nil {
			// herald_norm(text): norm, for section: values beyond ASCII.
			registerErr = sqlite.RegisterDeterministicScalarFunction("herald_norm", 1,
				func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
					if s, ok := args[0].(string); ok {
						return norm(s), nil
					}
					return "", nil
				})
		}
		if registerErr == nil {
			registerErr = registerDays()
		}
		if registerErr == nil {
			registerErr = registerKey()
		}
		if registerErr == nil {
			registerErr = registerNKeys()
		}
		if registerErr == nil {
			registerErr = registerBlockBuilders()
		}
		if registerErr == nil {
			registerErr = registerNClusters()
		}
		if registerErr == nil {
			registerErr = registerPass()
		}
		if registerErr == nil {
			registerErr = registerLinkBlocks()
		}
		if registerErr == nil {
			registerErr = registerFTS()
		}
		if registerErr == nil {
			// herald_one_line(text): each run of white space (what Go's
			// unicode.IsSpace calls space) one space, the ends trimmed,
			// as the archive tidies a single-line field; for migration
			// 0014.
			registerErr = sqlite.RegisterDeterministicScalarFunction("herald_one_line", 1,
				func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
					if s, ok := args[0].(string); ok {
						return strings.Join(strings.Fields(s), " "), nil
					}
					return args[0], nil // NULL, a number or a blob: left as it is
				})
		}
	})
	return registerErr
}
