package lock

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// seenOpts are opts with the caller's snapshot of the workspace.
func seenOpts(timeout time.Duration, seen *plain.Snapshot) LeaseOptions {
	o := opts(timeout)
	o.Seen = seen
	return o
}

// With the caller's snapshot showing no lease, the lease costs its
// create, one read (which decides and is kept for the re-plan) and its
// delete: nothing is listed before the create or after a delete that
// succeeded.
func TestALeaseOnASnapshotCostsACreateAReadAndADelete(t *testing.T) {
	f := newFakePlain()
	f.targets = append(f.targets, plain.Target{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7K", URL: "https://hooks.example.com/a", Description: "a", Enabled: true})
	seen, _ := f.Snapshot(context.Background())
	f.lists, f.snaps = 0, 0
	l, err := AcquireLease(context.Background(), f, seenOpts(time.Second, seen))
	if err != nil {
		t.Fatal(err)
	}
	if f.seq != 1 || f.lists != 1 || f.snaps != 1 {
		t.Fatalf("acquiring: %d creates, %d listings (%d snapshots); want 1, 1, 1", f.seq, f.lists, f.snaps)
	}
	s := l.Snapshot()
	if s == nil || len(s.Targets) != 1 || s.Targets[0].ID != "whTarget_01HD4400VTDJQ646V6RY37SR7K" {
		t.Fatalf("the lease's snapshot = %+v, want the workspace's one target", s)
	}
	if err := l.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.deletes != 1 || f.lists != 1 {
		t.Fatalf("releasing: %d deletes, %d more listings; want 1 and 0", f.deletes, f.lists-1)
	}
	if f.count() != 0 {
		t.Fatal("release left the lease behind")
	}
}

// Without a snapshot, and when the snapshot shows a lease, the lease lists
// before it acts: the snapshot may be old.
func TestALeaseInTheSnapshotIsLookedAtAfresh(t *testing.T) {
	f := newFakePlain()
	l, err := AcquireLease(context.Background(), f, opts(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if f.lists != 2 {
		t.Errorf("without a snapshot: %d listings, want 2 (before the create, and the deciding read)", f.lists)
	}
	l.Release(context.Background())

	// The snapshot showed an expired lease, whose holder has renewed it
	// since: it is live, so not deleted, and it is waited for.
	f = newFakePlain()
	id := f.addLease("slow", time.Now().Add(-time.Hour))
	seen, _ := f.Snapshot(context.Background())
	desc := describe("slow", time.Now().Add(time.Minute))
	f.UpdateWebhookTarget(context.Background(), plain.UpdateInput{ID: id, Description: &desc})
	var waited string
	o := seenOpts(20*time.Millisecond, seen)
	o.Waiting = func(h string, _ time.Time) { waited = h }
	if _, err := AcquireLease(context.Background(), f, o); !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v", err)
	}
	if waited != "slow" || !slices.Equal(f.leaseIDs(), []string{id}) {
		t.Fatalf("waited for %q; leases %v, want the renewed %s kept", waited, f.leaseIDs(), id)
	}
}

// A run that waited for another holder plans against what that holder
// wrote: the lease's snapshot is read after the other let go.
func TestTheWinnersSnapshotHasTheEarlierHoldersWrites(t *testing.T) {
	f := newFakePlain()
	before, _ := f.Snapshot(context.Background())
	first, err := AcquireLease(context.Background(), f, seenOpts(time.Second, before))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		f.CreateWebhookTarget(context.Background(), plain.CreateInput{URL: "https://hooks.example.com/a", Description: "a", EventTypes: []string{"x"}, Enabled: true})
		first.Release(context.Background())
	}()
	second, err := AcquireLease(context.Background(), f, seenOpts(5*time.Second, before))
	if err != nil {
		t.Fatal(err)
	}
	defer second.Release(context.Background())
	if s := second.Snapshot(); len(s.Targets) != 1 || s.Targets[0].Description != "a" {
		t.Fatalf("the winner's snapshot = %+v, want the first holder's target", s)
	}
}

// A release after an acquisition that left something unsure (a create
// whose response was lost) checks the listing, so that no lease of the
// run is left.
func TestAnUnsureAcquisitionIsCheckedOnRelease(t *testing.T) {
	f := newFakePlain()
	seen, _ := f.Snapshot(context.Background())
	f.fault = faultsFor("create", drop, ok)
	l, err := AcquireLease(context.Background(), f, seenOpts(time.Second, seen))
	if err != nil {
		t.Fatal(err)
	}
	lists := f.lists
	if err := l.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.lists == lists {
		t.Error("the release did not check the listing after an unsure acquisition")
	}
	if f.count() != 0 {
		t.Fatalf("leases left: %v", f.leaseIDs())
	}
}

// Runs that start from one snapshot showing no lease contend while
// mutations fail or lose their responses: never two holders at once, and
// no lease is left.
func TestLeasesOnASnapshotUnderFaultsAreExclusive(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		f := newFakePlain()
		f.yield = func() { time.Sleep(100 * time.Microsecond) }
		seen, _ := f.Snapshot(context.Background())
		rng := rand.New(rand.NewPCG(seed, 7))
		var mu sync.Mutex
		f.fault = func(string) fate {
			mu.Lock()
			defer mu.Unlock()
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
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o := opts(10 * time.Second)
				if i%3 != 0 {
					o.Seen = seen
				}
				l, err := AcquireLease(context.Background(), f, o)
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

// The local lock says whether any run held it since a workspace was read:
// not for a fresh file, yes when a holder let go after the read or was
// killed holding it, no when the last holder let go well before it.
func TestLocalLockKnowsWhetherAnyoneHeldItSince(t *testing.T) {
	path := LocalPath(t.TempDir(), "http://127.0.0.1:1/graphql/v1", "w_01MXCKWRKSPACE000000000000")
	ctx := context.Background()
	take := func() *Local {
		t.Helper()
		l, err := AcquireLocal(ctx, path, time.Second, time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	readAt := time.Now()
	a := take()
	if !exclusive {
		// Without an exclusive file lock it can never tell.
		if a.Unchanged(readAt) {
			t.Fatal("unchanged without an exclusive file lock")
		}
		return
	}
	if !a.Unchanged(readAt) {
		t.Error("a fresh lock file: nobody can have held it")
	}
	if a.Unchanged(time.Time{}) || a.Unchanged(time.Now().Add(-2*MaxSnapshotAge)) || a.Unchanged(time.Now().Add(time.Hour)) {
		t.Error("an unknown, old or future read counts as unchanged")
	}
	a.Unlock()
	// The previous holder let go after the read.
	b := take()
	if b.Unchanged(readAt) {
		t.Error("a holder let go after the read, yet unchanged")
	}
	b.Unlock()
	// ... and well before it.
	now := time.Now()
	if err := os.WriteFile(path, []byte(holdRecord{held: now.Add(-10 * time.Second), released: now.Add(-clockMargin - time.Second)}.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	later := now.Add(-time.Millisecond)
	c := take()
	if !c.Unchanged(later) {
		t.Error("the last holder let go before the read, yet changed")
	}
	// A holder killed while holding it leaves no release time.
	c.f.Close()
	c.f = nil
	if d := take(); d.Unchanged(later) {
		t.Error("a holder that never let go counts as unchanged")
	} else {
		d.Unlock()
	}
	// A file without a record (an older plainsync's) tells nothing.
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if e := take(); e.Unchanged(later) {
		t.Error("a lock file without a record counts as unchanged")
	} else {
		e.Unlock()
	}
	if filepath.Base(filepath.Dir(path)) != "locks" {
		t.Errorf("lock path %s", path)
	}
}
