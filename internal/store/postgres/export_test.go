package postgres

import "database/sql"

// RawDB gives tests the connection pool, to look at columns that no
// method returns.
func RawDB(db *DB) *sql.DB { return db.db }
