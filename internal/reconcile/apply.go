package reconcile

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/plainsync/plainsync/internal/apply"
	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/ordered"
)

// Values of ApplyOptions.LockMode (--lock).
const (
	LockPlain = "plain" // the local lock and the lease in Plain (default)
	LockLocal = "local" // the local lock only
	LockOff   = "none"  // no lock at all
)

// DefaultLockTimeout is how long apply waits, by default, for another
// apply of the same workspace: long enough for a typical apply to finish.
const DefaultLockTimeout = 2 * time.Minute

// ApplyOptions are apply's choices.
type ApplyOptions struct {
	DryRun      bool
	AutoApprove bool
	// Parallelism is the number of concurrent mutations per phase.
	Parallelism int
	// Workspaces bounds how many workspaces are applied at once.
	Workspaces int
	// Timeout is each request's timeout: a create Plain still holds
	// commits within it, and lease cleanup gets at least that long.
	Timeout time.Duration
	// MaxDeletePercent and MaxUpdatePercent win over the file's guards
	// when DeleteSet and UpdateSet say the flags were given.
	MaxDeletePercent, MaxUpdatePercent float64
	DeleteSet, UpdateSet               bool
	Force                              bool
	// AllowDestroy names the protected targets this run may delete or
	// re-point.
	AllowDestroy []string
	// LockMode is LockPlain, LockLocal or LockOff.
	LockMode    string
	LockTimeout time.Duration
	// LockDir holds the local locks; Endpoint names the API they are for.
	LockDir, Endpoint string
	// Confirmer asks before applying (unless AutoApprove or DryRun).
	Confirmer Confirmer
	// Now is the clock of lease expiry; nil means time.Now.
	Now func() time.Time
}

