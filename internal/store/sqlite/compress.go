package sqlite

import (
	"bytes"
	"compress/flate"
	"database/sql/driver"
	"fmt"
	"io"
	"sync"

	sqlite "modernc.org/sqlite"
)

// Article texts are stored deflated: news text shrinks to about 40–50%,
// which, with the full-text index beside it, keeps the archive near the
// size of the raw text. Level 5 is close to the best ratio at a fraction of
// the cost of level 9.
const deflateLevel = 5

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

// inflate reverses deflate.
func inflate(z []byte) (string, error) {
	if len(z) == 0 {
		return "", nil
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
	return b.String(), nil
}

var registerOnce sync.Once
var registerErr error

// registerFunctions makes herald_inflate(blob) available to every
// connection the driver opens; the schema's article_text view, and so the
// full-text index, depend on it.
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
	})
	return registerErr
}
