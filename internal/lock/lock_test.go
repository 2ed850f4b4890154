package lock

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// fakePlain keeps targets in memory and stamps creations in order, as
// Plain does.
type fakePlain struct {
	mu      sync.Mutex
	targets []plain.Target
	seq     int
	base    time.Time
	// yield runs between a create's commit and its response, so that
	// contenders interleave.
	yield func()
	// fault, when set, decides each mutation's fate (see fate).
	fault func(op string) fate
	// late holds creates that answered "outcome unknown" without
	// committing; each commits when its count of listings reaches zero.
	late []lateCreate
	// deletes and lists count the calls.
	deletes, lists int
}

// fate is what the fake does with one mutation.
type fate int

const (
	ok       fate = iota
	fail          // a 502 before anything ran: nothing applied, outcome unknown to the client
	drop          // applied, but the response is lost
	lateFate      // create only: answered as lost, committed after a few listings
)

type lateCreate struct {
	t     plain.Target
	lists int
}

var errUnknown = fmt.Errorf("502 Bad Gateway: %w", plain.ErrOutcomeUnknown)

func (f *fakePlain) fate(op string) fate {
	if f.fault == nil {
		return ok
	}
	return f.fault(op)
}

func newFakePlain() *fakePlain { return &fakePlain{base: time.Now()} }

func (f *fakePlain) ListLeases(context.Context) ([]plain.Target, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	keep := f.late[:0]
	for _, lc := range f.late {
		if lc.lists--; lc.lists <= 0 {
			f.targets = append(f.targets, lc.t)
		} else {
			keep = append(keep, lc)
		}
	}
	f.late = keep
	var out []plain.Target
	for _, t := range f.targets {
		if plain.IsLease(t.Description) {
			out = append(out, t)
		}
	}
	return out, nil
}

func (f *fakePlain) CreateWebhookTarget(_ context.Context, in plain.CreateInput) (plain.Target, error) {
	f.mu.Lock()
	fa := f.fate("create")
	if fa == fail {
		f.mu.Unlock()
		return plain.Target{}, errUnknown
	}
	f.seq++
	t := plain.Target{ID: fmt.Sprintf("whTarget_%026d", f.seq), URL: in.URL, Description: in.Description,
		EventTypes: in.EventTypes, Enabled: in.Enabled, CreatedAt: f.base.Add(time.Duration(f.seq) * time.Millisecond)}
	t.UpdatedAt = t.CreatedAt
	if fa == lateFate {
		f.late = append(f.late, lateCreate{t: t, lists: 2})
		f.mu.Unlock()
		return plain.Target{}, errUnknown
	}
	f.targets = append(f.targets, t)
	y := f.yield
	f.mu.Unlock()
	if y != nil {
		y()
	}
	if fa == drop {
		return plain.Target{}, errUnknown
	}
	return t, nil
}

func (f *fakePlain) UpdateWebhookTarget(_ context.Context, in plain.UpdateInput) (plain.Target, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.targets {
		if f.targets[i].ID == in.ID {
			if in.Description != nil {
				f.targets[i].Description = *in.Description
			}
			return f.targets[i], nil
		}
	}
	return plain.Target{}, errors.New("not found")
}

func (f *fakePlain) DeleteWebhookTarget(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deletes++
	fa := f.fate("delete")
	if fa == fail {
		return errUnknown
	}
	i := slices.IndexFunc(f.targets, func(t plain.Target) bool { return t.ID == id })
	if i < 0 {
		return errors.New("not found")
	}
	f.targets = slices.Delete(f.targets, i, i+1)
	if fa == drop {
		return errUnknown
	}
	return nil
}

// addLease puts another holder's lease in the workspace, valid until.
func (f *fakePlain) addLease(holder string, until time.Time) string {
	t, _ := f.CreateWebhookTarget(context.Background(), plain.CreateInput{URL: LeaseURL, Description: describe(holder, until), EventTypes: []string{"x"}})
	return t.ID
}

// leaseIDs lists the leases' ids.
func (f *fakePlain) leaseIDs() []string {
	ls, _ := f.ListLeases(context.Background())
	var ids []string
	for _, t := range ls {
		ids = append(ids, t.ID)
	}
	return ids
}

// faultsFor makes the next mutations of op meet fates in order, then
// succeed.
func faultsFor(op string, fates ...fate) func(string) fate {
	return func(o string) fate {
		if o != op || len(fates) == 0 {
			return ok
		}
		fa := fates[0]
		fates = fates[1:]
		return fa
	}
}

func (f *fakePlain) count() int {
	l, _ := f.ListLeases(context.Background())
	return len(l)
}

func opts(timeout time.Duration) LeaseOptions {
	return LeaseOptions{Timeout: timeout, Poll: 2 * time.Millisecond, Retry: time.Millisecond, EventType: "thread.thread_created"}
}

