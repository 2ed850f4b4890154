package view

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/plainsync/plainsync/internal/apply"
	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/reconcile"
	"github.com/plainsync/plainsync/internal/render"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// Workflow is the workflow's human output: text on stdout and stderr and,
// inside GitHub Actions, the step summary and the pull-request comments.
type Workflow struct {
	Out, ErrOut io.Writer
	// Color colours the plans (a terminal, no NO_COLOR).
	Color   bool
	Secrets *secret.Masker
	Actions *Actions
}

var _ reconcile.Reporter = (*Workflow)(nil)

// Problems prints each problem as FILE:LINE:COL: message on stderr and,
// inside Actions, also as an annotation on that line of the file.
func (r *Workflow) Problems(ps []spec.Problem) {
	PrintProblems(r.ErrOut, ps, r.Secrets)
	r.Actions.Problems(ps)
}

func (r *Workflow) PlanShown(p *diff.Plan, i, n int) error {
	if i > 0 {
		fmt.Fprintln(r.Out)
	}
	if err := render.Text(r.Out, p, render.Options{Color: r.Color}); err != nil {
		return err
	}
	if err := r.Actions.SummarizePlan(p, false, n); err != nil {
		return err
	}
	if !p.HasChanges() {
		r.Actions.Done(p.File)
	}
	return nil
}

func (r *Workflow) Refused(err error) error {
	r.Actions.all()
	return r.Actions.Summarize("**Apply refused; nothing was written.**\n\n" + codeBlock(err.Error()))
}

func (r *Workflow) DryRun(todo []*diff.Plan, multi bool) error {
	var ops strings.Builder
	for _, p := range todo {
		if multi {
			fmt.Fprintf(&ops, "%s:\n", r.Secrets.Mask(p.File))
		}
		for i, op := range ApplyOperations(p) {
			fmt.Fprintf(&ops, "  %d. %s\n", i+1, op)
		}
	}
	for _, p := range todo {
		r.Actions.setStatus(p.File, "dry run, nothing was written")
	}
	fmt.Fprint(r.Out, "\nDry run: nothing was written. apply would send these operations, in this order:\n"+ops.String())
	return r.Actions.Summarize("**Dry run: nothing was written.** apply would send these operations, in this order:\n\n" + codeBlock(ops.String()))
}

func (r *Workflow) Cancelled() { fmt.Fprintln(r.ErrOut, "Apply cancelled; nothing was written.") }

func (r *Workflow) Output() io.Writer { return r.Out }

func (r *Workflow) Replanned(w io.Writer, p *diff.Plan) error {
	fmt.Fprintln(w, "\nLive state changed while this apply waited for the workspace (another apply ran); planned again:")
	if err := render.Text(w, p, render.Options{Color: r.Color}); err != nil {
		return err
	}
	return r.Actions.SummarizePlan(p, false, 1)
}

func (r *Workflow) NothingLeft(w io.Writer) {
	fmt.Fprintln(w, "\nNothing left to apply: another run has made these changes.")
}

func (r *Workflow) Applying(w io.Writer, file string, multi bool) {
	fmt.Fprintln(w)
	if multi {
		fmt.Fprintf(w, "Applying %s:\n", r.Secrets.Mask(file))
	}
}

func (r *Workflow) Progress(w io.Writer) func(apply.Event) {
	return ApplyProgress(w, r.Secrets)
}

func (r *Workflow) Applied(w io.Writer, res *apply.Result) string {
	var result strings.Builder
	ApplyResult(&result, res, r.Secrets)
	fmt.Fprint(w, result.String())
	return result.String()
}

func (r *Workflow) WorkspaceFailed(file string, err error) error {
	msg := secret.RedactURLsInText(r.Secrets.Mask(err.Error()))
	fmt.Fprintf(r.ErrOut, "Error: %s\n", inert.Lines(msg))
	if err := r.Actions.SummarizeFile(file, "**Not applied; nothing was written to it.**\n\n"+codeBlock(msg)); err != nil {
		return err
	}
	r.Actions.setFailed(file, true, false)
	return nil
}

func (r *Workflow) FileApplied(file, result string, ok bool) error {
	if result != "" {
		if err := r.Actions.SummarizeFile(file, codeBlock(result)); err != nil {
			return err
		}
	}
	r.Actions.setFailed(file, !ok, true)
	return nil
}

