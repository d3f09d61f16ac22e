//go:build !unix

package batch

import (
	"context"

	"github.com/go-co-op/gocron/v2"
)

// Lock always succeeds where flock(2) does not exist: only one process
// should then use a SQLite database.
func (l FileLocker) Lock(context.Context, string) (gocron.Lock, error) { return noLock{}, nil }

type noLock struct{}

func (noLock) Unlock(context.Context) error { return nil }
