package pglock

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/go-co-op/gocron/v2"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrHeld is returned by Lock when another session holds the lock.
var ErrHeld = errors.New("lock is held by another process")

// Locker takes advisory locks on connections of its own pool.
type Locker struct {
	// Namespace is prefixed to lock names: databases (or schemas) sharing
	// a server do not share locks.
	Namespace string
	pool      *pgxpool.Pool
	mu        sync.Mutex
	held      map[*lock]bool
}

var _ gocron.Locker = (*Locker)(nil)

// Open connects a small pool for locks to the database at url. Each held
// lock occupies one connection, so the pool is sized for a few at once.
func Open(ctx context.Context, url string) (*Locker, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open lock pool: %w", err)
	}
	if cfg.MaxConns > 8 {
		cfg.MaxConns = 8
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open lock pool: %w", err)
	}
	return &Locker{pool: pool, held: map[*lock]bool{}}, nil
}

// Close closes the pool, releasing every lock still held: their sessions
// end, as when the process dies.
func (l *Locker) Close() {
	l.mu.Lock()
	for k := range l.held {
		if k.conn != nil {
			k.conn.Hijack().Close(context.Background())
			k.conn = nil
		}
	}
	clear(l.held)
	l.mu.Unlock()
	l.pool.Close()
}

// KeyID maps a lock name to the 64-bit advisory lock key: the first 8 bytes
// of SHA-256 of "reportd:" + name, so names do not collide with other
// applications' numeric keys by accident.
func KeyID(key string) int64 {
	sum := sha256.Sum256([]byte("reportd:" + key))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// Lock takes the lock named key without waiting, or returns ErrHeld.
func (l *Locker) Lock(ctx context.Context, key string) (gocron.Lock, error) {
	conn, err := l.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("lock %q: %w", key, err)
	}
	id := KeyID(l.Namespace + key)
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", id).Scan(&ok); err != nil {
		// The session's state is unknown: do not return it to the pool.
		conn.Hijack().Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("lock %q: %w", key, err)
	}
	if !ok {
		conn.Release()
		return nil, fmt.Errorf("lock %q: %w", key, ErrHeld)
	}
	k := &lock{l: l, conn: conn, id: id, key: key}
	l.mu.Lock()
	l.held[k] = true
	l.mu.Unlock()
	return k, nil
}

type lock struct {
	l    *Locker
	conn *pgxpool.Conn
	id   int64
	key  string
}

// Unlock releases the lock. If the unlock cannot be confirmed, the
// connection is closed, which releases every lock of its session.
func (k *lock) Unlock(ctx context.Context) error {
	k.l.mu.Lock()
	conn := k.conn
	k.conn = nil
	delete(k.l.held, k)
	k.l.mu.Unlock()
	if conn == nil {
		return nil // released already, or by Close
	}
	var ok bool
	err := conn.QueryRow(ctx, "SELECT pg_advisory_unlock($1)", k.id).Scan(&ok)
	if err != nil || !ok {
		conn.Hijack().Close(context.WithoutCancel(ctx))
		if err == nil {
			err = errors.New("the session did not hold it")
		}
		return fmt.Errorf("unlock %q: %w", k.key, err)
	}
	conn.Release()
	return nil
}
