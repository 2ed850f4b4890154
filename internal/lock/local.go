package lock

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrTimeout is wrapped by the error of a lock or lease not acquired
// within the timeout.
var ErrTimeout = errors.New("timed out waiting for the workspace lock")

// LocalPath is the lock file for a workspace reached through endpoint,
// under dir (the user cache directory, or the temporary directory).
func LocalPath(dir, endpoint, workspaceID string) string {
	sum := sha256.Sum256([]byte(endpoint + "\n" + workspaceID))
	return filepath.Join(dir, "plainsync", "locks", hex.EncodeToString(sum[:12])+".lock")
}

// Local holds an exclusive lock on a file; Unlock releases it. The
// operating system releases it too when the process dies, so a killed run
// never leaves a stale local lock.
type Local struct {
	f *os.File
}

// AcquireLocal takes the exclusive lock on path, polling until it is free,
// ctx is done or timeout has passed. The file is created (0600) if needed.
func AcquireLocal(ctx context.Context, path string, timeout time.Duration, poll time.Duration) (*Local, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("local lock: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("local lock: %w", err)
	}
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	deadline := time.Now().Add(timeout)
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("local lock %s: %w", path, err)
		}
		if ok {
			return &Local{f: f}, nil
		}
		if !time.Now().Before(deadline) {
			f.Close()
			return nil, fmt.Errorf("%w: another plainsync on this machine holds %s (waited %s; raise --lock-timeout to wait longer)", ErrTimeout, path, timeout)
		}
		t := time.NewTimer(min(poll, time.Until(deadline)))
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, fmt.Errorf("waiting for the local lock: %w", context.Cause(ctx))
		case <-t.C:
		}
	}
}

// Unlock releases the lock.
func (l *Local) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
