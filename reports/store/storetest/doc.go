// Package storetest is the one contract test suite of store.Store. Each
// adapter's tests call Run with a Harness that opens a fresh database; the
// suite is the definition of "same meaning on both stores".
//
// Postgres gives tests their own schema in the shared test database (see
// PostgresURL), dropped when the test ends.
package storetest
