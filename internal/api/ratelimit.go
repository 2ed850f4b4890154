package api

import (
	"context"
	"sync"
	"time"
)

// limiter is a token bucket: tokens refill continuously at perMinute/60 per
// second up to burst. The burst is small so that, together with the refill,
// a minute never carries much more than the key's allowance even when Plain
// counts in fixed windows.
type limiter struct {
	mu     sync.Mutex
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
}

func newLimiter(perMinute int, now func() time.Time) *limiter {
	if now == nil {
		now = time.Now
	}
	burst := float64(perMinute) / 30
	if burst < 1 {
		burst = 1
	}
	return &limiter{rate: float64(perMinute) / 60, burst: burst, tokens: burst, last: now(), now: now}
}

// reserve takes one token and returns how long the caller must wait before
// using it. Tokens may go negative, which queues callers fairly in order.
func (l *limiter) reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if el := now.Sub(l.last).Seconds(); el > 0 {
		l.tokens += el * l.rate
		if l.tokens > l.burst {
			l.tokens = l.burst
		}
	}
	l.last = now
	l.tokens--
	if l.tokens >= 0 {
		return 0
	}
	return time.Duration(-l.tokens / l.rate * float64(time.Second))
}

// cancel gives back a token reserved by a caller that gave up waiting.
func (l *limiter) cancel() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tokens++
	if l.tokens > l.burst {
		l.tokens = l.burst
	}
}

// Wait blocks until the caller may send one request, or ctx ends.
func (l *limiter) Wait(ctx context.Context) error {
	d := l.reserve()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		l.cancel()
		return ctx.Err()
	}
}
