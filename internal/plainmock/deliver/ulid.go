package deliver

import (
	crand "crypto/rand"
	"math/rand/v2"
	"time"
)

// crockford is the ULID alphabet (Crockford base32: no I, L, O or U), the
// one Plain's id pattern allows after the prefix.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// ulidAt is a ULID for t with its 80 random bits from rng (nil:
// crypto/rand). Ids inside a generated payload come from a seeded rng so
// that every attempt of one event carries the same payload.
func ulidAt(t time.Time, rng *rand.Rand) string {
	var raw [16]byte
	ms := uint64(t.UnixMilli())
	for i := 0; i < 6; i++ {
		raw[i] = byte(ms >> (40 - 8*i))
	}
	if rng != nil {
		for i := 6; i < 16; i++ {
			raw[i] = byte(rng.Uint32())
		}
	} else {
		_, _ = crand.Read(raw[6:]) // never fails on supported platforms
	}
	// 128 bits as 26 base32 digits, most significant first (the first
	// digit carries 3 bits).
	var out [26]byte
	var acc uint64
	bits := 0
	j := 25
	for i := 15; i >= 0; i-- {
		acc |= uint64(raw[i]) << bits
		bits += 8
		for bits >= 5 && j >= 0 {
			out[j] = crockford[acc&31]
			acc >>= 5
			bits -= 5
			j--
		}
	}
	if j >= 0 {
		out[j] = crockford[acc&31]
	}
	return string(out[:])
}

// NewID is the default id source: prefix + "_" + a fresh ULID.
func NewID(prefix string) string { return prefix + "_" + ulidAt(time.Now(), nil) }