func TestLeaseAcquireAndRelease(t *testing.T) {
	f := newFakePlain()
	l, err := AcquireLease(context.Background(), f, opts(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	ls, _ := f.ListLeases(context.Background())
	if len(ls) != 1 || ls[0].Enabled || ls[0].URL != LeaseURL || !strings.Contains(ls[0].Description, "holder="+l.Holder()) {
		t.Fatalf("leases = %+v", ls)
	}
	if err := l.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.count() != 0 {
		t.Fatal("release left the lease behind")
	}
}

func TestLeaseHeldByAnotherRunTimesOut(t *testing.T) {
	f := newFakePlain()
	first, err := AcquireLease(context.Background(), f, opts(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer first.Release(context.Background())
	var waitedFor string
	o := opts(20 * time.Millisecond)
	o.Waiting = func(holder string, _ time.Time) { waitedFor = holder }
	_, err = AcquireLease(context.Background(), f, o)
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), first.Holder()) || !strings.Contains(err.Error(), "--lock-timeout") {
		t.Fatalf("err = %v", err)
	}
	if waitedFor != first.Holder() {
		t.Errorf("Waiting reported %q, want %q", waitedFor, first.Holder())
	}
	if f.count() != 1 {
		t.Errorf("%d leases, want only the holder's", f.count())
	}
}

func TestWaitingRunGetsTheLeaseOnRelease(t *testing.T) {
	f := newFakePlain()
	first, err := AcquireLease(context.Background(), f, opts(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		first.Release(context.Background())
	}()
	second, err := AcquireLease(context.Background(), f, opts(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	second.Release(context.Background())
}

func TestStaleLeaseIsTakenOver(t *testing.T) {
	f := newFakePlain()
	dead := describe("dead-holder", time.Now().Add(-time.Hour))
	f.CreateWebhookTarget(context.Background(), plain.CreateInput{URL: LeaseURL, Description: dead, EventTypes: []string{"x"}})
	// A hand-made lease without a time expires TTL after its last update.
	f.mu.Lock()
	f.targets = append(f.targets, plain.Target{ID: "whTarget_0000000000000000000000HAND", Description: plain.LeasePrefix, UpdatedAt: time.Now().Add(-time.Hour)})
	f.mu.Unlock()
	l, err := AcquireLease(context.Background(), f, opts(0))
	if err != nil {
		t.Fatalf("stale leases blocked the apply: %v", err)
	}
	defer l.Release(context.Background())
	ls, _ := f.ListLeases(context.Background())
	if len(ls) != 1 || ls[0].ID != l.ID() {
		t.Fatalf("stale leases not removed: %+v", ls)
	}
}

func TestLeaseIsRenewedWhileHeld(t *testing.T) {
	f := newFakePlain()
	o := opts(time.Second)
	o.TTL = 60 * time.Millisecond
	l, err := AcquireLease(context.Background(), f, o)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release(context.Background())
	time.Sleep(200 * time.Millisecond) // three TTLs: stale by now unless renewed
	o2 := opts(0)
	o2.TTL = 60 * time.Millisecond
	if _, err := AcquireLease(context.Background(), f, o2); !errors.Is(err, ErrTimeout) {
		t.Fatalf("a renewed lease was taken over: %v", err)
	}
}

// Many runs contend at once; at most one may ever hold the lease.
func TestLeaseIsExclusiveUnderContention(t *testing.T) {
	f := newFakePlain()
	f.yield = func() { time.Sleep(time.Millisecond) }
	var holders, maxHolders, done atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := AcquireLease(context.Background(), f, opts(10*time.Second))
			if err != nil {
				t.Error(err)
				return
			}
			n := holders.Add(1)
			for m := maxHolders.Load(); n > m && !maxHolders.CompareAndSwap(m, n); m = maxHolders.Load() {
			}
			time.Sleep(3 * time.Millisecond)
			holders.Add(-1)
			done.Add(1)
			if err := l.Release(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if maxHolders.Load() != 1 || done.Load() != 8 {
		t.Fatalf("%d holders at once, %d runs done; want 1 and 8", maxHolders.Load(), done.Load())
	}
	if f.count() != 0 {
		t.Fatalf("%d leases left", f.count())
	}
}

func TestLocalLock(t *testing.T) {
	path := LocalPath(t.TempDir(), "http://127.0.0.1:1/graphql/v1", "w_1")
	if LocalPath("d", "a", "w_1") == LocalPath("d", "b", "w_1") {
		t.Fatal("the lock path ignores the endpoint")
	}
	a, err := AcquireLocal(context.Background(), path, time.Second, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := AcquireLocal(context.Background(), path, 20*time.Millisecond, time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("second lock: %v", err)
	}
	if err := a.Unlock(); err != nil {
		t.Fatal(err)
	}
	b, err := AcquireLocal(context.Background(), path, time.Second, time.Millisecond)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	b.Unlock()
	if filepath.Base(filepath.Dir(path)) != "locks" {
		t.Errorf("lock path %s", path)
	}
}

// failingCreates loses every create's response without committing it.
type failingCreates struct{ *fakePlain }

func (f failingCreates) CreateWebhookTarget(context.Context, plain.CreateInput) (plain.Target, error) {
	return plain.Target{}, fmt.Errorf("502: %w", plain.ErrOutcomeUnknown)
}

// A lease that never lands must not keep apply trying for ever.
func TestLeaseThatNeverLandsTimesOut(t *testing.T) {
	_, err := AcquireLease(context.Background(), failingCreates{newFakePlain()}, opts(30*time.Millisecond))
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v", err)
	}
}
