package webhook

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// An attempt timestamp centuries away is refused like any other outside
// the tolerance: the handler compares times rather than subtracting them,
// since Time.Sub saturates past ~292 years (and the negation of the
// minimum Duration is still negative), which would let a signed
// far-future delivery stay replayable forever.
func TestFarAwayAttemptTimestampRefused(t *testing.T) {
	body := fixture(t, "2026-02-27")
	at := []byte(fixtureAttemptAt.UTC().Format("2006-01-02T15:04:05.000Z"))
	if !bytes.Contains(body, at) {
		t.Fatalf("fixture does not hold the attempt timestamp %s", at)
	}
	for _, tc := range []struct {
		ts   string
		opts []Option
		want error
	}{
		{"9999-12-31T23:59:59.999Z", nil, ErrTimestampInFuture},
		{"2400-01-01T00:00:00.000Z", nil, ErrTimestampInFuture},
		// The largest tolerance reaches only to 2318.
		{"9999-12-31T23:59:59.999Z", []Option{WithTolerance(math.MaxInt64)}, ErrTimestampInFuture},
		{"0001-01-01T00:00:00.000Z", nil, ErrTimestampTooOld},
		{"1700-01-01T00:00:00.000Z", nil, ErrTimestampTooOld},
	} {
		future := bytes.Replace(body, at, []byte(tc.ts), 1)
		rec := newRecorder(t, tc.opts...)
		code, _ := rec.post(future)
		if code != 401 || len(rec.calls) != 0 {
			t.Errorf("attempt at %s: answered %d and called fn %d time(s); want 401 and no call", tc.ts, code, len(rec.calls))
		}
		if len(rec.outcomes) != 1 {
			t.Fatalf("attempt at %s: %d outcomes, want 1", tc.ts, len(rec.outcomes))
		}
		err := rec.outcomes[0].Err
		if !errors.Is(err, tc.want) {
			t.Errorf("attempt at %s: outcome error %v, want %v", tc.ts, err, tc.want)
		}
		// The error says how far off the timestamp is without a
		// saturated Duration's nonsense.
		if err != nil && !strings.Contains(err.Error(), "over 290 years") {
			t.Errorf("attempt at %s: error %q does not say it is over 290 years off", tc.ts, err)
		}
	}
}

// distance prints a representable difference as a rounded Duration.
func TestDistance(t *testing.T) {
	a := time.Date(2026, 5, 11, 9, 30, 0, 0, time.UTC)
	if got := distance(a.Add(90*time.Minute+400*time.Millisecond), a); got != "1h30m0s" {
		t.Errorf("distance = %q, want 1h30m0s", got)
	}
}
