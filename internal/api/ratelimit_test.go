package api

import (
	"context"
	"errors"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestLimiterReserve(t *testing.T) {
	tests := []struct {
		name      string
		perMinute int
		take      int           // reservations made back to back
		advance   time.Duration // then the clock moves
		wantLast  time.Duration // wait of one more reservation after advancing
	}{
		{name: "burst is free", perMinute: 60, take: 2, advance: 0, wantLast: time.Second},
		{name: "refill after a second", perMinute: 60, take: 3, advance: time.Second, wantLast: time.Second},
		{name: "450 per minute burst 15", perMinute: 450, take: 15, advance: 0, wantLast: 2 * time.Second / 15},
		{name: "queue grows", perMinute: 30, take: 2, advance: 0, wantLast: 4 * time.Second},
		{name: "refill is capped at burst", perMinute: 30, take: 0, advance: time.Hour, wantLast: 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &fakeClock{t: time.Unix(1000, 0)}
			l := newLimiter(tt.perMinute, clk.now)
			for range tt.take {
				l.reserve()
			}
			clk.advance(tt.advance)
			if tt.take == 0 {
				// Drain the (capped) bucket first.
				if d := l.reserve(); d != 0 {
					t.Fatalf("first reserve waited %v", d)
				}
			}
			got := l.reserve()
			if diff := got - tt.wantLast; diff < -time.Millisecond || diff > time.Millisecond {
				t.Fatalf("wait = %v, want %v", got, tt.wantLast)
			}
		})
	}
}

func TestLimiterWaitHonoursContext(t *testing.T) {
	l := newLimiter(1, nil) // one token, then a minute's wait
	if err := l.Wait(context.Background()); err != nil {
		t.Fatalf("first wait: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("wait with cancelled context = %v, want context.Canceled", err)
	}
	// The cancelled reservation was returned: the queue did not grow.
	if d := l.reserve(); d > 61*time.Second {
		t.Fatalf("cancelled reservation was not returned; next wait %v", d)
	}
}
