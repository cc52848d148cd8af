package sqlite

import (
	"context"
	"errors"
	"strings"
)

// SetProbeRatio lets tests force either plan for words with filters: 0
// probes whenever the filters leave few articles, a huge ratio never does.
func SetProbeRatio(db *DB, n int) { db.probeRatio = n }

// SetDictMinText lets tests make the text dictionary early.
func SetDictMinText(db *DB, n int64) { db.dictMinText = n }

// DatesVersion reads counters.dates_version, which write transactions bump
// when a stored article's date changes.
func DatesVersion(db *DB) (v int64, err error) {
	err = db.r.QueryRow(`SELECT dates_version FROM counters`).Scan(&v)
	return v, err
}

// Segments returns the full-text index's segments: segment id to size
// (rows in article_fts_idx).
func Segments(db *DB) (map[int64]int64, error) {
	rows, err := db.r.Query(`SELECT segid, count(*) FROM article_fts_idx GROUP BY segid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[int64]int64{}
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		m[id] = n
	}
	return m, rows.Err()
}

// SetTidyPages sets how many pages a Tidy step merges and returns the
// previous setting.
func SetTidyPages(n int) int {
	old := tidyPages
	tidyPages = n
	return old
}

// IndexIntegrity runs FTS5's integrity check of the full-text index
// against the article texts.
func IndexIntegrity(db *DB) error {
	problems, err := db.CheckIndex(context.Background())
	if err == nil && len(problems) > 0 {
		err = errors.New(strings.Join(problems, "; "))
	}
	return err
}

// SetCountPlan lets tests take every path of countClusters: a rank window
// of rankWindow matches, and one walk only for at most oneWalkMax.
func SetCountPlan(db *DB, rankWindow, oneWalkMax int) {
	db.rankWindow, db.oneWalkMax = rankWindow, oneWalkMax
}

// SetLSHMerge sets when band rows go through article_lsh_recent and when
// it is merged into article_lsh (see lshMergeAt) and returns a function
// that restores the settings.
func SetLSHMerge(directBelow, min int64, scale float64) (restore func()) {
	oldDirect, oldMin, oldScale := lshDirectBelow, lshMergeMin, lshMergeScale
	lshDirectBelow, lshMergeMin, lshMergeScale = directBelow, min, scale
	return func() { lshDirectBelow, lshMergeMin, lshMergeScale = oldDirect, oldMin, oldScale }
}

// LSHRows returns the band tables' row counts as counters records them
// and as counted.
func LSHRows(db *DB) (rows, recent, countedRows, countedRecent int64, err error) {
	err = db.r.QueryRow(`SELECT lsh_rows, lsh_recent, (SELECT count(*) FROM article_lsh),
		(SELECT count(*) FROM article_lsh_recent) FROM counters`).Scan(&rows, &recent, &countedRows, &countedRecent)
	return
}

// ParseMarks is parseMarks, for its own test.
var ParseMarks = parseMarks

// Warmed reports whether the date and cluster caches are loaded, and for
// how many articles (the site cache loads with the date cache).
func Warmed(db *DB) (dates, clusters int64) {
	db.days.mu.Lock()
	if v := db.days.view; v != nil {
		dates = v.maxN
	}
	db.days.mu.Unlock()
	db.clusters.mu.Lock()
	if v := db.clusters.view; v != nil {
		clusters = v.maxN
	}
	db.clusters.mu.Unlock()
	return dates, clusters
}

// SetLSHMergeStep sets how many band rows a merge moves per transaction
// and returns a function that restores the setting.
func SetLSHMergeStep(n int) (restore func()) {
	old := lshMergeStep
	lshMergeStep = n
	return func() { lshMergeStep = old }
}

// ForgetDicts empties the process's text dictionary registry, as in a
// new process that has opened no archive yet.
func ForgetDicts() {
	textDicts.mu.Lock()
	defer textDicts.mu.Unlock()
	textDicts.known = map[uint32][]byte{}
	textDicts.dec.Store(nil)
}

// SetReleasePages sets how many free pages a releaseFreePages step hands
// back and returns the previous setting.
func SetReleasePages(n int) int {
	old := releasePages
	releasePages = n
	return old
}

// FilePages describes the archive file's pages.
type FilePages struct{ Count, Free, Size, AutoVacuum int }

// Pages returns the archive file's page count, free pages, page size and
// auto_vacuum mode.
func Pages(db *DB) (p FilePages, err error) {
	for name, v := range map[string]*int{"page_count": &p.Count, "freelist_count": &p.Free, "page_size": &p.Size, "auto_vacuum": &p.AutoVacuum} {
		if err := db.w.QueryRow("PRAGMA " + name).Scan(v); err != nil {
			return p, err
		}
	}
	return p, nil
}

// IntegrityCheck runs SQLite's integrity check of the whole file.
func IntegrityCheck(db *DB) error {
	var res string
	if err := db.w.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return errors.New(res)
	}
	return nil
}

// RowOf returns the row number of article id.
func RowOf(db *DB, id string) (n int64, err error) {
	err = db.r.QueryRow(`SELECT n FROM articles WHERE id = ?`, id).Scan(&n)
	return n, err
}

// BandRowsOf counts the band rows of row number n in both band tables.
func BandRowsOf(db *DB, n int64) (rows int64, err error) {
	err = db.r.QueryRow(`SELECT (SELECT count(*) FROM article_lsh WHERE key & ?1 = ?2) +
		(SELECT count(*) FROM article_lsh_recent WHERE key & ?1 = ?2)`, rowMask, n).Scan(&rows)
	return rows, err
}

// ListedGone returns how many rows article_lsh_gone holds, as counted and
// as counters.lsh_gone says, and how many of row number n's band rows
// article_lsh holds.
func ListedGone(db *DB, n int64) (listed, counter, mainRows int64, err error) {
	err = db.r.QueryRow(`SELECT (SELECT count(*) FROM article_lsh_gone), lsh_gone,
		(SELECT count(*) FROM article_lsh WHERE key & ?1 = ?2) FROM counters`, rowMask, n).Scan(&listed, &counter, &mainRows)
	return
}
