package api

import (
	"container/heap"
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock that only moves when told to; its Sleep moves it.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time { return c.t }
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.t = c.t.Add(d)
	return nil
}

// shiftedClock is real time moved by an offset, to share a mock's clock.
type shiftedClock struct{ offset time.Duration }

func (c shiftedClock) Now() time.Time                                   { return time.Now().Add(c.offset) }
func (c shiftedClock) Sleep(ctx context.Context, d time.Duration) error { return sleep(ctx, d) }

func windowHeader(remaining int, reset time.Time) http.Header {
	return http.Header{
		"X-Ratelimit-Remaining": {strconv.Itoa(remaining)},
		"X-Ratelimit-Reset":     {reset.UTC().Format(time.RFC3339Nano)},
	}
}

// simServer counts requests the way Plain does: per key, in fixed
// one-minute windows, at the moment a request arrives.
type simServer struct {
	limit   int // 0: unlimited, and no window headers
	windows map[time.Time]int
	limited map[time.Time]int // 429s per window
}

func (s *simServer) answer(at time.Time) (http.Header, bool) {
	start := at.Truncate(time.Minute)
	s.windows[start]++
	if s.limit == 0 {
		return http.Header{}, false
	}
	n := s.windows[start]
	if n > s.limit {
		s.limited[start]++
	}
	return windowHeader(max(0, s.limit-n), start.Add(time.Minute)), n > s.limit
}

type simEvent struct {
	at     time.Time
	seq    int
	worker int
	done   bool // the worker's request completes (else: it asks the limiter)
	g      grant
	h      http.Header
	rl     bool
}

type eventQueue []simEvent

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(simEvent)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

type simResult struct {
	sends   []time.Time
	server  *simServer
	elapsed time.Duration // first send to last send
}

// simulate runs n requests from workers concurrent callers through l, in
// virtual time, against srv. Each request reaches the server somewhere
// within its latency (jittered) and completes after it.
func simulate(t *testing.T, l *limiter, clk *fakeClock, srv *simServer, workers, n int, latency time.Duration) simResult {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	q := &eventQueue{}
	seq := 0
	push := func(e simEvent) { seq++; e.seq = seq; heap.Push(q, e) }
	started := 0
	for w := range min(workers, n) {
		started++
		push(simEvent{at: clk.t, worker: w})
	}
	var res simResult
	res.server = srv
	for q.Len() > 0 {
		e := heap.Pop(q).(simEvent)
		clk.t = e.at
		if e.done {
			var pause time.Time
			if e.rl {
				_, reset, _ := windowHeaders(e.h)
				pause = reset
			}
			l.finish(e.g, e.h, e.rl, pause)
			if e.rl {
				push(simEvent{at: clk.t, worker: e.worker}) // retried, like the transport does
				continue
			}
			if started < n {
				started++
				push(simEvent{at: clk.t, worker: e.worker})
			}
			continue
		}
		g, wait, _ := l.reserve(clk.t)
		if wait > 0 {
			push(simEvent{at: clk.t.Add(wait), worker: e.worker})
			continue
		}
		res.sends = append(res.sends, clk.t)
		lat := latency/2 + time.Duration(rng.Int64N(int64(latency)))
		h, rl := srv.answer(clk.t.Add(lat / 2))
		push(simEvent{at: clk.t.Add(lat), worker: e.worker, done: true, g: g, h: h, rl: rl})
	}
	if len(res.sends) < n {
		t.Fatalf("only %d of %d requests were sent", len(res.sends), n)
	}
	res.elapsed = res.sends[len(res.sends)-1].Sub(res.sends[0])
	return res
}