func (o *ApplyOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Apply shows every plan, checks every plan's guards, confirms once and
// only then executes the plans, each workspace under its lock and
// re-planned once the lock is held. With several files a refusal (safety
// guard, missing permission, no confirmation) comes before anything is
// written: otherwise the first files would be applied and a later one
// refused, leaving the workspaces half-applied. Every plan must carry a
// plan (see Failed). It returns false when any change failed.
func Apply(ctx context.Context, plans []Planned, o *ApplyOptions, rep Reporter) (bool, error) {
	// refuse reports a refusal; nothing is applied, to any file.
	refuse := func(err error) (bool, error) {
		if serr := rep.Refused(err); serr != nil {
			return false, serr
		}
		return false, err
	}
	// fileErr names the file when there are several, so that a refusal
	// says which plan it is about (every channel masks what it prints).
	fileErr := func(p *diff.Plan, err error) error {
		if len(plans) > 1 {
			return fmt.Errorf("%s: %w", p.File, err)
		}
		return err
	}
	var todo, idle []Planned
	for i, pl := range plans {
		p := pl.Plan
		if err := rep.PlanShown(p, i, len(plans)); err != nil {
			return false, err
		}
		if !p.HasChanges() {
			idle = append(idle, pl)
			continue
		}
		if err := CheckGuards(pl, o); err != nil {
			return refuse(fileErr(p, err))
		}
		todo = append(todo, pl)
	}
	// A workspace with nothing to apply takes no lease, so an expired one
	// left there (its run killed, or its delete failed) would stay for
	// good once the file is applied: apply removes it (not a dry run).
	removeIdle := func() {
		for _, pl := range idle {
			removeExpiredLeases(ctx, pl, o, rep)
		}
	}
	if o.DryRun && o.LockMode == LockPlain {
		// Say which expired leases a real apply would remove.
		for _, pl := range append(slices.Clone(idle), todo...) {
			NoteExpiredLeases(pl, o.now(), rep)
		}
	}
	if len(todo) == 0 {
		if !o.DryRun {
			removeIdle()
		}
		return true, nil
	}
	if o.DryRun {
		ps := make([]*diff.Plan, len(todo))
		for i, pl := range todo {
			ps[i] = pl.Plan
		}
		return true, rep.DryRun(ps, len(plans) > 1)
	}
	if !o.AutoApprove {
		ok, err := o.Confirmer.Confirm()
		if err != nil {
			return refuse(err)
		}
		if !ok {
			rep.Cancelled()
			return false, ErrReported
		}
	}
	removeIdle()
	succeeded := true
	// The workspaces are applied several at once, each in its own phase
	// order under its own key; the output is what one after another would
	// print (the first unfinished workspace streams, the others wait).
	results := make([]string, len(todo))
	ok := make([]bool, len(todo))
	errs := make([]error, len(todo))
	ordered.Run(len(todo), o.Workspaces, rep.Output(), func(i int, w io.Writer) {
		pl := todo[i]
		// One writer per workspace: hold the local lock and the lease
		// while applying, and apply what live state shows once they are
		// held, not what it showed before the wait.
		release, fresh, err := lockWorkspace(ctx, pl, o, rep)
		if err != nil {
			errs[i] = fileErr(pl.Plan, err)
			return
		}
		defer release()
		pl, err = replanLocked(ctx, w, pl, o, rep, fresh)
		if err != nil {
			errs[i] = fileErr(pl.Plan, err)
			return
		}
		if !pl.Plan.HasChanges() {
			rep.NothingLeft(w)
			ok[i] = true
			return
		}
		rep.Applying(w, pl.Plan.File, len(plans) > 1)
		res := apply.Execute(ctx, pl.Plan, pl.Client, apply.Options{
			Parallelism: o.Parallelism,
			// A request Plain still holds commits within its timeout.
			LostCreateWait: o.Timeout,
			Progress:       rep.Progress(w),
		})
		results[i], ok[i] = rep.Applied(w, res), res.Succeeded()
	})
	if len(todo) == 1 && errs[0] != nil {
		return refuse(errs[0])
	}
	for i := range todo {
		if errs[i] != nil {
			// Locking or re-planning one workspace failed; it wrote nothing.
			if err := rep.WorkspaceFailed(todo[i].Plan.File, errs[i]); err != nil {
				return false, err
			}
			succeeded = false
			continue
		}
		if err := rep.FileApplied(todo[i].Plan.File, results[i], ok[i]); err != nil {
			return false, err
		}
		succeeded = succeeded && ok[i]
	}
	return succeeded, nil
}

// CheckGuards runs the protection check (which Force does not lift), the
// safety guards and the permission preflight.
func CheckGuards(pl Planned, o *ApplyOptions) error {
	p := pl.Plan
	if err := apply.CheckProtected(p, o.AllowDestroy); err != nil {
		return err
	}
	if err := apply.CheckSafety(p, apply.SafetyOptions{
		MaxDelete: guardLimit(p, o.DeleteSet, o.MaxDeletePercent, p.MaxDeletePercent, "max-delete-percent", "maxDeletePercent", apply.DefaultMaxDeletePercent),
		MaxUpdate: guardLimit(p, o.UpdateSet, o.MaxUpdatePercent, p.MaxUpdatePercent, "max-update-percent", "maxUpdatePercent", apply.DefaultMaxUpdatePercent),
		Force:     o.Force,
		EmptyFile: emptyDesired(p),
	}); err != nil {
		return err
	}
	return apply.Preflight(p, pl.Live.Permissions)
}

// emptyDesired reports whether the plan's file listed no webhooks: every
// desired target yields a create, update or no-op.
func emptyDesired(p *diff.Plan) bool {
	for _, ch := range p.Changes {
		if ch.After != nil {
			return false
		}
	}
	return true
}

// guardLimit picks a guard's threshold: the flag when given, else the
// file's guards: value, else the default, and says which, so that a refusal
// names the knob that set it.
func guardLimit(p *diff.Plan, flagSet bool, flagValue float64, fileValue *float64, flag, key string, def float64) apply.Limit {
	switch {
	case flagSet:
		return apply.Limit{Percent: flagValue, Source: fmt.Sprintf("--%s %g", flag, flagValue)}
	case fileValue != nil:
		return apply.Limit{Percent: *fileValue, Source: fmt.Sprintf("guards.%s %g in %s", key, *fileValue, p.File)}
	}
	return apply.Limit{Percent: def, Source: fmt.Sprintf("--%s %g (the default)", flag, def)}
}

// CheckFlags refuses choices that cannot be meant, before anything is
// read: a parallelism below 1, a percentage outside 0..100, an unknown
// lock mode.
func (o *ApplyOptions) CheckFlags() error {
	if o.Parallelism < 1 {
		return fmt.Errorf("--parallelism must be at least 1, got %d", o.Parallelism)
	}
	if o.MaxDeletePercent < 0 || o.MaxDeletePercent > 100 {
		return fmt.Errorf("--max-delete-percent must be between 0 and 100, got %g", o.MaxDeletePercent)
	}
	if o.MaxUpdatePercent < 0 || o.MaxUpdatePercent > 100 {
		return fmt.Errorf("--max-update-percent must be between 0 and 100, got %g", o.MaxUpdatePercent)
	}
	switch o.LockMode {
	case LockPlain, LockLocal, LockOff:
		return nil
	}
	return fmt.Errorf("--lock must be plain, local or none, got %q", o.LockMode)
}
