package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/lock"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/render"
	"github.com/plainsync/plainsync/internal/spec"
)

// defaultLockTimeout is how long apply waits for another apply of the same
// workspace: long enough for a typical apply to finish.
const defaultLockTimeout = 2 * time.Minute

// lockDir is where local locks live: the user cache directory (as
// $XDG_CACHE_HOME or $HOME/.cache say), else the temporary directory.
func (f *Factory) lockDir() string {
	if d := f.Getenv("XDG_CACHE_HOME"); filepath.IsAbs(d) {
		return d
	}
	if h := f.Getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Join(h, ".cache")
	}
	return os.TempDir()
}

// lockWorkspace makes this apply the workspace's only writer: the local
// lock for runs on this machine, then the lease in Plain for every other
// runner, both within --lock-timeout. It returns the release, which also
// runs after Ctrl-C (the lease is deleted under a context of its own).
func (f *Factory) lockWorkspace(ctx context.Context, pl planned, af *applyOptions) (release func(), err error) {
	ws := pl.live.Workspace.ID
	start := time.Now()
	local, err := lock.AcquireLocal(ctx, lock.LocalPath(f.lockDir(), f.endpoint(&af.rf), ws), af.lockTimeout, 100*time.Millisecond)
	if err != nil {
		return nil, err
	}
	leases := f.removeExpiredLeases(ctx, pl, af)
	creates := pl.plan.Counts().Create
	occupied := len(pl.live.Targets) + len(leases)
	var lease *lock.Lease
	switch {
	case occupied+creates+1 > plain.MaxTargets:
		fmt.Fprintf(f.IO.ErrOut, "Warning: workspace %s has no free target slot for the apply lease (%d targets, %d to create, Plain allows %d); applying under the local lock only, so an apply from another machine at the same moment is not held off.\n",
			inert.Text(ws), occupied, creates, plain.MaxTargets)
	case len(pl.live.EventTypes) == 0:
		fmt.Fprintf(f.IO.ErrOut, "Warning: workspace %s lists no event types for the apply lease to subscribe to; applying under the local lock only.\n", inert.Text(ws))
	default:
		lease, err = lock.AcquireLease(ctx, pl.client, lock.LeaseOptions{
			Timeout:   max(0, af.lockTimeout-time.Since(start)),
			EventType: pl.live.EventTypes[0].EventType,
			Waiting: func(holder string, until time.Time) {
				fmt.Fprintf(f.IO.ErrOut, "Waiting for another plainsync run (%s), which holds the apply lease of workspace %s until %s (at most %s)…\n",
					inert.Text(holder), inert.Text(ws), until.UTC().Format(time.RFC3339), af.lockTimeout)
			},
		})
		if err != nil {
			_ = local.Unlock()
			return nil, err
		}
		fmt.Fprintf(f.IO.ErrOut, "Holding the apply lease of workspace %s; other plainsync runs wait for it.\n", inert.Text(ws))
	}
	return func() {
		if lease != nil {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), leaseCleanupTimeout(af))
			if err := lease.Release(rctx); err != nil {
				fmt.Fprintf(f.IO.ErrOut, "Warning: %s\n", inert.Lines(f.Secrets.Mask(err.Error())))
			}
			cancel()
		}
		_ = local.Unlock()
	}, nil
}

// minLeaseCleanup is the least time a lease's release, or the removal of
// expired leases, gets for its retries, however short --timeout is.
const minLeaseCleanup = 10 * time.Second

// leaseCleanupTimeout bounds a lease's release and the removal of expired
// leases: --timeout, but at least minLeaseCleanup.
func leaseCleanupTimeout(af *applyOptions) time.Duration {
	return max(af.rf.timeout, minLeaseCleanup)
}

// removeExpiredLeases deletes the expired leases in the workspace's
// snapshot (left by a run that was killed, or whose delete failed) and
// says so; it sends nothing when none has expired. A failure is a
// warning: the next apply tries again. It returns the leases left.
func (f *Factory) removeExpiredLeases(ctx context.Context, pl planned, af *applyOptions) []plain.Target {
	if len(pl.live.Leases) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, leaseCleanupTimeout(af))
	defer cancel()
	ws := pl.live.Workspace.ID
	removed, _, err := lock.RemoveExpired(ctx, pl.client, pl.live.Leases, time.Now(), 0)
	if len(removed) > 0 {
		fmt.Fprintf(f.IO.ErrOut, "Removed %d expired apply lease(s) of workspace %s (%s), left by plainsync runs that could not delete them.\n",
			len(removed), inert.Text(ws), inert.Text(strings.Join(removed, ", ")))
	}
	if err != nil {
		fmt.Fprintf(f.IO.ErrOut, "Warning: could not remove the expired apply leases of workspace %s: %s; the next apply tries again.\n",
			inert.Text(ws), inert.Lines(f.Secrets.Mask(err.Error())))
	}
	var left []plain.Target
	for _, t := range pl.live.Leases {
		if !slices.Contains(removed, t.ID) {
			left = append(left, t)
		}
	}
	return left
}

// errChangedWhileWaiting explains a refusal after the lock was held.
var errChangedWhileWaiting = errors.New("live state changed while this apply waited for the workspace (another apply ran); nothing was written")

// replanLocked re-reads live state once the workspace is held. Unchanged,
// the plan stands. Changed (another apply ran while this one waited), a
// saved plan or a plan confirmed at a prompt is refused, since it is not
// what was reviewed; with --auto-approve the plan is computed again from
// the file, shown, guarded and applied: that is what the file implies now,
// and it does not repeat the other run's creates.
func (f *Factory) replanLocked(ctx context.Context, w io.Writer, pl planned, af *applyOptions) (planned, error) {
	live, err := pl.client.Snapshot(ctx)
	if err != nil {
		return pl, fmt.Errorf("read live state: %w", err)
	}
	if diff.Fingerprint(live) == pl.plan.Fingerprint {
		pl.live = live
		return pl, nil
	}
	switch {
	case pl.saved:
		return pl, fmt.Errorf("%w; the saved plan is stale: run plainsync plan again", errChangedWhileWaiting)
	case !af.autoApprove:
		return pl, fmt.Errorf("%w; review the new plan: run plainsync apply again", errChangedWhileWaiting)
	}
	p, problems := diff.Compute(pl.desired, live, diff.Options{Prune: pl.plan.Prune})
	f.reportProblems(problems)
	if spec.HasErrors(problems) {
		return pl, fmt.Errorf("live state changed while this apply waited, and the file no longer plans against it; nothing was written")
	}
	p.APIKeyEnv = pl.desired.APIKeyEnv
	next := pl
	next.live, next.plan = live, p
	fmt.Fprintln(w, "\nLive state changed while this apply waited for the workspace (another apply ran); planned again:")
	if err := render.Text(w, p, f.renderOptions()); err != nil {
		return pl, err
	}
	if err := f.summarizePlan(p, false, 1); err != nil {
		return pl, err
	}
	if !p.HasChanges() {
		return next, nil
	}
	if err := checkGuards(next, af); err != nil {
		return pl, err
	}
	return next, nil
}
