package reconcile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/diff/planfile"
	"github.com/plainsync/plainsync/internal/lock"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

// lockWorkspace makes this apply the workspace's only writer, as LockMode
// says: with LockPlain the local lock for runs on this machine, then the
// lease in Plain for every other runner, both within LockTimeout; with
// LockLocal the local lock only; with LockOff nothing. The lease never
// blocks an apply for a reason of its own: when it cannot be taken (no
// free slot, the key lacks create or delete, the file's ignore: covers
// lease targets, or Plain refuses the lease target) apply says so and goes
// on under the local lock. It returns the release, which also runs after
// Ctrl-C (the lease is deleted under a context of its own), and the
// workspace as it stands now that the apply holds it when that is known
// without another read (nil otherwise, and replanLocked reads it): the
// lease's deciding read, or with LockLocal the plan's own snapshot when no
// run on this machine has held the local lock since it was read
// (lock.Local.Unchanged).
func lockWorkspace(ctx context.Context, pl Planned, o *ApplyOptions, rep Reporter) (release func(), fresh *plain.Snapshot, err error) {
	ws := pl.Live.Workspace.ID
	if o.LockMode == LockOff {
		rep.Lock(LockEvent{Kind: LockNone, Workspace: ws})
		return func() {}, nil, nil
	}
	start := time.Now()
	local, err := lock.AcquireLocal(ctx, lock.LocalPath(o.LockDir, o.Endpoint, ws), o.LockTimeout, 100*time.Millisecond)
	if err != nil {
		return nil, nil, err
	}
	if o.LockMode == LockLocal {
		if local.Unchanged(pl.Live.ReadAt) {
			fresh = pl.Live
		}
		return func() { _ = local.Unlock() }, fresh, nil
	}
	leases := removeExpiredLeases(ctx, pl, o, rep)
	// The lease starts from what the plan read, less what was removed.
	seen := *pl.Live
	seen.Leases = leases
	warn := notHonoured(ws, rep)
	for _, t := range lock.NotHonoured(pl.Live.Leases, o.now()) {
		_, until, _ := plain.ParseLease(t)
		warn(t.ID, until)
	}
	creates := pl.Plan.Counts().Create
	occupied := len(pl.Live.Targets) + len(leases)
	var lease *lock.Lease
	switch why := leaseUnavailable(pl, occupied, creates); {
	case why != "":
		rep.Lock(LockEvent{Kind: LockLocalOnly, Workspace: ws, Reason: why})
	default:
		lease, err = lock.AcquireLease(ctx, pl.Client, lock.LeaseOptions{
			Timeout:   max(0, o.LockTimeout-time.Since(start)),
			EventType: pl.Live.EventTypes[0].EventType,
			Waiting: func(holder string, until time.Time) {
				rep.Lock(LockEvent{Kind: LockWaiting, Workspace: ws, Holder: holder, Until: until, Timeout: o.LockTimeout})
			},
			Refused:   leaseRefused,
			Protected: ignoredBy(pl),
			Deleted: func(id string, own bool) {
				kind := LockDeletedExpired
				if own {
					kind = LockDeletedOwn
				}
				rep.Lock(LockEvent{Kind: kind, Workspace: ws, ID: id})
			},
			NotHonoured: warn,
			Seen:        &seen,
		})
		if errors.Is(err, lock.ErrRefused) {
			// err reads "Plain refused the apply lease target: …".
			rep.Lock(LockEvent{Kind: LockLocalOnly, Workspace: ws, Err: err})
			lease, err = nil, nil
		}
		if err != nil {
			_ = local.Unlock()
			return nil, nil, err
		}
		if lease != nil {
			rep.Lock(LockEvent{Kind: LockHolding, Workspace: ws})
			fresh = lease.Snapshot()
		}
	}
	return func() {
		if lease != nil {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), leaseCleanupTimeout(o))
			if err := lease.Release(rctx); err != nil {
				rep.Lock(LockEvent{Kind: LockReleaseFailed, Workspace: ws, Err: err})
			}
			cancel()
		}
		_ = local.Unlock()
	}, fresh, nil
}

// leaseUnavailable says why this apply cannot take a lease in Plain, or
// "" when it can. occupied counts the live targets and leases.
func leaseUnavailable(pl Planned, occupied, creates int) string {
	switch {
	case occupied+creates+1 > plain.MaxTargets:
		return fmt.Sprintf("no free target slot for the apply lease (%d targets, %d to create, Plain allows %d)", occupied, creates, plain.MaxTargets)
	case len(pl.Live.EventTypes) == 0:
		return "the workspace lists no event types for the apply lease to subscribe to"
	case !slices.Contains(pl.Live.Permissions, plain.PermCreate) || !slices.Contains(pl.Live.Permissions, plain.PermDelete):
		// An update-only apply needs neither; the lease needs both.
		return fmt.Sprintf("the API key lacks %s or %s, which the apply lease needs", plain.PermCreate, plain.PermDelete)
	case diff.Ignored(pl.Desired, &plain.Target{URL: lock.LeaseURL, Description: plain.LeasePrefix + " v1 holder=0 until=2000-01-01T00:00:00.000Z"}):
		return "the file's ignore: rules cover the apply lease targets, which plainsync then never touches"
	}
	return ""
}

// leaseRefused reports whether an error of the lease's create is Plain
// refusing the target: a MutationError of type VALIDATION (for instance
// on its URL, should Plain check hosts; or too_many_webhook_targets, the
// documented code of a full workspace, Plain's error-codes reference, as in internal/plainmock) or
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
func ignoredBy(pl Planned) func(plain.Target) bool {
	return func(t plain.Target) bool { return diff.Ignored(pl.Desired, &t) }
}

