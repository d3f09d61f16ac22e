package batch

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
)

// ErrHeld is returned by FileLocker.Lock when another process (or another
// lock in this one) holds the lock.
var ErrHeld = errors.New("lock is held")

// FileLocker implements gocron.Locker with flock(2) on a file per key in
// Dir, so that processes sharing a SQLite database on one host (a `batch
// run` next to `serve`, two services started by mistake) run a batch or a
// scheduled tick once. The kernel drops the lock when the process dies,
// as PostgreSQL does for advisory locks (pglock). Lock never waits.
type FileLocker struct {
	Dir string
}

func (l FileLocker) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(l.Dir, "lock-"+hex.EncodeToString(sum[:8]))
}
