package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/plainsync/plainsync/internal/apply"
	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/ordered"
	"github.com/plainsync/plainsync/internal/render"
	"github.com/plainsync/plainsync/internal/secret"
)

// refuseFailed refuses to apply anything when any file could not be
// planned: apply writes every workspace or none (see applyPlans).
func refuseFailed(f *Factory, plans []planned) error {
	failed := failedPlans(plans)
	if len(failed) == 0 {
		return nil
	}
	if len(plans) == 1 {
		return &ExitError{Code: ExitFailure, Err: failed[0].err}
	}
	for _, pl := range failed {
		msg := f.Secrets.Mask(pl.err.Error())
		fmt.Fprintf(f.IO.ErrOut, "Error: %s\n", inert.Lines(msg))
		if f.actions().Enabled() {
			fr := f.report.file(pl.desired.File)
			fr.errs = append(fr.errs, secret.RedactURLsInText(msg))
		}
	}
	f.report.all = true // no file is applied
	msg := fmt.Sprintf("%d of %d files could not be planned; refusing to apply any of them, nothing was written", len(failed), len(plans))
	if err := f.summarize("**Apply refused; nothing was written.**\n\n" + codeBlock(msg)); err != nil {
		return err
	}
	return &ExitError{Code: ExitFailure, Err: errors.New(msg)}
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

// applyPlans shows every plan, checks every plan's guards, confirms once
// and only then executes the plans one after another. With several files
// a refusal (safety guard, missing permission, no confirmation) must come
// before anything is written: otherwise the first files would be applied
// and a later one refused, leaving the workspaces half-applied. It returns
// false when any change failed.
func applyPlans(ctx context.Context, f *Factory, plans []planned, af *applyOptions) (bool, error) {
	// refuse reports a refusal in the step summary too, where a reviewer
	// of the run looks first.
	refuse := func(err error) (bool, error) {
		f.report.all = true // nothing is applied, to any file
		if serr := f.summarize("**Apply refused; nothing was written.**\n\n" + codeBlock(err.Error())); serr != nil {
			return false, serr
		}
		return false, &ExitError{Code: ExitFailure, Err: err}
	}
	// fileErr names the file when there are several, so that a refusal
	// says which plan it is about.
	fileErr := func(p *diff.Plan, err error) error {
		if len(plans) > 1 {
			return fmt.Errorf("%s: %w", f.Secrets.Mask(p.File), err)
		}
		return err
	}
	var todo, idle []planned
	for i, pl := range plans {
		p := pl.plan
		if i > 0 {
			fmt.Fprintln(f.IO.Out)
		}
		if err := render.Text(f.IO.Out, p, f.renderOptions()); err != nil {
			return false, err
		}
		if err := f.summarizePlan(p, false, len(plans)); err != nil {
			return false, err
		}
		if !p.HasChanges() {
			f.report.done(p.File)
			idle = append(idle, pl)
			continue
		}
		if err := checkGuards(pl, af); err != nil {
			return refuse(fileErr(p, err))
		}
		todo = append(todo, pl)
	}
	// A workspace with nothing to apply takes no lease, so an expired one
	// left there (its run killed, or its delete failed) would stay for
	// good once the file is applied: apply removes it (not --dry-run).
	removeIdle := func() {
		for _, pl := range idle {
			f.removeExpiredLeases(ctx, pl, af)
		}
	}
	if af.dryRun && af.lockMode == lockPlain {
		// Say which expired leases a real apply would remove.
		for _, pl := range append(slices.Clone(idle), todo...) {
			f.noteExpiredLeases(pl)
		}
	}
	if len(todo) == 0 {
		if !af.dryRun {
			removeIdle()
		}
		return true, nil
	}
	if af.dryRun {
		var ops strings.Builder
		for _, pl := range todo {
			if len(plans) > 1 {
				fmt.Fprintf(&ops, "%s:\n", f.Secrets.Mask(pl.plan.File))
			}
			for i, op := range apply.Operations(pl.plan) {
				fmt.Fprintf(&ops, "  %d. %s\n", i+1, op)
			}
		}
		for _, pl := range todo {
			fr := f.report.file(pl.plan.File)
			fr.done, fr.status = true, "dry run, nothing was written"
		}
		fmt.Fprint(f.IO.Out, "\nDry run: nothing was written. apply would send these operations, in this order:\n"+ops.String())
		return true, f.summarize("**Dry run: nothing was written.** apply would send these operations, in this order:\n\n" + codeBlock(ops.String()))
	}
	if !af.autoApprove {
		ok, err := confirm(f)
		if err != nil {
			var ee *ExitError
			if errors.As(err, &ee) && ee.Err != nil {
				return refuse(ee.Err)
			}
			return false, err
		}
		if !ok {
			fmt.Fprintln(f.IO.ErrOut, "Apply cancelled; nothing was written.")
			return false, &ExitError{Code: ExitFailure}
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
	ordered.Run(len(todo), af.rf.workspaces, f.IO.Out, func(i int, w io.Writer) {
		pl := todo[i]
		// One writer per workspace: hold the local lock and the lease
		// while applying, and apply what live state shows once they are
		// held, not what it showed before the wait.
		release, err := f.lockWorkspace(ctx, pl, af)
		if err != nil {
			errs[i] = fileErr(pl.plan, err)
			return
		}
		defer release()
		pl, err = f.replanLocked(ctx, w, pl, af)
		if err != nil {
			errs[i] = fileErr(pl.plan, err)
			return
		}
		if !pl.plan.HasChanges() {
			fmt.Fprintln(w, "\nNothing left to apply: another run has made these changes.")
			ok[i] = true
			return
		}
		fmt.Fprintln(w)
		if len(plans) > 1 {
			fmt.Fprintf(w, "Applying %s:\n", f.Secrets.Mask(pl.plan.File))
		}
		res := apply.Execute(ctx, pl.plan, pl.client, apply.Options{
			Parallelism: af.parallelism,
			// A request Plain still holds commits within its timeout.
			LostCreateWait: af.rf.timeout,
			Progress:       apply.ProgressPrinter(w, f.Secrets),
		})
		var result strings.Builder
		apply.RenderResult(&result, res, f.Secrets)
		fmt.Fprint(w, result.String())
		results[i], ok[i] = result.String(), res.Succeeded()
	})
	if len(todo) == 1 && errs[0] != nil {
		return refuse(errs[0])
	}
	for i := range todo {
		if errs[i] != nil {
			// Locking or re-planning one workspace failed; it wrote nothing.
			msg := secret.RedactURLsInText(f.Secrets.Mask(errs[i].Error()))
			fmt.Fprintf(f.IO.ErrOut, "Error: %s\n", inert.Lines(msg))
			if err := f.summarizeFile(todo[i].plan.File, "**Not applied; nothing was written to it.**\n\n"+codeBlock(msg)); err != nil {
				return false, err
			}
			f.report.file(todo[i].plan.File).failed = true
			succeeded = false
			continue
		}
		if results[i] != "" {
			if err := f.summarizeFile(todo[i].plan.File, codeBlock(results[i])); err != nil {
				return false, err
			}
		}
		fr := f.report.file(todo[i].plan.File)
		fr.done, fr.failed = true, !ok[i]
		succeeded = succeeded && ok[i]
	}
	return succeeded, nil
}

// checkGuards runs the protection check (which --force does not lift),
// the safety guards and the permission preflight.
func checkGuards(pl planned, af *applyOptions) error {
	p := pl.plan
	if err := apply.CheckProtected(p, af.allowDestroy); err != nil {
		return err
	}
	if err := apply.CheckSafety(p, apply.SafetyOptions{
		MaxDelete: guardLimit(p, af.deleteSet, af.maxDeletePercent, p.MaxDeletePercent, "max-delete-percent", "maxDeletePercent", apply.DefaultMaxDeletePercent),
		MaxUpdate: guardLimit(p, af.updateSet, af.maxUpdatePercent, p.MaxUpdatePercent, "max-update-percent", "maxUpdatePercent", apply.DefaultMaxUpdatePercent),
		Force:     af.force,
		EmptyFile: emptyDesired(p),
	}); err != nil {
		return err
	}
	return apply.Preflight(p, pl.live.Permissions)
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

// confirm asks for "yes" on a terminal and refuses without one.
func confirm(f *Factory) (bool, error) {
	if !f.IO.InIsTerminal {
		return false, &ExitError{Code: ExitFailure, Err: errors.New("refusing to apply without confirmation: stdin is not a terminal; review the plan and pass --auto-approve")}
	}
	fmt.Fprint(f.IO.Out, "\nDo you want to apply these changes? Only 'yes' will be accepted: ")
	line, err := bufio.NewReader(f.IO.In).ReadString('\n')
	if err != nil && line == "" {
		return false, nil
	}
	return strings.TrimSpace(line) == "yes", nil
}
