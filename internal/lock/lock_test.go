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
	// deletes, lists and snaps count the calls (a snapshot is a listing).
	deletes, lists, snaps int
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

// Snapshot reads the whole workspace; it counts as a listing (lists,
// late creates) like ListLeases, and snaps counts it too.
func (f *fakePlain) Snapshot(ctx context.Context) (*plain.Snapshot, error) {
	leases, err := f.ListLeases(ctx)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snaps++
	s := &plain.Snapshot{Workspace: plain.Workspace{ID: "w_01MXCKWRKSPACE000000000000"}, Leases: leases}
	for _, t := range f.targets {
		if !plain.IsLease(t.Description) {
			s.Targets = append(s.Targets, t)
		}
	}
	return s, nil
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
	var deleted []string
	o := opts(0)
	o.Deleted = func(id string, own bool) {
		if !own {
			deleted = append(deleted, id)
		}
	}
	l, err := AcquireLease(context.Background(), f, o)
	if err != nil {
		t.Fatalf("stale leases blocked the apply: %v", err)
	}
	defer l.Release(context.Background())
	ls, _ := f.ListLeases(context.Background())
	if len(ls) != 1 || ls[0].ID != l.ID() {
		t.Fatalf("stale leases not removed: %+v", ls)
	}
	if !slices.Equal(deleted, []string{"whTarget_00000000000000000000000001"}) {
		t.Fatalf("deleted leases reported: %v, want whTarget_00000000000000000000000001", deleted)
	}
}

// lookalikes are targets that resemble a lease in some ways but not all:
// none is a lease, so none may block an apply or be deleted by one.
func lookalikes(now time.Time) []plain.Target {
	expired := describe("old", now.Add(-time.Hour))
	return []plain.Target{
		// Enabled, at a production receiver: the case of the issue.
		{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7A", URL: "https://hooks.example.com/prod", Description: "plainsync-lease v1 holder=old until=2021-01-01T00:00:00.000Z", Enabled: true},
		// The lease URL, but enabled.
		{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7B", URL: LeaseURL, Description: expired, Enabled: true},
		// Disabled, but another URL.
		{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7C", URL: "https://plainsync.invalid/lease2", Description: expired},
		// The prefix alone, or a description that only starts like one.
		{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7D", URL: LeaseURL, Description: plain.LeasePrefix, UpdatedAt: now.Add(-time.Hour)},
		{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7E", URL: LeaseURL, Description: expired + " extra"},
		{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7F", URL: LeaseURL, Description: "plainsync-lease v2 holder=old until=2021-01-01T00:00:00.000Z"},
		{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7G", URL: LeaseURL, Description: "plainsync-lease v1 holder=old until=2021-01-01T00:00:00Z"},
		{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7H", URL: LeaseURL, Description: "plainsync-lease v1 holder=o/d until=2021-01-01T00:00:00.000Z"},
	}
}

func TestOnlyWhatIsALeaseInEveryRespectIsTreatedAsOne(t *testing.T) {
	now := time.Now()
	for _, lt := range lookalikes(now) {
		if _, _, ok := plain.ParseLease(lt); ok {
			t.Errorf("%s (%q, %s, enabled %v) parsed as a lease", lt.ID, lt.Description, lt.URL, lt.Enabled)
		}
	}
	f := newFakePlain()
	f.targets = append(f.targets, lookalikes(now)...)
	o := opts(0) // no waiting: a lookalike that blocked would time out
	var deleted []string
	o.Deleted = func(id string, own bool) { deleted = append(deleted, id) }
	l, err := AcquireLease(context.Background(), f, o)
	if err != nil {
		t.Fatalf("a lookalike blocked the apply: %v", err)
	}
	if err := l.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(deleted, []string{l.ID()}) {
		t.Errorf("deleted %v, want only the run's own lease %s", deleted, l.ID())
	}
	if _, _, err := RemoveExpired(context.Background(), f, lookalikes(now), now, time.Millisecond, nil); err != nil {
		t.Fatal(err)
	}
	if len(f.targets) != len(lookalikes(now)) {
		t.Fatalf("lookalikes deleted: %d of %d left", len(f.targets), len(lookalikes(now)))
	}
}

// A lease "held until 2099" is not honoured: the apply goes on, says so
// once naming it, and leaves it alone.
func TestALeaseEndingImpossiblyFarAheadIsNotHonoured(t *testing.T) {
	f := newFakePlain()
	forged := f.addLease("forger", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC))
	// Just within TTL plus skew: an honest lease of a clock running ahead.
	ahead := f.addLease("ahead", time.Now().Add(DefaultTTL+DefaultTTL/2-time.Second))
	var reported []string
	o := opts(30 * time.Millisecond)
	o.NotHonoured = func(id string, until time.Time) {
		reported = append(reported, id+" "+until.Format(time.RFC3339))
	}
	_, err := AcquireLease(context.Background(), f, o)
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "ahead") {
		t.Fatalf("the lease within TTL plus skew is honoured: %v", err)
	}
	if !slices.Equal(reported, []string{forged + " 2099-01-01T00:00:00Z"}) {
		t.Fatalf("reported %v, want the forged lease once", reported)
	}
	f.DeleteWebhookTarget(context.Background(), ahead)
	reported = nil
	l, err := AcquireLease(context.Background(), f, o)
	if err != nil {
		t.Fatalf("a lease until 2099 blocked the apply: %v", err)
	}
	if err := l.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ids := f.leaseIDs(); !slices.Equal(ids, []string{forged}) {
		t.Fatalf("leases = %v, want the forged one left alone", ids)
	}
	if len(reported) != 1 {
		t.Fatalf("reported %d times, want once", len(reported))
	}
}

// Plain refusing the lease target is ErrRefused at once (no waiting), and
// leaves nothing behind.
func TestARefusedLeaseIsErrRefused(t *testing.T) {
	refusal := errors.New("url: not a valid host (VALIDATION)")
	f := refusingCreates{newFakePlain(), refusal}
	o := opts(10 * time.Second)
	o.Refused = func(err error) bool { return errors.Is(err, refusal) }
	start := time.Now()
	_, err := AcquireLease(context.Background(), f, o)
	if !errors.Is(err, ErrRefused) || !errors.Is(err, refusal) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("a refusal waited for the timeout")
	}
	// Without the classifier it is an ordinary failure.
	o.Refused = nil
	if _, err := AcquireLease(context.Background(), f, o); err == nil || errors.Is(err, ErrRefused) {
		t.Fatalf("unclassified: %v", err)
	}
}

// A protected (ignored) expired lease is never deleted.
func TestAProtectedExpiredLeaseIsLeftAlone(t *testing.T) {
	f := newFakePlain()
	kept := f.addLease("kept", time.Now().Add(-time.Hour))
	o := opts(0)
	o.Protected = func(t plain.Target) bool { return t.ID == kept }
	l, err := AcquireLease(context.Background(), f, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	snap, _ := f.ListLeases(context.Background())
	if removed, _, err := RemoveExpired(context.Background(), f, snap, time.Now(), time.Millisecond, o.Protected); err != nil || removed != nil {
		t.Fatalf("removed %v, err %v", removed, err)
	}
	if ids := f.leaseIDs(); !slices.Equal(ids, []string{kept}) {
		t.Fatalf("leases = %v, want the protected one kept", ids)
	}
}

// refusingCreates answers every create with err, applying nothing.
type refusingCreates struct {
	*fakePlain
	err error
}

func (f refusingCreates) CreateWebhookTarget(context.Context, plain.CreateInput) (plain.Target, error) {
	return plain.Target{}, f.err
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
