package sqlite

// SetProbeRatio lets tests force either plan for words with filters: 0
// probes whenever the filters leave few articles, a huge ratio never does.
func SetProbeRatio(db *DB, n int) { db.probeRatio = n }

// SetDictMinText lets tests make the text dictionary early.
func SetDictMinText(db *DB, n int64) { db.dictMinText = n }
