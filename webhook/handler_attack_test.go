package webhook

import (
	"bytes"
	"errors"
	"testing"
)

// ATTACK: an attempt timestamp more than ~292 years ahead overflows time.Time.Sub (saturates to the minimum Duration, whose negation is still negative), so the future-timestamp check passes and a signed far-future delivery stays replayable forever.
func TestAttackFarFutureAttemptTimestampRefused(t *testing.T) {
	body := fixture(t, "2026-02-27")
	at := []byte(fixtureAttemptAt.UTC().Format("2006-01-02T15:04:05.000Z"))
	if !bytes.Contains(body, at) {
		t.Fatalf("fixture does not hold the attempt timestamp %s", at)
	}
	for _, ts := range []string{"9999-12-31T23:59:59.999Z", "2400-01-01T00:00:00.000Z"} {
		future := bytes.Replace(body, at, []byte(ts), 1)
		rec := newRecorder(t)
		code, _ := rec.post(future)
		if code != 401 || len(rec.calls) != 0 {
			t.Errorf("attempt at %s: answered %d and called fn %d time(s); want 401 (timestamp in the future) and no call", ts, code, len(rec.calls))
		}
		if len(rec.outcomes) == 1 && !errors.Is(rec.outcomes[0].Err, ErrTimestampInFuture) {
			t.Errorf("attempt at %s: outcome error %v, want ErrTimestampInFuture", ts, rec.outcomes[0].Err)
		}
	}
}
