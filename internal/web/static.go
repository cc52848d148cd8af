package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"
)

//go:embed static
var staticFS embed.FS

// staticFile is an embedded asset with its validator.
type staticFile struct {
	body        []byte
	etag, ctype string
}

// loadStatic reads every embedded asset once.
func loadStatic() map[string]staticFile {
	files := map[string]staticFile{}
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		panic(fmt.Sprintf("web: embedded static folder: %v", err)) // the embed directive guarantees it
	}
	for _, e := range entries {
		b, err := staticFS.ReadFile("static/" + e.Name())
		if err != nil {
			panic(fmt.Sprintf("web: embedded %s: %v", e.Name(), err))
		}
		sum := sha256.Sum256(b)
		ctype := mime.TypeByExtension(path.Ext(e.Name()))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		files[e.Name()] = staticFile{body: b, etag: fmt.Sprintf(`"%x"`, sum[:8]), ctype: ctype}
	}
	return files
}

// staticHandler serves the embedded assets with an ETag, so browsers
// revalidate cheaply after the cache time.
func staticHandler() http.Handler {
	files := loadStatic()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.PathValue("file")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", f.ctype)
		h.Set("ETag", f.etag)
		h.Set("Cache-Control", "public, max-age=3600")
		http.ServeContent(w, r, r.PathValue("file"), time.Time{}, bytes.NewReader(f.body))
	})
}
