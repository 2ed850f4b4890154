package apply

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// fault is what the fake does to one mutation call instead of (or besides)
// applying it normally.
type fault int

const (
	// faultErr fails the call without applying it (a definite failure).
	faultErr fault = iota + 1
	// faultDrop applies the call, then reports an unknown outcome: the
	// response was lost after Plain committed.
	faultDrop
	// faultLost reports an unknown outcome without applying the call.
	faultLost
	// faultLate reports an unknown outcome, and the create becomes visible
	// only after lateReads more reads of live state: Plain answered 504
	// and committed the request later.
	faultLate
)

// fakeClock is a clock that only moves when the fake client says so, so
// that elapsed times in tests are exact.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// span is when (in the fake's own sequence numbers) one mutation started
// and finished.
type span struct{ start, end int }

// fakeClient is an in-memory Plain that records every call. Mutations are
// keyed for fault injection as "create:<description>", "update:<id>" and
// "delete:<id>"; each call takes the next fault queued for its key.
type fakeClient struct {
	mu      sync.Mutex
	cond    *sync.Cond
	targets []plain.Target
	nextID  int
	calls   []string
	faults  map[string][]fault
	// errText is the message of faultErr errors, per key; it defaults to
	// a message that quotes the input, as real APIs often do.
	errText map[string]string
	listErr error
	// late are creates committed late (faultLate), each with the reads
	// left before it becomes visible.
	late      []lateTarget
	lateReads int

	// hook runs at the start of every mutation, outside the lock.
	hook func(ctx context.Context, op string)
	// clock, when set, advances by cost during every mutation.
	clock *fakeClock
	cost  time.Duration

	// barrier > 0 holds every mutation until barrier calls of the same
	// operation are in flight together (or every expected call of that
	// operation has started), which proves the executor reaches that
	// parallelism.
	barrier  int
	expect   map[string]int
	started  map[string]int
	inFlight int
	maxIn    int
	broken   bool // the barrier gave up waiting
	seq      int
	spans    map[string][]span
}

func newFake(targets ...plain.Target) *fakeClient {
	f := &fakeClient{
		targets: slices.Clone(targets),
		nextID:  100,
		faults:  map[string][]fault{},
		errText: map[string]string{},
		expect:  map[string]int{},
		started: map[string]int{},
		spans:   map[string][]span{},
	}
	f.cond = sync.NewCond(&f.mu)
	return f
}

func (f *fakeClient) inject(key string, fs ...fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[key] = append(f.faults[key], fs...)
}

