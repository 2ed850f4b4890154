package reconcile

import (
	"context"
	"fmt"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/ordered"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

// Plan reads every file's workspace and computes its plan. Problems go to
// rep; any error-severity problem in the files, or between them, stops
// before or without planning anything (ErrReported). A failure of one
// workspace (its key, its network, its plan) is kept in that file's
// result, in file order, and the others are still planned; callers report
// it (see Failed).
func Plan(ctx context.Context, req *Request, rep Reporter) ([]Planned, error) {
	ds := req.Files
	// Files for one workspace must be scoped and disjoint; what their
	// workspace: values show is checked before any request.
	problems := append(append([]spec.Problem(nil), req.Problems...), spec.CheckShared(ds, func(d *spec.Desired) string { return d.Workspace.Value })...)
	spec.SortProblems(problems)
	rep.Problems(problems)
	if spec.HasErrors(problems) {
		return nil, ErrReported
	}
	if req.Workspaces < 1 {
		return nil, fmt.Errorf("--workspaces-parallelism must be at least 1, got %d", req.Workspaces)
	}
	// Connecting needs no network; files sharing a key share its client,
	// and so its rate limiter. A file whose key is missing fails alone.
	out := make([]Planned, len(ds))
	clients := map[string]Client{}
	for i, d := range ds {
		out[i] = Planned{Desired: d}
		c, ok := clients[d.APIKeyEnv]
		if !ok {
			var err error
			if c, err = req.Connect(d.APIKeyEnv); err != nil {
				out[i].Err = fmt.Errorf("%s: %w", d.File, err)
				continue
			}
			clients[d.APIKeyEnv] = c
		}
		out[i].Client = c
	}
	// One key is one client is one workspace: each client's workspace is
	// read once, however many (scoped) files share it, and those files
	// share the snapshot. Nothing changes a snapshot once read (diff,
	// policy, the lease and apply only read it; a re-read replaces it),
	// so the sharing is safe. The workspaces are read several at once;
	// what follows is in file order, so output does not depend on which
	// answered first.
	readOf := make([]int, len(out)) // the read that stands for file i
	var readers []int               // the first file of each read
	byKey := map[string]int{}
	for i, d := range ds {
		if out[i].Err != nil {
			continue
		}
		k, ok := byKey[d.APIKeyEnv]
		if !ok {
			k = len(readers)
			byKey[d.APIKeyEnv] = k
			readers = append(readers, i)
		}
		readOf[i] = k
	}
	snaps := make([]*plain.Snapshot, len(readers))
	readErrs := make([]error, len(readers))
	ordered.Each(len(readers), req.Workspaces, func(k int) {
		snaps[k], readErrs[k] = out[readers[k]].Client.Snapshot(ctx)
	})
	var reached []*spec.Desired
	var lives []*plain.Snapshot
	for i, d := range ds {
		if out[i].Err != nil {
			continue
		}
		if err := readErrs[readOf[i]]; err != nil {
			out[i].Err = fmt.Errorf("%s: %w", d.File, err)
			continue
		}
		out[i].Live = snaps[readOf[i]]
		reached = append(reached, d)
		lives = append(lives, out[i].Live)
	}
	// The same rule by the workspaces the keys reached (files without
	// workspace: values) and the live names (a live target in two scopes
	// would have two owners).
	if problems := diff.CheckShared(reached, lives); len(problems) > 0 {
		rep.Problems(problems)
		if spec.HasErrors(problems) {
			return nil, ErrReported
		}
	}
	var plans []*diff.Plan
	for i := range out {
		pl := &out[i]
		if pl.Err != nil {
			continue
		}
		// Every policy rule runs here, the live ones included, with the
		// live catalog; a violation fails the file like a plan error.
		if problems := req.Policy.Check(pl.Desired, pl.Live); len(problems) > 0 {
			rep.Problems(problems)
			pl.Err = fmt.Errorf("%s: violates the policy: %s", pl.Desired.File, problemCount(problems))
			continue
		}
		p, problems := diff.Compute(pl.Desired, pl.Live, diff.Options{Prune: req.Prune})
		rep.Problems(problems)
		if spec.HasErrors(problems) {
			pl.Err = fmt.Errorf("%s: cannot plan against workspace %s: %s", pl.Desired.File, pl.Live.Workspace.ID, problemCount(problems))
			continue
		}
		p.APIKeyEnv = pl.Desired.APIKeyEnv
		pl.Plan = p
		plans = append(plans, p)
	}
	if problems := diff.CheckSharedLimit(plans); len(problems) > 0 {
		rep.Problems(problems)
		return nil, ErrReported
	}
	return out, nil
}

// Drift is Plan in check mode: it never writes, and its plans say what
// differs between the files and their workspaces (with req.Prune,
// unmanaged live targets too).
func Drift(ctx context.Context, req *Request, rep Reporter) ([]Planned, error) {
	return Plan(ctx, req, rep)
}

// problemCount words how many errors a plan had, which were printed.
func problemCount(ps []spec.Problem) string {
	n := 0
	for _, p := range ps {
		if p.Severity == spec.SeverityError {
			n++
		}
	}
	if n == 1 {
		return "1 error (above)"
	}
	return fmt.Sprintf("%d errors (above)", n)
}

// Failed returns the results that carry an error.
func Failed(plans []Planned) []Planned {
	var out []Planned
	for _, pl := range plans {
		if pl.Err != nil {
			out = append(out, pl)
		}
	}
	return out
}

// OK returns the results that carry a plan.
func OK(plans []Planned) []Planned {
	var out []Planned
	for _, pl := range plans {
		if pl.Err == nil {
			out = append(out, pl)
		}
	}
	return out
}
