package cli

import (
	"context"
	"fmt"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/ordered"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/render"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// planned is one desired file planned against its workspace, or the error
// that kept it from being planned (err set, plan nil): one workspace that
// cannot be reached must not hide every other workspace's result.
type planned struct {
	desired *spec.Desired
	client  PlainClient
	live    *plain.Snapshot
	plan    *diff.Plan
	err     error
	// saved is set for a plan read from a file: it is applied as it
	// stands or not at all.
	saved bool
}

// planFiles loads and validates every file, reads each workspace and
// computes its plan. Problems are printed to stderr; any error-severity
// problem in the files, or between them, stops before or without planning
// anything. A failure of one workspace (its key, its network, its plan)
// is kept in that file's result, in file order, and the others are still
// planned; callers report it and exit 1 (see failedPlans).
func planFiles(ctx context.Context, f *Factory, files []string, rf *remoteFlags, prune bool) ([]planned, error) {
	ds, problems := loadFiles(f, files)
	if f.actions().Enabled() {
		// Every loaded file keeps its comment even if the step stops on
		// another's error; files that did not load are recorded with
		// their problems (reportProblems).
		for _, d := range ds {
			f.report.file(d.File)
		}
	}
	for _, d := range ds {
		f.Secrets.AddMasker(d.Secrets)
	}
	if err := f.maskSecrets(); err != nil {
		return nil, err
	}
	// Files for one workspace must be scoped and disjoint; what their
	// workspace: values show is checked before any request.
	problems = append(problems, spec.CheckShared(ds, func(d *spec.Desired) string { return d.Workspace.Value })...)
	// A policy that does not load stops everything before any request.
	set, polProbs := loadPolicy(f, rf.policy)
	problems = append(problems, polProbs...)
	spec.SortProblems(problems)
	f.reportProblems(problems)
	if spec.HasErrors(problems) {
		return nil, &ExitError{Code: ExitFailure}
	}
	if rf.workspaces < 1 {
		return nil, fmt.Errorf("--workspaces-parallelism must be at least 1, got %d", rf.workspaces)
	}
	// Connecting needs no network; files sharing a key share its client,
	// and so its rate limiter. A file whose key is missing fails alone.
	out := make([]planned, len(ds))
	clients := map[string]PlainClient{}
	for i, d := range ds {
		out[i] = planned{desired: d}
		c, ok := clients[d.APIKeyEnv]
		if !ok {
			var err error
			if c, err = f.connect(rf, d.APIKeyEnv); err != nil {
				out[i].err = fmt.Errorf("%s: %w", d.File, err)
				continue
			}
			clients[d.APIKeyEnv] = c
		}
		out[i].client = c
	}
	// The workspaces are read several at once; what follows is in file
	// order, so output does not depend on which answered first.
	errs := make([]error, len(out))
	ordered.Each(len(out), rf.workspaces, func(i int) {
		if out[i].err == nil {
			out[i].live, errs[i] = out[i].client.Snapshot(ctx)
		}
	})
	var reached []*spec.Desired
	var lives []*plain.Snapshot
	for i, d := range ds {
		switch {
		case out[i].err != nil:
			continue
		case errs[i] != nil:
			out[i].live, out[i].err = nil, fmt.Errorf("%s: %w", d.File, errs[i])
			continue
		}
		reached = append(reached, d)
		lives = append(lives, out[i].live)
	}
	// The same rule by the workspaces the keys reached (files without
	// workspace: values) and the live names (a live target in two scopes
	// would have two owners).
	if problems := diff.CheckShared(reached, lives); len(problems) > 0 {
		f.reportProblems(problems)
		if spec.HasErrors(problems) {
			return nil, &ExitError{Code: ExitFailure}
		}
	}
	var plans []*diff.Plan
	for i := range out {
		pl := &out[i]
		if pl.err != nil {
			continue
		}
		// Every policy rule runs here, the live ones included, with the
		// live catalog; a violation fails the file like a plan error.
		if problems := set.Check(pl.desired, pl.live); len(problems) > 0 {
			f.reportProblems(problems)
			pl.err = fmt.Errorf("%s: violates the policy: %s", pl.desired.File, problemCount(problems))
			continue
		}
		p, problems := diff.Compute(pl.desired, pl.live, diff.Options{Prune: prune})
		f.reportProblems(problems)
		if spec.HasErrors(problems) {
			pl.err = fmt.Errorf("%s: cannot plan against workspace %s: %s", pl.desired.File, pl.live.Workspace.ID, problemCount(problems))
			continue
		}
		p.APIKeyEnv = pl.desired.APIKeyEnv
		pl.plan = p
		plans = append(plans, p)
	}
	if problems := diff.CheckSharedLimit(plans); len(problems) > 0 {
		f.reportProblems(problems)
		return nil, &ExitError{Code: ExitFailure}
	}
	return out, nil
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

// failedPlans returns the results that carry an error.
func failedPlans(plans []planned) []planned {
	var out []planned
	for _, pl := range plans {
		if pl.err != nil {
			out = append(out, pl)
		}
	}
	return out
}

// okPlans returns the results that carry a plan.
func okPlans(plans []planned) []planned {
	var out []planned
	for _, pl := range plans {
		if pl.err == nil {
			out = append(out, pl)
		}
	}
	return out
}

// reportFailure prints one workspace's failure on stderr and, for -o
// json, as a document with an error field on stdout, so that the stream
// keeps one document per file; Markdown output also gets a short section,
// so that a PR comment shows which file failed. With several files the
// step summary says so too (with one, the failure is the whole story).
func (f *Factory) reportFailure(pl planned, output string, files int) error {
	msg := f.Secrets.Mask(pl.err.Error())
	switch output {
	case "json":
		if err := render.WriteJSONFailure(f.IO.Out, pl.desired.File, msg); err != nil {
			return err
		}
	case "markdown":
		fmt.Fprintf(f.IO.Out, "### plainsync: %s failed\n\n%s\n\n", inert.Text(pl.desired.File), codeBlock(inert.Lines(msg)))
	}
	fmt.Fprintf(f.IO.ErrOut, "Error: %s\n", inert.Lines(msg))
	if f.actions().Enabled() {
		fr := f.report.file(pl.desired.File)
		fr.errs = append(fr.errs, secret.RedactURLsInText(msg))
	}
	if files < 2 {
		return nil
	}
	// The file's comment shows the error above; the summary, shared by
	// every file, names it.
	return f.actions().AddStepSummary("**" + inert.Text(pl.desired.File) + " could not be planned.**\n\n" + codeBlock(inert.Lines(msg)))
}
