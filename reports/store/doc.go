// Package store defines how reportd keeps forms and API tokens: the
// FormStore and TokenStore contracts, the values they exchange, token
// generation and hashing, and the numbered-migration convention shared by
// the adapters.
//
// Two adapters implement the contract with the same meaning:
//
//   - store/sqlite: embedded SQLite (modernc.org/sqlite), the default;
//     data in ./data/reportd.db.
//   - store/postgres: PostgreSQL through pgx/v5 (pgxpool).
//
// Both are tested by the one suite in store/storetest, so a behaviour is
// either true of both or tested as a failure.
//
// # Migrations
//
// Each adapter embeds its schema as numbered SQL files in its migrations/
// folder ("0001_init.sql", "0002_batches.sql", …). Open applies, in order and
// each in its own transaction, every file whose number is not yet recorded in
// the schema_migrations table. To add tables (for example the batch
// progress of reports/batch), add the next-numbered file to BOTH adapters
// with the same meaning; never edit a file that has been released. See
// ParseMigrations for the naming rule.
package store
