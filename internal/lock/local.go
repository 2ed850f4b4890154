package lock

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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
//
// The file records its holds: each holder writes when it took the lock
// and, in Unlock, when it let it go. The next holder reads that record
// (Unchanged) to learn whether any run on this machine held the lock
// after it read the workspace; a holder killed before Unlock leaves no
// release time, which counts as "held since".
type Local struct {
	f *os.File
	// created: this run created the file, so before it nobody held it.
	created bool
	// prev is the record the previous holder left; held is when this
	// one took the lock.
	prev holdRecord
	held time.Time
}

// holdRecord is one line of a lock file: when its holder took the lock
// and, once it let it go, when.
type holdRecord struct {
	held, released time.Time
}

// recordPrefix starts a lock file's record.
const recordPrefix = "plainsync-lock v1"

func (r holdRecord) String() string {
	s := recordPrefix + " held=" + r.held.UTC().Format(time.RFC3339Nano)
	if !r.released.IsZero() {
		s += " released=" + r.released.UTC().Format(time.RFC3339Nano)
	}
	return s + "\n"
}

// parseRecord reads a lock file's record; ok is false for anything else
// (an empty file, one an older plainsync created, garbage).
func parseRecord(b []byte) (r holdRecord, ok bool) {
	fs := strings.Fields(string(b))
	if len(fs) < 3 || fs[0]+" "+fs[1] != recordPrefix {
		return holdRecord{}, false
	}
	for _, f := range fs[2:] {
		k, v, _ := strings.Cut(f, "=")
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return holdRecord{}, false
		}
		switch k {
		case "held":
			r.held = t
		case "released":
			r.released = t
		default:
			return holdRecord{}, false
		}
	}
	return r, !r.held.IsZero()
}

// AcquireLocal takes the exclusive lock on path, polling until it is free,
// ctx is done or timeout has passed. The file is created (0600) if needed.
func AcquireLocal(ctx context.Context, path string, timeout time.Duration, poll time.Duration) (*Local, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("local lock: %w", err)
	}
	created := true
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		created = false
		f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	}
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
			l := &Local{f: f, created: created}
			l.record()
			return l, nil
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

// record reads the previous holder's record and writes this one's. A
// failure to read or write only makes Unchanged say false.
func (l *Local) record() {
	var buf [256]byte
	n, _ := l.f.ReadAt(buf[:], 0)
	prev, ok := parseRecord(buf[:n])
	switch {
	case ok:
		l.prev = prev
	case n > 0:
		l.created = false // something was there: not a fresh file
	}
	l.held = time.Now()
	l.write(holdRecord{held: l.held})
}

// write replaces the file's record.
func (l *Local) write(r holdRecord) {
	if err := l.f.Truncate(0); err != nil {
		return
	}
	_, _ = l.f.WriteAt([]byte(r.String()), 0)
}

// MaxSnapshotAge bounds Unchanged: a workspace read longer ago than this
// is read again whatever the lock file says, since runs on other machines
// (which the local lock does not see) or people may have changed it.
const MaxSnapshotAge = time.Minute

// clockMargin is how far before readAt the previous holder must have let
// go, against small steps of the system clock between two runs.
const clockMargin = 2 * time.Second

// Unchanged reports whether no run on this machine can have held this
// lock since readAt (when the caller started reading the workspace it
// planned against), so that nothing applied under it since: the previous
// holder let it go clockMargin before readAt, or nobody ever held it
// (this run created the file). It is false when it cannot tell: readAt
// is zero, in the future or more than MaxSnapshotAge ago, the previous
// holder never let go (it was killed), the file has no record (an older
// plainsync), or the platform has no exclusive file lock.
func (l *Local) Unchanged(readAt time.Time) bool {
	if l == nil || l.f == nil || !exclusive || readAt.IsZero() {
		return false
	}
	now := time.Now()
	if readAt.After(now) || now.Sub(readAt) > MaxSnapshotAge {
		return false
	}
	if l.created && l.prev.held.IsZero() {
		return true
	}
	return !l.prev.released.IsZero() && l.prev.released.Add(clockMargin).Before(readAt)
}

// Unlock records the release and releases the lock.
func (l *Local) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.write(holdRecord{held: l.held, released: time.Now()})
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
