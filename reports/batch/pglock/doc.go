// Package pglock implements gocron's Locker with PostgreSQL session
// advisory locks, so that with several reportd replicas on one database a
// scheduled batch (and the resumption of an interrupted one) runs on one
// replica only.
//
// A lock is pg_try_advisory_lock on a connection held for as long as the
// lock: if the process dies, PostgreSQL closes the session and releases the
// lock, so no lease or expiry is needed. Lock never waits: a replica that
// does not get the lock skips the run, which is what gocron expects.
package pglock
