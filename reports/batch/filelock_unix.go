//go:build unix

package batch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/go-co-op/gocron/v2"
)

// Lock takes the lock named key, or returns ErrHeld at once.
func (l FileLocker) Lock(ctx context.Context, key string) (gocron.Lock, error) {
	if err := os.MkdirAll(l.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("lock %q: %w", key, err)
	}
	f, err := os.OpenFile(l.path(key), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %q: %w", key, err)
	}
	// flock locks belong to the open file: a second open in this process
	// conflicts too.
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("lock %q: %w", key, ErrHeld)
		}
		return nil, fmt.Errorf("lock %q: %w", key, err)
	}
	return fileLock{f}, nil
}

type fileLock struct{ f *os.File }

// Unlock releases the lock; closing the file releases it in any case.
func (k fileLock) Unlock(context.Context) error {
	syscall.Flock(int(k.f.Fd()), syscall.LOCK_UN)
	return k.f.Close()
}
