// Package sqlite is the default form store: an embedded SQLite database
// (modernc.org/sqlite, no cgo) in WAL mode with a busy timeout and foreign
// keys on. It implements store.Store; the contract and its tests are in
// reports/store and reports/store/storetest.
//
// Migrations are the numbered files in migrations/ (see package store).
package sqlite
