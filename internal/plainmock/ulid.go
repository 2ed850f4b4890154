package plainmock

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"
)

// crockford is the Crockford base32 alphabet ULIDs use: no I, L, O or U, so
// ids survive being read aloud or retyped.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// ulidSource produces ULIDs that sort in creation order even within one
// millisecond: when the clock has not moved on it increments the previous
// random part instead of drawing a new one (the ULID spec's monotonic mode).
// Plain's target ids are time-ordered like this, and the mock's pagination
// tie-break on id relies on it.
type ulidSource struct {
	// fill supplies the random part; nil means crypto/rand. The server
	// passes a seeded source so that a fixed clock and seed give fixed ids.
	fill   func([]byte)
	mu     sync.Mutex
	lastMS uint64
	hi     uint16 // top 16 bits of the 80-bit random part
	lo     uint64 // low 64 bits
}

func (u *ulidSource) next(now time.Time) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	ms := uint64(now.UnixMilli())
	if ms <= u.lastMS && u.lastMS != 0 {
		// Same (or an earlier, e.g. a test clock) millisecond: stay on the
		// last timestamp and bump the random part so order is preserved.
		ms = u.lastMS
		u.lo++
		if u.lo == 0 {
			u.hi++
		}
	} else {
		var b [10]byte
		if u.fill != nil {
			u.fill(b[:])
		} else if _, err := rand.Read(b[:]); err != nil {
			// crypto/rand does not fail on supported platforms; fall back to
			// the clock so ids stay unique rather than panicking.
			binary.BigEndian.PutUint64(b[2:], uint64(now.UnixNano()))
		}
		u.hi = binary.BigEndian.Uint16(b[:2])
		u.lo = binary.BigEndian.Uint64(b[2:])
		u.lastMS = ms
	}
	return encodeULID(ms, u.hi, u.lo)
}

// encodeULID writes 48 bits of milliseconds and 80 random bits as 26
// base32 characters (the first character carries only 3 bits).
func encodeULID(ms uint64, hi uint16, lo uint64) string {
	var raw [16]byte
	raw[0] = byte(ms >> 40)
	raw[1] = byte(ms >> 32)
	raw[2] = byte(ms >> 24)
	raw[3] = byte(ms >> 16)
	raw[4] = byte(ms >> 8)
	raw[5] = byte(ms)
	binary.BigEndian.PutUint16(raw[6:8], hi)
	binary.BigEndian.PutUint64(raw[8:16], lo)

	// Treat the 128 bits as a big number and emit 5 bits at a time from
	// the top; 26*5 = 130, so the first symbol holds the 2 padding zeros.
	out := make([]byte, 26)
	var acc uint64
	var bits uint
	idx := 25
	for i := 15; i >= 0; i-- {
		acc |= uint64(raw[i]) << bits
		bits += 8
		for bits >= 5 {
			out[idx] = crockford[acc&31]
			idx--
			acc >>= 5
			bits -= 5
		}
	}
	for idx >= 0 {
		out[idx] = crockford[acc&31]
		acc >>= 5
		idx--
	}
	return string(out)
}

// decodeULIDTime returns the millisecond timestamp of a ULID, for tests and
// sanity checks; ok is false when s is not 26 Crockford characters.
func decodeULIDTime(s string) (ms uint64, ok bool) {
	if len(s) != 26 {
		return 0, false
	}
	var v uint64
	for i := 0; i < 10; i++ {
		c := indexCrockford(s[i])
		if c < 0 {
			return 0, false
		}
		v = v<<5 | uint64(c)
	}
	// 10 symbols = 50 bits: the 2 padding zeros of the 130-bit encoding
	// followed by the 48-bit timestamp.
	if v>>48 != 0 {
		return 0, false
	}
	return v, true
}

func indexCrockford(c byte) int {
	for i := 0; i < len(crockford); i++ {
		if crockford[i] == c {
			return i
		}
	}
	return -1
}
