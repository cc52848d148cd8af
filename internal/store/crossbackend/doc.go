// Package crossbackend holds the tests that compare Herald's store
// backends with each other: the same data loaded into SQLite and
// PostgreSQL must give the same search matches, timelines, Top lists,
// Scan order and export bytes, and the PostgreSQL tokenizer must split
// and fold words exactly as SQLite's FTS5 does. It has no code of its
// own; it is the one place allowed to import both backends.
package crossbackend