// begin records the start of a mutation, waits at the barrier and returns
// the fault to apply and the span index.
func (f *fakeClient) begin(ctx context.Context, op, key, call string) (fault, int) {
	if f.hook != nil {
		f.hook(ctx, op)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
	f.seq++
	f.spans[op] = append(f.spans[op], span{start: f.seq})
	idx := len(f.spans[op]) - 1
	f.started[op]++
	f.inFlight++
	f.maxIn = max(f.maxIn, f.inFlight)
	f.cond.Broadcast()
	if f.barrier > 0 {
		// The timer only keeps a broken executor from hanging the test
		// run; the test then fails on f.broken, not on any duration.
		deadline := time.AfterFunc(30*time.Second, func() {
			f.mu.Lock()
			f.broken = true
			f.cond.Broadcast()
			f.mu.Unlock()
		})
		for f.inFlight < f.barrier && f.started[op] < f.expect[op] && !f.broken {
			f.cond.Wait()
		}
		deadline.Stop()
	} else {
		// Give other goroutines a chance to pile in, so that a missing
		// bound would show up in maxIn.
		f.mu.Unlock()
		runtime.Gosched()
		f.mu.Lock()
	}
	var flt fault
	if q := f.faults[key]; len(q) > 0 {
		flt, f.faults[key] = q[0], q[1:]
	}
	if f.clock != nil {
		f.clock.advance(f.cost)
	}
	return flt, idx
}

func (f *fakeClient) end(op string, idx int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inFlight--
	f.seq++
	f.spans[op][idx].end = f.seq
}

func (f *fakeClient) failure(key, def string) error {
	if t, ok := f.errText[key]; ok {
		return errors.New(t)
	}
	return errors.New(def)
}

var errUnknown = fmt.Errorf("request timed out after sending: %w", plain.ErrOutcomeUnknown)

func (f *fakeClient) CreateWebhookTarget(ctx context.Context, in plain.CreateInput) (plain.Target, error) {
	key := "create:" + in.Description
	flt, idx := f.begin(ctx, "create", key, key)
	defer f.end("create", idx)
	f.mu.Lock()
	defer f.mu.Unlock()
	if flt == faultErr {
		return plain.Target{}, f.failure(key, fmt.Sprintf("VALIDATION: url %q is not reachable", in.URL))
	}
	if flt == faultLost {
		return plain.Target{}, errUnknown
	}
	f.nextID++
	t := plain.Target{
		ID:          fmt.Sprintf("whTarget_%026d", f.nextID),
		URL:         in.URL,
		Description: in.Description,
		EventTypes:  plain.SortedUnique(in.EventTypes),
		Version:     in.Version,
		Enabled:     in.Enabled,
	}
	if flt == faultLate {
		f.late = append(f.late, lateTarget{t: t, reads: f.lateReads})
		return plain.Target{}, errUnknown
	}
	f.targets = append(f.targets, t)
	if flt == faultDrop {
		return plain.Target{}, errUnknown
	}
	return t, nil
}

type lateTarget struct {
	t     plain.Target
	reads int
}

func (f *fakeClient) UpdateWebhookTarget(ctx context.Context, in plain.UpdateInput) (plain.Target, error) {
	key := "update:" + in.ID
	flt, idx := f.begin(ctx, "update", key, key)
	defer f.end("update", idx)
	f.mu.Lock()
	defer f.mu.Unlock()
	if flt == faultErr {
		url := ""
		if in.URL != nil {
			url = *in.URL
		}
		return plain.Target{}, f.failure(key, fmt.Sprintf("VALIDATION: url %q is not reachable", url))
	}
	if flt == faultLost {
		return plain.Target{}, errUnknown
	}
	i := slices.IndexFunc(f.targets, func(t plain.Target) bool { return t.ID == in.ID })
	if i < 0 {
		return plain.Target{}, fmt.Errorf("webhook target %s not found", in.ID)
	}
	t := &f.targets[i]
	if in.URL != nil {
		t.URL = *in.URL
	}
	if in.Description != nil {
		t.Description = *in.Description
	}
	if in.EventTypes != nil {
		t.EventTypes = plain.SortedUnique(in.EventTypes)
	}
	if in.Version != nil {
		t.Version = *in.Version
	}
	if in.Enabled != nil {
		t.Enabled = *in.Enabled
	}
	if flt == faultDrop {
		return plain.Target{}, errUnknown
	}
	return *t, nil
}

func (f *fakeClient) DeleteWebhookTarget(ctx context.Context, id string) error {
	key := "delete:" + id
	flt, idx := f.begin(ctx, "delete", key, key)
	defer f.end("delete", idx)
	f.mu.Lock()
	defer f.mu.Unlock()
	if flt == faultErr {
		return f.failure(key, "FORBIDDEN: cannot delete "+id)
	}
	if flt == faultLost {
		return errUnknown
	}
	i := slices.IndexFunc(f.targets, func(t plain.Target) bool { return t.ID == id })
	if i < 0 {
		return fmt.Errorf("webhook target %s not found", id)
	}
	f.targets = slices.Delete(f.targets, i, i+1)
	if flt == faultDrop {
		return errUnknown
	}
	return nil
}

func (f *fakeClient) ListWebhookTargets(ctx context.Context) ([]plain.Target, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "list")
	pending := f.late[:0]
	for _, l := range f.late {
		if l.reads--; l.reads < 0 {
			f.targets = append(f.targets, l.t)
		} else {
			pending = append(pending, l)
		}
	}
	f.late = pending
	if f.listErr != nil {
		return nil, f.listErr
	}
	return slices.Clone(f.targets), nil
}

// count returns how many recorded calls equal call.
func (f *fakeClient) count(call string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == call {
			n++
		}
	}
	return n
}

// countOp returns how many mutations of op (create, update, delete)
// were sent.
func (f *fakeClient) countOp(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.started[op]
}

func (f *fakeClient) live() []plain.Target {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.targets)
}

// TestFakeClientAppliesMutations checks the fake itself, so that the
// executor's tests stand on a fake that behaves like Plain.
func TestFakeClientAppliesMutations(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	created, err := f.CreateWebhookTarget(ctx, plain.CreateInput{URL: "https://a", Description: "a", EventTypes: []string{"b", "a"}})
	if err != nil {
		t.Fatal(err)
	}
	url := "https://b"
	if _, err := f.UpdateWebhookTarget(ctx, plain.UpdateInput{ID: created.ID, URL: &url}); err != nil {
		t.Fatal(err)
	}
	got, _ := f.ListWebhookTargets(ctx)
	if len(got) != 1 || got[0].URL != url || !slices.Equal(got[0].EventTypes, []string{"a", "b"}) {
		t.Fatalf("live after update = %+v", got)
	}
	if err := f.DeleteWebhookTarget(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.DeleteWebhookTarget(ctx, created.ID); err == nil {
		t.Fatal("deleting a missing target succeeded")
	}
	f.inject("create:x", faultDrop)
	if _, err := f.CreateWebhookTarget(ctx, plain.CreateInput{Description: "x"}); !errors.Is(err, plain.ErrOutcomeUnknown) {
		t.Fatalf("dropped create returned %v", err)
	}
	if len(f.live()) != 1 {
		t.Fatal("dropped create was not committed")
	}
}
