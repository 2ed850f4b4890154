package deliver

import (
	"math/rand/v2"
	"time"

	"github.com/oklog/ulid/v2"
)

// ulidAt is a ULID (github.com/oklog/ulid/v2) for t with its 80 random
// bits from rng. Ids inside a generated payload come from a seeded rng so
// that every attempt of one event carries the same payload.
func ulidAt(t time.Time, rng *rand.Rand) string {
	id, err := ulid.New(ulid.Timestamp(t), rngReader{rng})
	if err != nil {
		// Only a time past the year 10889 fails; fall back to now.
		return ulid.Make().String()
	}
	return id.String()
}

// rngReader adapts a seeded math/rand/v2 source to io.Reader.
type rngReader struct{ rng *rand.Rand }

func (r rngReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r.rng.Uint32())
	}
	return len(p), nil
}

// NewID is the default id source: prefix (Plain's type prefix with its _,
// e.g. plain.AttemptIDPrefix) followed by a fresh ULID.
func NewID(prefix string) string { return prefix + ulid.Make().String() }
