// Package riverbatch spreads year-end batches over replicas with River
// (github.com/riverqueue/river), a job queue kept in the same PostgreSQL
// database as the forms.
//
// A batch becomes one render job per form, unique per batch and form (a
// second Enqueue of the same batch, from another replica or a restart,
// inserts nothing new), and one assemble job once no form is pending. Every
// replica's `serve` runs workers, so the forms of a year are rendered by all
// of them. A render job re-reads its item and does nothing when it is no
// longer pending, and records its result only while the item is pending, so
// a form is recorded once even when a job runs twice. Errors of the store or
// the blobs are retried with River's backoff; a form that cannot be
// rendered is recorded failed with its reason (as is a form whose last
// attempt failed), so a batch always finishes. Jobs of a replica that died
// are rescued by River (RescueAfter) and run elsewhere. The assemble job
// takes the batch's advisory lock: only one replica writes the archive.
package riverbatch
