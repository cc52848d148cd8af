package sqlite

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
