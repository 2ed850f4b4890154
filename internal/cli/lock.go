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
	"sync"
	"time"

	"github.com/plainsync/plainsync/internal/api"
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

// Values of --lock.
const (
	lockPlain = "plain" // the local lock and the lease in Plain (default)
	lockLocal = "local" // the local lock only
	lockNone  = "none"  // no lock at all
)

// lockWorkspace makes this apply the workspace's only writer, as --lock
// says: with "plain" (the default) the local lock for runs on this
// machine, then the lease in Plain for every other runner, both within
// --lock-timeout; with "local" the local lock only; with "none" nothing.
// The lease never blocks an apply for a reason of its own: when it cannot
// be taken (no free slot, the key lacks create or delete, the file's
// ignore: covers lease targets, or Plain refuses the lease target) apply
// says so in one line and goes on under the local lock. It returns the
// release, which also runs after Ctrl-C (the lease is deleted under a
// context of its own), and the workspace as it stands now that the apply
// holds it when that is known without another read (nil otherwise, and
// replanLocked reads it): the lease's deciding read, or with --lock local
// the plan's own snapshot when no run on this machine has held the local
// lock since it was read (lock.Local.Unchanged).
func (f *Factory) lockWorkspace(ctx context.Context, pl planned, af *applyOptions) (release func(), fresh *plain.Snapshot, err error) {
	ws := pl.live.Workspace.ID
	if af.lockMode == lockNone {
		fmt.Fprintf(f.IO.ErrOut, "Applying to workspace %s without any lock (--lock none): nothing holds off another apply at the same moment.\n", inert.Text(ws))
		return func() {}, nil, nil
	}
	start := time.Now()
	local, err := lock.AcquireLocal(ctx, lock.LocalPath(f.lockDir(), f.endpoint(&af.rf), ws), af.lockTimeout, 100*time.Millisecond)
	if err != nil {
		return nil, nil, err
	}
	if af.lockMode == lockLocal {
		if local.Unchanged(pl.live.ReadAt) {
			fresh = pl.live
		}
		return func() { _ = local.Unlock() }, fresh, nil
	}
	localOnly := func(why string) {
		fmt.Fprintf(f.IO.ErrOut, "Applying to workspace %s under the local lock only: %s; an apply from another machine at the same moment is not held off (see --lock).\n", inert.Text(ws), why)
	}
	leases := f.removeExpiredLeases(ctx, pl, af)
	// The lease starts from what the plan read, less what was removed.
	seen := *pl.live
	seen.Leases = leases
	warn := f.notHonoured(ws)
	for _, t := range lock.NotHonoured(pl.live.Leases, time.Now()) {
		_, until, _ := plain.ParseLease(t)
		warn(t.ID, until)
	}
	creates := pl.plan.Counts().Create
	occupied := len(pl.live.Targets) + len(leases)
	var lease *lock.Lease
	switch why := f.leaseUnavailable(pl, occupied, creates); {
	case why != "":
		localOnly(why)
	default:
		lease, err = lock.AcquireLease(ctx, pl.client, lock.LeaseOptions{
			Timeout:   max(0, af.lockTimeout-time.Since(start)),
			EventType: pl.live.EventTypes[0].EventType,
			Waiting: func(holder string, until time.Time) {
				fmt.Fprintf(f.IO.ErrOut, "Waiting for another plainsync run (%s), which holds the apply lease of workspace %s until %s (at most %s)…\n",
					inert.Text(holder), inert.Text(ws), until.UTC().Format(time.RFC3339), af.lockTimeout)
			},
			Refused:   leaseRefused,
			Protected: ignoredBy(pl),
			Deleted: func(id string, own bool) {
				if own {
					fmt.Fprintf(f.IO.ErrOut, "Deleted this run's apply lease %s of workspace %s.\n", inert.Text(id), inert.Text(ws))
				} else {
					fmt.Fprintf(f.IO.ErrOut, "Removed expired apply lease %s of workspace %s, left by a plainsync run that could not delete it.\n", inert.Text(id), inert.Text(ws))
				}
			},
			NotHonoured: warn,
			Seen:        &seen,
		})
		if errors.Is(err, lock.ErrRefused) {
			// err reads "Plain refused the apply lease target: …"; one line.
			localOnly(inert.Text(f.Secrets.Mask(err.Error())))
			lease, err = nil, nil
		}
		if err != nil {
			_ = local.Unlock()
			return nil, nil, err
		}
		if lease != nil {
			fmt.Fprintf(f.IO.ErrOut, "Holding the apply lease of workspace %s; other plainsync runs wait for it.\n", inert.Text(ws))
			fresh = lease.Snapshot()
		}
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
	}, fresh, nil
}

