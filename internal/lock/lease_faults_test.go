package lock

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// A release whose delete fails (a 502 before Plain ran it) tries again
// and leaves no lease.
func TestReleaseRetriesAFailedDelete(t *testing.T) {
	f := newFakePlain()
	l, err := AcquireLease(context.Background(), f, opts(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	f.fault = faultsFor("delete", fail, fail)
	if err := l.Release(context.Background()); err != nil {
		t.Fatalf("release: %v", err)
	}
	if ids := f.leaseIDs(); len(ids) != 0 {
		t.Fatalf("leases left: %v", ids)
	}
	if f.deletes != 3 {
		t.Errorf("%d deletes, want 3 (two failed, one worked)", f.deletes)
	}
}

// A release whose delete response is lost after Plain ran it checks the
// listing instead of failing.
func TestReleaseWithALostDeleteResponse(t *testing.T) {
	f := newFakePlain()
	l, err := AcquireLease(context.Background(), f, opts(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	f.fault = faultsFor("delete", drop)
	if err := l.Release(context.Background()); err != nil {
		t.Fatalf("release: %v", err)
	}
	if ids := f.leaseIDs(); len(ids) != 0 {
		t.Fatalf("leases left: %v", ids)
	}
}

// When every delete fails, release gives up after its attempts, within a
// bounded time, and says which lease is left and that it expires.
func TestReleaseGivesUpAfterItsAttempts(t *testing.T) {
	f := newFakePlain()
	l, err := AcquireLease(context.Background(), f, opts(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	f.fault = func(op string) fate {
		if op == "delete" {
			return fail
		}
		return ok
	}
	start := time.Now()
	err = l.Release(context.Background())
	if err == nil || !strings.Contains(err.Error(), l.ID()) || !strings.Contains(err.Error(), "expires by itself") {
		t.Fatalf("err = %v", err)
	}
	if f.deletes != releaseAttempts {
		t.Errorf("%d deletes, want %d", f.deletes, releaseAttempts)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("release took %s", d)
	}
	// ctx bounds it too.
	f2 := newFakePlain()
	o := opts(time.Second)
	o.Retry = time.Hour
	l2, err := AcquireLease(context.Background(), f2, o)
	if err != nil {
		t.Fatal(err)
	}
	f2.fault = f.fault
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := l2.Release(ctx); err == nil {
		t.Fatal("release under a failing delete reported success")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("release ignored its context: %s", d)
	}
}

// Taking over an expired lease whose delete fails still wins (an expired
// lease blocks no one), and the expired lease is gone once the new holder
// has released: it does not linger beside the new one.
func TestTakeoverRemovesTheStaleLeaseEvenWhenItsDeleteFails(t *testing.T) {
	f := newFakePlain()
	dead := f.addLease("dead-holder", time.Now().Add(-time.Hour))
	f.fault = faultsFor("delete", fail)
	l, err := AcquireLease(context.Background(), f, opts(0))
	if err != nil {
		t.Fatalf("stale lease blocked the apply: %v", err)
	}
	if l.ID() == dead {
		t.Fatal("adopted another holder's lease")
	}
	if err := l.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ids := f.leaseIDs(); len(ids) != 0 {
		t.Fatalf("leases left: %v (the stale one was %s)", ids, dead)
	}
}

// A lease another run still holds (not expired) is never deleted: not
// while waiting, not when giving up, not on release.
func TestALiveLeaseOfAnotherHolderIsNeverDeleted(t *testing.T) {
	f := newFakePlain()
	busy := f.addLease("busy", time.Now().Add(time.Minute))
	if _, err := AcquireLease(context.Background(), f, opts(10*time.Millisecond)); !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v", err)
	}
	if ids := f.leaseIDs(); !slices.Equal(ids, []string{busy}) {
		t.Fatalf("leases = %v, want only %s", ids, busy)
	}
	// A lease created while this run holds its own (a loser's, not yet
	// deleted) is not this run's to delete.
	f2 := newFakePlain()
	l, err := AcquireLease(context.Background(), f2, opts(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	other := f2.addLease("contender", time.Now().Add(time.Minute))
	if err := l.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ids := f2.leaseIDs(); !slices.Equal(ids, []string{other}) {
		t.Fatalf("leases = %v, want only the contender's %s", ids, other)
	}
}

// A create whose response is lost after Plain committed it is found by
// its holder id and adopted: one lease, and none after release.
func TestLostCreateResponseIsAdopted(t *testing.T) {
	f := newFakePlain()
	f.fault = faultsFor("create", drop)
	l, err := AcquireLease(context.Background(), f, opts(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if ids := f.leaseIDs(); !slices.Equal(ids, []string{l.ID()}) {
		t.Fatalf("leases = %v, want only the adopted %s", ids, l.ID())
	}
	if err := l.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.count() != 0 {
		t.Fatal("release left the lease behind")
	}
}

// A create answered "outcome unknown" that Plain commits later, after the
// first look for it, is this run's own lease when a later look finds it:
// adopted, not waited for as another run's, and no second one created.
func TestLateCommittedCreateIsAdoptedNotWaitedFor(t *testing.T) {
	f := newFakePlain()
	f.fault = faultsFor("create", lateFate)
	var waited string
	o := opts(200 * time.Millisecond)
	o.Waiting = func(h string, _ time.Time) { waited = h }
	l, err := AcquireLease(context.Background(), f, o)
	if err != nil {
		t.Fatalf("the run waited for its own lease: %v", err)
	}
	if waited != "" {
		t.Errorf("waited for %q", waited)
	}
	if ids := f.leaseIDs(); !slices.Equal(ids, []string{l.ID()}) {
		t.Fatalf("leases = %v, want only %s", ids, l.ID())
	}
	if f.seq != 1 {
		t.Errorf("%d creates, want 1", f.seq)
	}
	if err := l.Release(context.Background()); err != nil || f.count() != 0 {
		t.Fatalf("release: %v, %d left", err, f.count())
	}
}

// A run that gives up (timeout) after a create whose outcome was unknown
// deletes that lease if it has landed by then, instead of leaving it to
// expire.
func TestGivingUpDeletesItsOwnLateLease(t *testing.T) {
	f := newFakePlain()
	f.fault = faultsFor("create", lateFate)
	_, err := AcquireLease(context.Background(), f, opts(0))
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v", err)
	}
	if ids := f.leaseIDs(); len(ids) != 0 {
		t.Fatalf("leases left: %v", ids)
	}
	if f.seq != 1 {
		t.Errorf("%d creates, want 1", f.seq)
	}
}

// RemoveExpired deletes only expired leases, retries a failed delete, and
// sends nothing when none has expired.
func TestRemoveExpired(t *testing.T) {
	f := newFakePlain()
	dead := f.addLease("dead", time.Now().Add(-time.Hour))
	busy := f.addLease("busy", time.Now().Add(time.Minute))
	snap, _ := f.ListLeases(context.Background())
	f.fault = faultsFor("delete", fail)
	removed, left, err := RemoveExpired(context.Background(), f, snap, time.Now(), time.Millisecond, nil)
	if err != nil || !slices.Equal(removed, []string{dead}) || len(left) != 0 {
		t.Fatalf("removed %v, left %v, err %v", removed, left, err)
	}
	if ids := f.leaseIDs(); !slices.Equal(ids, []string{busy}) {
		t.Fatalf("leases = %v, want only %s", ids, busy)
	}
	f.deletes, f.lists = 0, 0
	snap, _ = f.ListLeases(context.Background())
	if removed, _, err := RemoveExpired(context.Background(), f, snap, time.Now(), time.Millisecond, nil); err != nil || removed != nil || f.deletes != 0 || f.lists != 1 {
		t.Fatalf("with nothing expired: removed %v, err %v, %d deletes, %d lists", removed, err, f.deletes, f.lists-1)
	}
	// A lease renewed since the snapshot is not expired any more.
	f.fault = nil
	renewed := f.addLease("renewed", time.Now().Add(-time.Hour))
	snap, _ = f.ListLeases(context.Background())
	desc := describe("renewed", time.Now().Add(time.Minute))
	f.UpdateWebhookTarget(context.Background(), plain.UpdateInput{ID: renewed, Description: &desc})
	if removed, _, err := RemoveExpired(context.Background(), f, snap, time.Now(), time.Millisecond, nil); err != nil || removed != nil {
		t.Fatalf("renewed lease: removed %v, err %v", removed, err)
	}
	if ids := f.leaseIDs(); !slices.Contains(ids, renewed) {
		t.Fatalf("the renewed lease %s was deleted: %v", renewed, ids)
	}
	f.DeleteWebhookTarget(context.Background(), renewed)
	gone := f.addLease("gone", time.Now().Add(-time.Hour))
	f.fault = func(string) fate { return fail }
	snap, _ = f.ListLeases(context.Background())
	if _, left, err := RemoveExpired(context.Background(), f, snap, time.Now(), time.Millisecond, nil); err == nil || !slices.Equal(left, []string{gone}) {
		t.Fatalf("under failing deletes: left %v, err %v", left, err)
	}
}

// Many runs contend while creates and deletes fail or lose their
// responses at random: never two holders at once, and once every run has
// released, no lease is left.
func TestLeaseUnderFaultsIsExclusiveAndLeavesNothing(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		f := newFakePlain()
		f.yield = func() { time.Sleep(100 * time.Microsecond) }
		rng := rand.New(rand.NewPCG(seed, 42))
		f.fault = func(string) fate {
			switch r := rng.Float64(); {
			case r < 0.15:
				return fail
			case r < 0.3:
				return drop
			}
			return ok
		}
		var holders, maxHolders, done atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 6; i++ {
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
				time.Sleep(time.Millisecond)
				holders.Add(-1)
				done.Add(1)
				if err := l.Release(context.Background()); err != nil {
					t.Errorf("seed %d: %v", seed, err)
				}
			}()
		}
		wg.Wait()
		if maxHolders.Load() != 1 || done.Load() != 6 {
			t.Fatalf("seed %d: %d holders at once, %d runs done; want 1 and 6", seed, maxHolders.Load(), done.Load())
		}
		f.fault = nil
		if ids := f.leaseIDs(); len(ids) != 0 {
			t.Fatalf("seed %d: leases left: %v", seed, ids)
		}
	}
}

// A lease of this holder's that has expired (a create that landed very
// late) is not won on: other runs may take it over, which would make two
// writers. It is deleted and a fresh lease decides.
func TestAnExpiredLeaseOfItsOwnIsNotAdopted(t *testing.T) {
	f := newFakePlain()
	o := opts(time.Second)
	o.Holder = "me"
	old := f.addLease("me", time.Now().Add(-time.Hour))
	l, err := AcquireLease(context.Background(), f, o)
	if err != nil {
		t.Fatal(err)
	}
	if l.ID() == old {
		t.Fatal("won on its own expired lease")
	}
	if ids := f.leaseIDs(); !slices.Equal(ids, []string{l.ID()}) {
		t.Fatalf("leases = %v, want only the fresh %s", ids, l.ID())
	}
	if err := l.Release(context.Background()); err != nil || f.count() != 0 {
		t.Fatalf("release: %v, %d left", err, f.count())
	}
}
