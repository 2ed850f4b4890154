package api

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rateWindow is the span Plain counts a key's requests in.
const rateWindow = time.Minute

// clock is the time source of rate limiting and 429 pauses. Production
// uses real time; tests and benchmarks substitute a fake or a scaled clock
// (one that runs Plain's minute in a second or two).
type clock interface {
	Now() time.Time
	// Sleep waits for d, or returns ctx's error when ctx ends first.
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time                                   { return time.Now() }
func (realClock) Sleep(ctx context.Context, d time.Duration) error { return sleep(ctx, d) }

// inFlight marks a window slot whose request has not completed yet.
var inFlight = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// limiter paces one API key's requests. It costs nothing below the key's
// limit: a request waits only when one of these rules says the key's
// minute is spent.
//
//   - The hard bound: every request takes one of perMinute slots, and a
//     slot is free again only a full rateWindow after its request
//     completed. Counting from completion (not from sending) covers any
//     network delay: a request Plain counts in some window was sent
//     before, and completed after, Plain saw it, so no window of Plain's
//     ever holds more than perMinute of them. Requests are not smoothed
//     below that bound: 24 creates are 5% of a 450/min key's minute and
//     go out as fast as the caller's parallelism sends them.
//   - Plain's own view: x-ratelimit-remaining and x-ratelimit-reset tell
//     how many requests the current window still allows. The limiter
//     spends that budget (minus requests still in flight, which Plain may
//     have counted already), spreads the last tail few over the time
//     left, and stops until the reset when it is gone. After a 429 every
//     request, including those already queued here, waits for the reset.
//
// Nil slots mean no client-side limit; Plain's headers and 429s are still
// obeyed.
type limiter struct {
	clock clock

	mu    sync.Mutex
	tail  int         // Plain's last tail requests of a window are spread over its rest
	slots []time.Time // completion time of the last len(slots) requests; zero = free

	pauseUntil time.Time // after a 429
	inflight   int
	lastGrant  time.Time

	// What Plain's headers said about its current window.
	budgetKnown bool
	budget      int       // requests we may still send before reset
	remaining   int       // lowest x-ratelimit-remaining seen for reset
	reset       time.Time // when Plain's window ends
}

// newLimiter paces to perMinute requests per rolling minute; perMinute < 1
// sets no client-side limit.
func newLimiter(perMinute int, c clock) *limiter {
	if c == nil {
		c = realClock{}
	}
	l := &limiter{clock: c}
	if perMinute >= 1 {
		l.tail = max(1, perMinute/30)
		l.slots = make([]time.Time, perMinute)
	}
	return l
}

// grant is the right to send one request; pass it back to finish.
type grant struct{ slot int }

// acquire blocks until one request may be sent, or ctx ends. It gives up
// at once, with an error matching ErrRateLimited, when Plain (a 429 or
// its remaining count) asks for a wait longer than maxPlainWait.
func (l *limiter) acquire(ctx context.Context, maxPlainWait time.Duration) (grant, error) {
	for {
		l.mu.Lock()
		g, wait, plainAsked := l.reserve(l.clock.Now())
		l.mu.Unlock()
		if wait <= 0 {
			return g, nil
		}
		if plainAsked && wait > maxPlainWait {
			return grant{}, fmt.Errorf("%w: Plain's rate-limit window for this key resets in %s, longer than the %s a request may wait", ErrRateLimited, roundDur(wait), roundDur(maxPlainWait))
		}
		// Re-check after the wait: a 429 or a header seen meanwhile may
		// have moved the goal posts.
		if err := l.clock.Sleep(ctx, wait); err != nil {
			return grant{}, err
		}
	}
}

// reserve grants a request at now, or says how long to wait before asking
// again (nothing is taken then) and whether Plain asked for that wait.
// Called with mu held.
func (l *limiter) reserve(now time.Time) (g grant, wait time.Duration, plainAsked bool) {
	if now.Before(l.pauseUntil) {
		return grant{}, l.pauseUntil.Sub(now), true
	}
	if l.budgetKnown && !now.Before(l.reset) {
		l.budgetKnown = false // Plain's window is over; the next answer tells the new one
	}
	if l.budgetKnown {
		if l.budget <= 0 {
			return grant{}, l.reset.Sub(now), true
		}
		// The last few requests of the window are spread over the time it
		// has left, rather than sent at once and then stopped.
		if l.budget <= l.tail && !l.lastGrant.IsZero() {
			next := l.lastGrant.Add(l.reset.Sub(now) / time.Duration(l.budget+1))
			if now.Before(next) {
				return grant{}, next.Sub(now), false
			}
		}
	}
	slot := -1
	if l.slots != nil {
		earliest := time.Duration(math.MaxInt64)
		for i, done := range l.slots {
			if done.IsZero() || !done.Add(rateWindow).After(now) {
				slot = i
				break
			}
			if done != inFlight {
				earliest = min(earliest, done.Add(rateWindow).Sub(now))
			}
		}
		if slot < 0 {
			// Every slot is taken. One still in flight frees no sooner
			// than a window from now.
			return grant{}, min(earliest, rateWindow), false
		}
	}
	if slot >= 0 {
		l.slots[slot] = inFlight
	}
	l.inflight++
	l.lastGrant = now
	if l.budgetKnown {
		l.budget--
	}
	return grant{slot: slot}, 0, false
}

// finish records that g's request completed with header h, and, when
// Plain refused it for the rate limit, that every request must wait until
// pauseUntil.
func (l *limiter) finish(g grant, h http.Header, rateLimited bool, pauseUntil time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if g.slot >= 0 && g.slot < len(l.slots) {
		l.slots[g.slot] = now
	}
	l.inflight--
	if rateLimited && pauseUntil.After(l.pauseUntil) {
		l.pauseUntil = pauseUntil
	}
	remaining, reset, ok := windowHeaders(h)
	if !ok || !reset.After(now) {
		return
	}
	switch {
	case !l.budgetKnown || reset.After(l.reset):
		// A new window (or the first answer): its count starts here.
		l.budgetKnown, l.reset, l.remaining = true, reset, remaining
	case reset.Equal(l.reset):
		// The lowest count is the freshest; a higher one is an answer that
		// was overtaken by a later request's, whose count includes it.
		l.remaining = min(l.remaining, remaining)
	default:
		return // an answer from a window that is over
	}
	// So every completed request is in l.remaining. Those still in flight
	// may not have been counted yet: assume they were not.
	l.budget = l.remaining - l.inflight
	if rateLimited {
		l.budget = 0
	}
}

// release gives back a grant whose request was never sent.
func (l *limiter) release(g grant) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if g.slot >= 0 && g.slot < len(l.slots) {
		l.slots[g.slot] = time.Time{}
	}
	l.inflight--
}

// windowHeaders reads x-ratelimit-remaining and x-ratelimit-reset.
func windowHeaders(h http.Header) (remaining int, reset time.Time, ok bool) {
	rv, tv := strings.TrimSpace(h.Get("X-Ratelimit-Remaining")), strings.TrimSpace(h.Get("X-Ratelimit-Reset"))
	if rv == "" || tv == "" {
		return 0, time.Time{}, false
	}
	remaining, err := strconv.Atoi(rv)
	if err != nil || remaining < 0 {
		return 0, time.Time{}, false
	}
	reset, err = time.Parse(time.RFC3339Nano, tv)
	if err != nil {
		return 0, time.Time{}, false
	}
	return remaining, reset, true
}