// leaseUnavailable says why this apply cannot take a lease in Plain, or
// "" when it can. occupied counts the live targets and leases.
func (f *Factory) leaseUnavailable(pl planned, occupied, creates int) string {
	switch {
	case occupied+creates+1 > plain.MaxTargets:
		return fmt.Sprintf("no free target slot for the apply lease (%d targets, %d to create, Plain allows %d)", occupied, creates, plain.MaxTargets)
	case len(pl.live.EventTypes) == 0:
		return "the workspace lists no event types for the apply lease to subscribe to"
	case !slices.Contains(pl.live.Permissions, plain.PermCreate) || !slices.Contains(pl.live.Permissions, plain.PermDelete):
		// An update-only apply needs neither; the lease needs both.
		return fmt.Sprintf("the API key lacks %s or %s, which the apply lease needs", plain.PermCreate, plain.PermDelete)
	case diff.Ignored(pl.desired, &plain.Target{URL: lock.LeaseURL, Description: plain.LeasePrefix + " v1 holder=0 until=2000-01-01T00:00:00.000Z"}):
		return "the file's ignore: rules cover the apply lease targets, which plainsync then never touches"
	}
	return ""
}

// leaseRefused reports whether an error of the lease's create is Plain
// refusing the target: a MutationError of type VALIDATION (for instance
// on its URL, should Plain check hosts; or too_many_webhook_targets, the
// documented code of a full workspace, see ../shared/plain/README.md) or
// FORBIDDEN (the key may not create targets). Plain applied nothing then
// (a MutationError is a rejected change), so the lease can be given up.
func leaseRefused(err error) bool {
	var me *api.MutationError
	if errors.As(err, &me) {
		return me.Type == "VALIDATION" || me.Type == "FORBIDDEN" || me.Code == "too_many_webhook_targets"
	}
	return errors.Is(err, api.ErrForbidden)
}

// ignoredBy protects the targets the file's ignore: rules cover.
func ignoredBy(pl planned) func(plain.Target) bool {
	return func(t plain.Target) bool { return diff.Ignored(pl.desired, &t) }
}

// notHonoured returns what says, once per target, that a target which
// would be an apply lease but for an end further ahead than any lease can
// have is not honoured (it blocks nothing and is never deleted).
func (f *Factory) notHonoured(ws string) func(id string, until time.Time) {
	var mu sync.Mutex
	reported := map[string]bool{}
	return func(id string, until time.Time) {
		mu.Lock()
		defer mu.Unlock()
		if reported[id] {
			return
		}
		reported[id] = true
		fmt.Fprintf(f.IO.ErrOut, "Warning: target %s in workspace %s is described as an apply lease held until %s, further ahead than a lease can be (%s plus %s of clock skew); it is not honoured, and plainsync leaves it alone.\n",
			inert.Text(id), inert.Text(ws), until.UTC().Format(time.RFC3339), plain.LeaseTTL, plain.LeaseSkew)
	}
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
// says so, naming each; it sends nothing when none has expired. Only
// leases are deleted (see lock.Expired), never a target the file's
// ignore: covers. A failure is a
// warning: the next apply tries again. It returns the leases left.
func (f *Factory) removeExpiredLeases(ctx context.Context, pl planned, af *applyOptions) []plain.Target {
	if len(pl.live.Leases) == 0 || af.lockMode != lockPlain {
		return pl.live.Leases
	}
	ctx, cancel := context.WithTimeout(ctx, leaseCleanupTimeout(af))
	defer cancel()
	ws := pl.live.Workspace.ID
	removed, _, err := lock.RemoveExpired(ctx, pl.client, pl.live.Leases, time.Now(), 0, ignoredBy(pl))
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

// replanLocked re-reads live state once the workspace is held, unless
// fresh (from lockWorkspace) already holds it. Unchanged,
// the plan stands. Changed (another apply ran while this one waited), a
// saved plan or a plan confirmed at a prompt is refused, since it is not
// what was reviewed; with --auto-approve the plan is computed again from
// the file, shown, guarded and applied: that is what the file implies now,
// and it does not repeat the other run's creates.
func (f *Factory) replanLocked(ctx context.Context, w io.Writer, pl planned, af *applyOptions, fresh *plain.Snapshot) (planned, error) {
	live := fresh
	if live == nil {
		var err error
		if live, err = pl.client.Snapshot(ctx); err != nil {
			return pl, fmt.Errorf("read live state: %w", err)
		}
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

// noteExpiredLeases tells, for plan and apply --dry-run, which expired
// apply leases apply (with --lock plain, the default) would remove.
func (f *Factory) noteExpiredLeases(pl planned) {
	if pl.live == nil {
		return
	}
	if ids := lock.Expired(pl.live.Leases, time.Now(), ignoredBy(pl)); len(ids) > 0 {
		fmt.Fprintf(f.IO.ErrOut, "Note: apply will remove %d expired apply lease(s) of workspace %s (%s), left by plainsync runs that could not delete them.\n",
			len(ids), inert.Text(pl.live.Workspace.ID), inert.Text(strings.Join(ids, ", ")))
	}
}
