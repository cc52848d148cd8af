package sqlite

import (
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/herald-archive/herald/internal/store"
	"github.com/herald-archive/herald/internal/store/sqlschema"
)

// recordCols are the articles columns a Record is read from, in scanRecord
// order; the text column is optional and comes last.
const recordCols = `a.id, a.url, a.canonical_url, a.published, a.modified, a.fetched_at,
	a.title, a.description, a.authors, a.tags, a.site_name, a.section, a.language, a.image,
	a.free, a.word_count, a.source, a.capture_file, a.capture_offset, a.capture_record,
	a.capture_chain, a.extractor_version, ` + hashCol + `, a.cluster_id, a.version, a.original_url`

// hashCol reads content_hash back as text (see hashArg).
const hashCol = `iif(typeof(a.content_hash) = 'blob', lower(hex(a.content_hash)), a.content_hash)`

// hashArg is the stored form of a content hash: the 32 bytes of a
// SHA-256 in lower-case hex (what dedupe.ContentHash makes), any other
// string as it is. Half the size in the row and in its index.
func hashArg(h string) any {
	if b := sha256Hex(h); b != nil {
		return b
	}
	return h
}

// hashKey is the stored bytes of hash h, for comparing with a scanned
// content_hash.
func hashKey(h string) []byte {
	if b := sha256Hex(h); b != nil {
		return b
	}
	return []byte(h)
}

func sha256Hex(h string) []byte {
	if len(h) != 64 || strings.ToLower(h) != h {
		return nil
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil
	}
	return b
}

type scanner interface{ Scan(dest ...any) error }

// scanRecord reads recordCols (plus text when withText) into a Record.
func scanRecord(s scanner, withText bool, extra ...any) (*store.Record, error) {
	var (
		r                            store.Record
		text                         []byte
		raw                          sql.RawBytes // text from *sql.Rows, inflated at once so never kept
		published, modified, fetched string
		authors, tags                string
		free                         sql.NullBool
		capFile, capRecord           string
		capOffset, capChain          int64
	)
	dest := []any{&r.ID, &r.URL, &r.CanonicalURL, &published, &modified, &fetched,
		&r.Title, &r.Description, &authors, &tags, &r.SiteName, &r.Section, &r.Language, &r.Image,
		&free, &r.WordCount, &r.Source, &capFile, &capOffset, &capRecord, &capChain,
		&r.ExtractorVersion, &r.ContentHash, &r.ClusterID, &r.Version, &r.OriginalURL}
	_, fromRows := s.(*sql.Rows)
	if p, ok := s.(prefixScanner); ok {
		_, fromRows = p.rows, true
	}
	switch {
	case withText && fromRows:
		dest = append(dest, &raw)
	case withText:
		dest = append(dest, &text) // *sql.Row refuses RawBytes
	}
	dest = append(dest, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	if r.URL == "" {
		r.URL = r.CanonicalURL // stored empty when the same
	}
	var err error
	if raw != nil {
		text = raw
	}
	if r.Text, err = inflate(text); err != nil {
		return nil, err
	}
	if r.Published, err = parseTime(published); err != nil {
		return nil, err
	}
	if r.Modified, err = parseTime(modified); err != nil {
		return nil, err
	}
	if r.FetchedAt, err = parseTime(fetched); err != nil {
		return nil, err
	}
	r.Authors = splitLines(authors)
	r.Tags = splitLines(tags)
	if free.Valid {
		b := free.Bool
		r.IsAccessibleForFree = &b
	}
	if capFile != "" || capRecord != "" {
		r.Capture = &store.Capture{File: capFile, Offset: capOffset, RecordID: capRecord, ChainOffset: capChain}
	}
	return &r, nil
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

func joinLines(ss []string) string {
	clean := make([]string, 0, len(ss))
	for _, s := range ss {
		if s = strings.Join(strings.Fields(s), " "); s != "" {
			clean = append(clean, s)
		}
	}
	return strings.Join(clean, "\n")
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// norm is the dictionary key of an author or tag: lower case, single spaces.
func norm(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// siteHost is the host a record is filed under: the canonical URL's (else
// the fetched URL's) host, lower case, without "www." or a port.
func siteHost(r *store.Record) string {
	if h := store.SiteHost(r.CanonicalURL); h != "" {
		return h
	}
	return store.SiteHost(r.URL)
}

func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMilli decodes a stored Unix-millisecond time (sqlschema.FromMilli).
var fromMilli = sqlschema.FromMilli
