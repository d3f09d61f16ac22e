// Package batch runs year-end batches: every form of a year (optionally of
// one 申报单位) rendered to PDF and XLSX and delivered as one zip archive,
// exactly once per form even when the process is killed halfway.
//
// How exactly-once holds: a batch is created with one item per form (a
// snapshot of form id and version, in one transaction). Workers render
// pending items into the runner's Blobs — a spool directory (temporary
// file, then rename) on one node, the database when replicas share
// PostgreSQL — and the store records each item done with the SHA-256 of its
// outputs, or failed with a reason. A killed run leaves some items pending — or rendered but not
// yet recorded, which are simply rendered again over the same spool file.
// Only when no item is pending is the archive assembled, from the done items
// in store order, each copied once and checked against its recorded hash,
// and stored through the same Blobs (in PostgreSQL as 1 MiB chunk rows, so
// any replica serves it, Range requests included).
//
// Scheduling (schedule.go) is thin: gocron calls Runner.Create and Runner.Run;
// the idempotency key of a scheduled batch (schedule name and tick) makes a
// second replica or a catch-up after downtime find the existing batch
// instead of starting another.
//
// Retention (prune.go) deletes the archives of old finished batches: the
// latest few of each year and unit and the recent ones are kept. The store
// records a pruned batch before its file goes, so nothing offers a missing
// archive.
package batch