// Lock prints what locking a workspace does, on stderr.
func (r *Workflow) Lock(ev reconcile.LockEvent) {
	w, ws := r.ErrOut, inert.Text(ev.Workspace)
	switch ev.Kind {
	case reconcile.LockNone:
		fmt.Fprintf(w, "Applying to workspace %s without any lock (--lock none): nothing holds off another apply at the same moment.\n", ws)
	case reconcile.LockLocalOnly:
		why := ev.Reason
		if ev.Err != nil {
			// err reads "Plain refused the apply lease target: …"; one line.
			why = inert.Text(r.Secrets.Mask(ev.Err.Error()))
		}
		fmt.Fprintf(w, "Applying to workspace %s under the local lock only: %s; an apply from another machine at the same moment is not held off (see --lock).\n", ws, why)
	case reconcile.LockWaiting:
		fmt.Fprintf(w, "Waiting for another plainsync run (%s), which holds the apply lease of workspace %s until %s (at most %s)…\n",
			inert.Text(ev.Holder), ws, ev.Until.UTC().Format(time.RFC3339), ev.Timeout)
	case reconcile.LockDeletedOwn:
		fmt.Fprintf(w, "Deleted this run's apply lease %s of workspace %s.\n", inert.Text(ev.ID), ws)
	case reconcile.LockDeletedExpired:
		fmt.Fprintf(w, "Removed expired apply lease %s of workspace %s, left by a plainsync run that could not delete it.\n", inert.Text(ev.ID), ws)
	case reconcile.LockHolding:
		fmt.Fprintf(w, "Holding the apply lease of workspace %s; other plainsync runs wait for it.\n", ws)
	case reconcile.LockReleaseFailed:
		fmt.Fprintf(w, "Warning: %s\n", inert.Lines(r.Secrets.Mask(ev.Err.Error())))
	case reconcile.LockNotHonoured:
		fmt.Fprintf(w, "Warning: target %s in workspace %s is described as an apply lease held until %s, further ahead than a lease can be (%s plus %s of clock skew); it is not honoured, and plainsync leaves it alone.\n",
			inert.Text(ev.ID), ws, ev.Until.UTC().Format(time.RFC3339), plain.LeaseTTL, plain.LeaseSkew)
	case reconcile.LockExpiredRemoved:
		fmt.Fprintf(w, "Removed %d expired apply lease(s) of workspace %s (%s), left by plainsync runs that could not delete them.\n",
			len(ev.IDs), ws, inert.Text(strings.Join(ev.IDs, ", ")))
	case reconcile.LockExpiredRemoveFailed:
		fmt.Fprintf(w, "Warning: could not remove the expired apply leases of workspace %s: %s; the next apply tries again.\n",
			ws, inert.Lines(r.Secrets.Mask(ev.Err.Error())))
	case reconcile.LockExpiredNote:
		fmt.Fprintf(w, "Note: apply will remove %d expired apply lease(s) of workspace %s (%s), left by plainsync runs that could not delete them.\n",
			len(ev.IDs), ws, inert.Text(strings.Join(ev.IDs, ", ")))
	}
}

// FileError prints one file's error on stderr and files it under the
// file's pull-request comment.
func (r *Workflow) FileError(file string, err error) {
	msg := r.Secrets.Mask(err.Error())
	fmt.Fprintf(r.ErrOut, "Error: %s\n", inert.Lines(msg))
	if r.Actions.Enabled() {
		fr := r.Actions.report.file(file)
		fr.errs = append(fr.errs, secret.RedactURLsInText(msg))
	}
}

// Failure prints one workspace's failure on stderr and, for -o
// json, as a document with an error field on stdout, so that the stream
// keeps one document per file; Markdown output also gets a short section,
// so that a PR comment shows which file failed. With several files the
// step summary says so too (with one, the failure is the whole story).
func (r *Workflow) Failure(pl reconcile.Planned, output string, files int) error {
	msg := r.Secrets.Mask(pl.Err.Error())
	switch output {
	case "json":
		if err := render.WriteJSONFailure(r.Out, pl.Desired.File, msg); err != nil {
			return err
		}
	case "markdown":
		fmt.Fprintf(r.Out, "### plainsync: %s failed\n\n%s\n\n", inert.Text(pl.Desired.File), codeBlock(inert.Lines(msg)))
	}
	r.FileError(pl.Desired.File, pl.Err)
	if files < 2 {
		return nil
	}
	// The file's comment shows the error above; the summary, shared by
	// every file, names it.
	if !r.Actions.Enabled() {
		return nil
	}
	return r.Actions.gha.AddStepSummary("**" + inert.Text(pl.Desired.File) + " could not be planned.**\n\n" + codeBlock(inert.Lines(msg)))
}

// RefuseFailed refuses to apply anything when any file could not be
// planned: apply writes every workspace or none.
func (r *Workflow) RefuseFailed(plans []reconcile.Planned) error {
	failed := reconcile.Failed(plans)
	if len(failed) == 0 {
		return nil
	}
	if len(plans) == 1 {
		return failed[0].Err
	}
	for _, pl := range failed {
		r.FileError(pl.Desired.File, pl.Err)
	}
	r.Actions.all() // no file is applied
	msg := fmt.Sprintf("%d of %d files could not be planned; refusing to apply any of them, nothing was written", len(failed), len(plans))
	if err := r.Actions.Summarize("**Apply refused; nothing was written.**\n\n" + codeBlock(msg)); err != nil {
		return err
	}
	return errors.New(msg)
}
