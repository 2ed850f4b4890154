package plainmock

import (
	"crypto/rand"
	"io"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// ulidSource mints the mock's ids the way Plain's look: a type prefix
// (plain.TargetIDPrefix, AttemptIDPrefix or EventIDPrefix), _, and a ULID.
// The ULIDs come from github.com/oklog/ulid/v2 in its monotonic mode: within
// one millisecond each is the previous one plus a random increment, so ids
// sort in creation order. Plain's target ids are time-ordered like this,
// and the mock's pagination tie-break on id relies on it.
type ulidSource struct {
	mu      sync.Mutex
	entropy *ulid.MonotonicEntropy
	lastMS  uint64
}

// newULIDSource draws the random parts from r; nil means crypto/rand. The
// server passes a seeded reader so that a fixed clock and seed give fixed
// ids.
func newULIDSource(r io.Reader) *ulidSource {
	if r == nil {
		r = rand.Reader
	}
	return &ulidSource{entropy: ulid.Monotonic(r, 0)}
}

// id is prefix followed by a fresh ULID for now.
func (u *ulidSource) id(prefix string, now time.Time) string {
	return prefix + u.next(now)
}

func (u *ulidSource) next(now time.Time) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	ms := ulid.Timestamp(now)
	if ms < u.lastMS {
		// A clock that stepped back (a test clock): stay on the last
		// millisecond, where the monotonic entropy keeps counting up.
		ms = u.lastMS
	}
	id, err := ulid.New(ms, u.entropy)
	if err != nil {
		// The random part overflowed within one millisecond (2^48 ids at
		// the least): move on a millisecond, which keeps the order.
		ms++
		if id, err = ulid.New(ms, u.entropy); err != nil {
			id = ulid.Make()
		}
	}
	u.lastMS = ms
	return id.String()
}

// randReader adapts a seeded math/rand/v2 source to the io.Reader the ULID
// library draws entropy from.
type randReader struct{ next func() uint32 }

func (r randReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r.next())
	}
	return len(p), nil
}