// notHonoured returns what reports, once per target, that a target which
// would be an apply lease but for an end further ahead than any lease can
// have is not honoured (it blocks nothing and is never deleted).
func notHonoured(ws string, rep Reporter) func(id string, until time.Time) {
	var mu sync.Mutex
	reported := map[string]bool{}
	return func(id string, until time.Time) {
		mu.Lock()
		defer mu.Unlock()
		if reported[id] {
			return
		}
		reported[id] = true
		rep.Lock(LockEvent{Kind: LockNotHonoured, Workspace: ws, ID: id, Until: until})
	}
}

// minLeaseCleanup is the least time a lease's release, or the removal of
// expired leases, gets for its retries, however short Timeout is.
const minLeaseCleanup = 10 * time.Second

// leaseCleanupTimeout bounds a lease's release and the removal of expired
// leases: Timeout, but at least minLeaseCleanup.
func leaseCleanupTimeout(o *ApplyOptions) time.Duration {
	return max(o.Timeout, minLeaseCleanup)
}

// removeExpiredLeases deletes the expired leases in the workspace's
// snapshot (left by a run that was killed, or whose delete failed) and
// reports them; it sends nothing when none has expired. Only leases are
// deleted (see lock.Expired), never a target the file's ignore: covers. A
// failure is a warning: the next apply tries again. It returns the leases
// left.
func removeExpiredLeases(ctx context.Context, pl Planned, o *ApplyOptions, rep Reporter) []plain.Target {
	if len(pl.Live.Leases) == 0 || o.LockMode != LockPlain {
		return pl.Live.Leases
	}
	ctx, cancel := context.WithTimeout(ctx, leaseCleanupTimeout(o))
	defer cancel()
	ws := pl.Live.Workspace.ID
	removed, _, err := lock.RemoveExpired(ctx, pl.Client, pl.Live.Leases, o.now(), 0, ignoredBy(pl))
	if len(removed) > 0 {
		rep.Lock(LockEvent{Kind: LockExpiredRemoved, Workspace: ws, IDs: removed})
	}
	if err != nil {
		rep.Lock(LockEvent{Kind: LockExpiredRemoveFailed, Workspace: ws, Err: err})
	}
	var left []plain.Target
	for _, t := range pl.Live.Leases {
		if !slices.Contains(removed, t.ID) {
			left = append(left, t)
		}
	}
	return left
}

// NoteExpiredLeases reports, for plan and apply --dry-run, which expired
// apply leases apply (with LockPlain, the default) would remove.
func NoteExpiredLeases(pl Planned, now time.Time, rep Reporter) {
	if pl.Live == nil {
		return
	}
	if ids := lock.Expired(pl.Live.Leases, now, ignoredBy(pl)); len(ids) > 0 {
		rep.Lock(LockEvent{Kind: LockExpiredNote, Workspace: pl.Live.Workspace.ID, IDs: ids})
	}
}

// ErrChangedWhileWaiting explains a refusal after the lock was held.
var ErrChangedWhileWaiting = errors.New("live state changed while this apply waited for the workspace (another apply ran); nothing was written")

// replanLocked re-reads live state once the workspace is held, unless
// fresh (from lockWorkspace) already holds it. Unchanged,
// the plan stands. Changed (another apply ran while this one waited), a
// saved plan or a plan confirmed at a prompt is refused, since it is not
// what was reviewed; with AutoApprove the plan is computed again from the
// file, shown, guarded and applied: that is what the file implies now, and
// it does not repeat the other run's creates.
func replanLocked(ctx context.Context, w io.Writer, pl Planned, o *ApplyOptions, rep Reporter, fresh *plain.Snapshot) (Planned, error) {
	live := fresh
	if live == nil {
		var err error
		if live, err = pl.Client.Snapshot(ctx); err != nil {
			return pl, fmt.Errorf("read live state: %w", err)
		}
	}
	if diff.Fingerprint(live) == pl.Plan.Fingerprint {
		pl.Live = live
		return pl, nil
	}
	// The workspace changed, but perhaps not where this file looks: a
	// scoped file's plan is untouched by another scope's changes (the
	// run's own earlier file of the same workspace, or another team's
	// apply). When the file implies exactly the changes that were shown,
	// target by target and field by field, they are still what was
	// reviewed, and they are applied against what Plain holds now.
	if p, problems := diff.Compute(pl.Desired, live, diff.Options{Prune: pl.Plan.Prune}); !spec.HasErrors(problems) && planfile.SameChanges(pl.Plan, p) {
		p.APIKeyEnv = pl.Desired.APIKeyEnv
		pl.Live, pl.Plan = live, p
		return pl, nil
	}
	switch {
	case pl.Saved:
		return pl, fmt.Errorf("%w; the saved plan is stale: run plainsync plan again", ErrChangedWhileWaiting)
	case !o.AutoApprove:
		return pl, fmt.Errorf("%w; review the new plan: run plainsync apply again", ErrChangedWhileWaiting)
	}
	p, problems := diff.Compute(pl.Desired, live, diff.Options{Prune: pl.Plan.Prune})
	rep.Problems(problems)
	if spec.HasErrors(problems) {
		return pl, fmt.Errorf("live state changed while this apply waited, and the file no longer plans against it; nothing was written")
	}
	p.APIKeyEnv = pl.Desired.APIKeyEnv
	next := pl
	next.Live, next.Plan = live, p
	if err := rep.Replanned(w, p); err != nil {
		return pl, err
	}
	if !p.HasChanges() {
		return next, nil
	}
	if err := CheckGuards(next, o); err != nil {
		return pl, err
	}
	return next, nil
}
