// Package postgres is the PostgreSQL form store, through pgx/v5 (pgxpool).
// It implements store.Store with the same meaning as store/sqlite; both are
// tested by store/storetest against a real server.
//
// Migrations are the numbered files in migrations/ (see package store).
// Options.Schema puts every table in one schema (created if missing), which
// is how tests run side by side in one database.
package postgres