// maxInRollingWindow is the most sends in any span of length w.
func maxInRollingWindow(sends []time.Time, w time.Duration) int {
	s := append([]time.Time(nil), sends...)
	sort.Slice(s, func(i, j int) bool { return s[i].Before(s[j]) })
	best, j := 0, 0
	for i := range s {
		for !s[j].Add(w).After(s[i]) {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

func count429(srv *simServer) (total, windows int) {
	for _, n := range srv.limited {
		total += n
		windows++
	}
	return total, windows
}

func newSimLimiter(perMinute int) (*limiter, *fakeClock) {
	// Start mid-minute, as a real run would.
	clk := &fakeClock{t: time.Date(2026, 5, 6, 10, 0, 37, 0, time.UTC)}
	return newLimiter(perMinute, clk), clk
}

// 450/min with 16 workers: the window slots hold it to 450 in every
// rolling minute (so in every one of Plain's fixed windows) while keeping
// the rate, and Plain never answers 429 at the key's own limit.
func TestLimiterRollingWindowBound(t *testing.T) {
	for _, workers := range []int{1, 4, 16} {
		l, clk := newSimLimiter(450)
		srv := &simServer{limit: 450, windows: map[time.Time]int{}, limited: map[time.Time]int{}}
		res := simulate(t, l, clk, srv, workers, 1000, 100*time.Millisecond)
		if got := maxInRollingWindow(res.sends, time.Minute); got > 450 {
			t.Errorf("%d workers: %d requests in one rolling minute, want at most 450", workers, got)
		}
		if n, _ := count429(srv); n != 0 {
			t.Errorf("%d workers: %d × 429 at the server's own limit, want 0", workers, n)
		}
		perMin := float64(len(res.sends)-1) / res.elapsed.Minutes()
		t.Logf("%d workers: %d sends, max %d per rolling minute, %.1f/min", workers, len(res.sends), maxInRollingWindow(res.sends, time.Minute), perMin)
		if perMin < 0.95*450 {
			t.Errorf("%d workers: achieved %.1f requests/min, want at least 95%% of 450", workers, perMin)
		}
	}
}

// A long run at the key's own limit, from many workers with jittered
// latency over ten of Plain's windows: not one 429.
func TestLimiterNo429AtTheKeysLimitOverALongRun(t *testing.T) {
	l, clk := newSimLimiter(450)
	srv := &simServer{limit: 450, windows: map[time.Time]int{}, limited: map[time.Time]int{}}
	res := simulate(t, l, clk, srv, 32, 4500, 300*time.Millisecond)
	if n, w := count429(srv); n != 0 {
		t.Fatalf("%d × 429 in %d windows over %s at the key's own limit, want 0", n, w, res.elapsed)
	}
	if res.elapsed < 9*time.Minute {
		t.Fatalf("4,500 requests in %s: more than 450 a minute went out", res.elapsed)
	}
}

// Without the slots the same run breaks the bound: the rolling-window
// tests above can fail.
func TestWithoutSlotsTheWindowIsExceeded(t *testing.T) {
	l, clk := newSimLimiter(450)
	l.slots = nil
	srv := &simServer{windows: map[time.Time]int{}, limited: map[time.Time]int{}}
	res := simulate(t, l, clk, srv, 4, 1000, 100*time.Millisecond)
	if got := maxInRollingWindow(res.sends, time.Minute); got <= 450 {
		t.Fatalf("no slots: %d in a rolling minute; expected it to exceed 450", got)
	}
}

// Below the key's limit the limiter costs nothing: 24 requests asked for
// at one instant (an apply at --parallelism 24) all go at once, and so do
// the next 24 once they complete, until the minute's 450 are spent.
func TestLimiterCostsNothingBelowTheLimit(t *testing.T) {
	l, clk := newSimLimiter(450)
	sent := 0
	for round := 0; sent < 450; round++ {
		var gs []grant
		for range min(24, 450-sent) {
			g, wait, _ := l.reserve(clk.t)
			if wait != 0 {
				t.Fatalf("round %d: request %d of the minute waited %s below the limit", round, sent+1, wait)
			}
			gs = append(gs, g)
			sent++
		}
		clk.t = clk.t.Add(100 * time.Millisecond)
		for _, g := range gs {
			l.finish(g, nil, false, time.Time{})
		}
	}
	if _, wait, _ := l.reserve(clk.t); wait <= 0 {
		t.Fatalf("request 451 of the minute was granted at once")
	}
}

// A key whose real limit is below --rate-limit: Plain's remaining count
// stops the client before the limit, so a window boundary costs no 429
// (the goal allows one).
func TestLimiterFollowsALowerServerLimit(t *testing.T) {
	for _, workers := range []int{1, 8} {
		l, clk := newSimLimiter(450)
		srv := &simServer{limit: 200, windows: map[time.Time]int{}, limited: map[time.Time]int{}}
		res := simulate(t, l, clk, srv, workers, 1000, 100*time.Millisecond)
		total, windows := count429(srv)
		if total > windows || total > 1+int(res.elapsed/time.Minute) {
			t.Errorf("%d workers: %d × 429 in %d windows over %s, want at most one per boundary", workers, total, windows, res.elapsed)
		}
		perMin := float64(len(res.sends)-1) / res.elapsed.Minutes()
		t.Logf("%d workers: %d sends, %d × 429, %.1f/min against 200/min", workers, len(res.sends), total, perMin)
		if perMin < 0.9*200 {
			t.Errorf("%d workers: achieved %.1f requests/min against a 200/min server", workers, perMin)
		}
	}
}

// After a 429 every request waits for the reset, including those already
// queued in the limiter when it came.
func TestLimiterPausesEveryoneAfter429(t *testing.T) {
	l, clk := newSimLimiter(-1)
	g, wait, _ := l.reserve(clk.t)
	if wait != 0 {
		t.Fatalf("unlimited limiter waited %s", wait)
	}
	reset := clk.t.Add(20 * time.Second)
	l.finish(g, windowHeader(0, reset), true, reset)
	for range 3 {
		if _, wait, _ := l.reserve(clk.t); wait != 20*time.Second {
			t.Fatalf("after a 429: wait %s, want 20s", wait)
		}
	}
	clk.t = reset
	if _, wait, _ := l.reserve(clk.t); wait != 0 {
		t.Fatalf("after the reset: wait %s", wait)
	}
}

// x-ratelimit-remaining is spent, requests in flight counted against it,
// the last few are spread out, and none is sent once it is gone.
func TestLimiterSpendsPlainsRemaining(t *testing.T) {
	l, clk := newSimLimiter(450)
	reset := clk.t.Add(30 * time.Second)
	a, _, _ := l.reserve(clk.t)
	b, _, _ := l.reserve(clk.t) // still in flight when a's answer comes
	l.finish(a, windowHeader(3, reset), false, time.Time{})
	if l.budget != 2 {
		t.Fatalf("budget %d, want remaining 3 minus 1 in flight", l.budget)
	}
	// An older answer overtaking a newer one changes nothing.
	l.finish(b, windowHeader(5, reset), false, time.Time{})
	if l.budget != 3 || l.remaining != 3 {
		t.Fatalf("budget %d remaining %d after a stale answer", l.budget, l.remaining)
	}
	var sends []time.Time
	for {
		g, wait, _ := l.reserve(clk.t)
		if wait > 0 {
			clk.t = clk.t.Add(wait)
			if !clk.t.Before(reset) {
				break
			}
			continue
		}
		sends = append(sends, clk.t)
		l.finish(g, nil, false, time.Time{})
	}
	if len(sends) != 3 {
		t.Fatalf("sent %d before the reset, want the 3 remaining", len(sends))
	}
	if gap := sends[2].Sub(sends[1]); gap < 5*time.Second {
		t.Errorf("the last requests of the window were not spread out: %v", sends)
	}
}

func TestLimiterAcquireHonoursContext(t *testing.T) {
	l := newLimiter(1, nil) // one request, then a minute's wait
	g, err := l.acquire(context.Background(), time.Minute)
	if err != nil {
		t.Fatalf("first acquire: %v", err)
	}
	l.finish(g, nil, false, time.Time{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.acquire(ctx, time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("acquire with cancelled context = %v, want context.Canceled", err)
	}
}

// A request that never reached Plain gives its window slot back.
func TestLimiterReleaseFreesTheSlot(t *testing.T) {
	l, clk := newSimLimiter(1)
	g, _, _ := l.reserve(clk.t)
	l.release(g)
	clk.t = clk.t.Add(time.Second) // a used slot would hold for a minute
	if _, wait, _ := l.reserve(clk.t); wait != 0 {
		t.Fatalf("released slot still taken: wait %s", wait)
	}
}

// Over HTTP: requests queued in the limiter when a 429 arrives wait for
// its reset too, so the 429 is the only one (the old transport checked the
// pause before the limiter, and every queued request collected its own).
// Both sides share a clock running 60 times faster than real time, so
// that the key's 2 slots a minute queue two of four requests for a
// real second.
func TestQueuedRequestsWaitOutA429(t *testing.T) {
	now := time.Now()
	clk := &scaledClock{start: now, base: now, k: 60}
	var mu sync.Mutex
	var reset time.Time
	var after []time.Time // arrivals after the 429 was answered
	fs := newFakeServer(t, func(n int, _ gqlRequest, w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if n == 1 {
			reset = clk.Now().Add(72 * time.Second) // 1.2 s real
			w.Header().Set("x-ratelimit-remaining", "0")
			w.Header().Set("x-ratelimit-reset", reset.UTC().Format(time.RFC3339Nano))
			writeJSON(w, 429, gqlErrors(CodeRateLimited, "Too Many Requests - Rate limit exceeded"))
			return
		}
		after = append(after, clk.Now())
		writeJSON(w, 200, workspaceData)
	})
	o := fastOptions(fs.URL)
	o.RateLimit = 2 // two go at once, two queue for a slot
	o.MaxRateLimitWait = 10 * time.Minute
	c := newClient(t, o)
	c.tr.clock = clk
	c.tr.limiter.clock = clk
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = c.Workspace(context.Background()) }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if fs.hits() != 5 {
		t.Errorf("server saw %d requests, want 5 (one 429, its retry, three more)", fs.hits())
	}
	// One request may have been answered before the 429 (it left with
	// the first); every later one waited for the reset.
	early := 0
	for _, at := range after {
		if at.Before(reset) {
			early++
		}
	}
	for _, at := range after[min(early, 1):] {
		if at.Before(reset) {
			t.Errorf("a request arrived %s before the 429's reset", reset.Sub(at))
		}
	}
}
