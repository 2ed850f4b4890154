package cli

import (
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

// reporter is the workflow's human output: text on stdout and stderr and,
// inside GitHub Actions, the step summary and the pull-request comments.
type reporter struct{ f *Factory }

var _ reconcile.Reporter = (*reporter)(nil)

func (r *reporter) Problems(ps []spec.Problem) { r.f.reportProblems(ps) }

func (r *reporter) PlanShown(p *diff.Plan, i, n int) error {
	f := r.f
	if i > 0 {
		fmt.Fprintln(f.IO.Out)
	}
	if err := render.Text(f.IO.Out, p, f.renderOptions()); err != nil {
		return err
	}
	if err := f.summarizePlan(p, false, n); err != nil {
		return err
	}
	if !p.HasChanges() {
		f.report.done(p.File)
	}
	return nil
}

func (r *reporter) Refused(err error) error {
	r.f.report.all = true // nothing is applied, to any file
	return r.f.summarize("**Apply refused; nothing was written.**\n\n" + codeBlock(err.Error()))
}

func (r *reporter) DryRun(todo []*diff.Plan, multi bool) error {
	f := r.f
	var ops strings.Builder
	for _, p := range todo {
		if multi {
			fmt.Fprintf(&ops, "%s:\n", f.Secrets.Mask(p.File))
		}
		for i, op := range apply.Operations(p) {
			fmt.Fprintf(&ops, "  %d. %s\n", i+1, op)
		}
	}
	for _, p := range todo {
		fr := f.report.file(p.File)
		fr.done, fr.status = true, "dry run, nothing was written"
	}
	fmt.Fprint(f.IO.Out, "\nDry run: nothing was written. apply would send these operations, in this order:\n"+ops.String())
	return f.summarize("**Dry run: nothing was written.** apply would send these operations, in this order:\n\n" + codeBlock(ops.String()))
}

func (r *reporter) Cancelled() { fmt.Fprintln(r.f.IO.ErrOut, "Apply cancelled; nothing was written.") }

func (r *reporter) Output() io.Writer { return r.f.IO.Out }

func (r *reporter) Replanned(w io.Writer, p *diff.Plan) error {
	fmt.Fprintln(w, "\nLive state changed while this apply waited for the workspace (another apply ran); planned again:")
	if err := render.Text(w, p, r.f.renderOptions()); err != nil {
		return err
	}
	return r.f.summarizePlan(p, false, 1)
}

func (r *reporter) NothingLeft(w io.Writer) {
	fmt.Fprintln(w, "\nNothing left to apply: another run has made these changes.")
}

func (r *reporter) Applying(w io.Writer, file string, multi bool) {
	fmt.Fprintln(w)
	if multi {
		fmt.Fprintf(w, "Applying %s:\n", r.f.Secrets.Mask(file))
	}
}

func (r *reporter) Progress(w io.Writer) func(apply.Event) {
	return apply.ProgressPrinter(w, r.f.Secrets)
}

func (r *reporter) Applied(w io.Writer, res *apply.Result) string {
	var result strings.Builder
	apply.RenderResult(&result, res, r.f.Secrets)
	fmt.Fprint(w, result.String())
	return result.String()
}

func (r *reporter) WorkspaceFailed(file string, err error) error {
	f := r.f
	msg := secret.RedactURLsInText(f.Secrets.Mask(err.Error()))
	fmt.Fprintf(f.IO.ErrOut, "Error: %s\n", inert.Lines(msg))
	if err := f.summarizeFile(file, "**Not applied; nothing was written to it.**\n\n"+codeBlock(msg)); err != nil {
		return err
	}
	f.report.file(file).failed = true
	return nil
}

func (r *reporter) FileApplied(file, result string, ok bool) error {
	f := r.f
	if result != "" {
		if err := f.summarizeFile(file, codeBlock(result)); err != nil {
			return err
		}
	}
	fr := f.report.file(file)
	fr.done, fr.failed = true, !ok
	return nil
}

// Lock prints what locking a workspace does, on stderr.
func (r *reporter) Lock(ev reconcile.LockEvent) {
	f := r.f
	w, ws := f.IO.ErrOut, inert.Text(ev.Workspace)
	switch ev.Kind {
	case reconcile.LockNone:
		fmt.Fprintf(w, "Applying to workspace %s without any lock (--lock none): nothing holds off another apply at the same moment.\n", ws)
	case reconcile.LockLocalOnly:
		why := ev.Reason
		if ev.Err != nil {
			// err reads "Plain refused the apply lease target: …"; one line.
			why = inert.Text(f.Secrets.Mask(ev.Err.Error()))
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
		fmt.Fprintf(w, "Warning: %s\n", inert.Lines(f.Secrets.Mask(ev.Err.Error())))
	case reconcile.LockNotHonoured:
		fmt.Fprintf(w, "Warning: target %s in workspace %s is described as an apply lease held until %s, further ahead than a lease can be (%s plus %s of clock skew); it is not honoured, and plainsync leaves it alone.\n",
			inert.Text(ev.ID), ws, ev.Until.UTC().Format(time.RFC3339), plain.LeaseTTL, plain.LeaseSkew)
	case reconcile.LockExpiredRemoved:
		fmt.Fprintf(w, "Removed %d expired apply lease(s) of workspace %s (%s), left by plainsync runs that could not delete them.\n",
			len(ev.IDs), ws, inert.Text(strings.Join(ev.IDs, ", ")))
	case reconcile.LockExpiredRemoveFailed:
		fmt.Fprintf(w, "Warning: could not remove the expired apply leases of workspace %s: %s; the next apply tries again.\n",
			ws, inert.Lines(f.Secrets.Mask(ev.Err.Error())))
	case reconcile.LockExpiredNote:
		fmt.Fprintf(w, "Note: apply will remove %d expired apply lease(s) of workspace %s (%s), left by plainsync runs that could not delete them.\n",
			len(ev.IDs), ws, inert.Text(strings.Join(ev.IDs, ", ")))
	}
}

// printFileError prints one file's error on stderr and files it under the
// file's pull-request comment.
func printFileError(f *Factory, file string, err error) {
	msg := f.Secrets.Mask(err.Error())
	fmt.Fprintf(f.IO.ErrOut, "Error: %s\n", inert.Lines(msg))
	if f.actions().Enabled() {
		fr := f.report.file(file)
		fr.errs = append(fr.errs, secret.RedactURLsInText(msg))
	}
}

// reportFailure prints one workspace's failure on stderr and, for -o
// json, as a document with an error field on stdout, so that the stream
// keeps one document per file; Markdown output also gets a short section,
// so that a PR comment shows which file failed. With several files the
// step summary says so too (with one, the failure is the whole story).
func (f *Factory) reportFailure(pl planned, output string, files int) error {
	msg := f.Secrets.Mask(pl.Err.Error())
	switch output {
	case "json":
		if err := render.WriteJSONFailure(f.IO.Out, pl.Desired.File, msg); err != nil {
			return err
		}
	case "markdown":
		fmt.Fprintf(f.IO.Out, "### plainsync: %s failed\n\n%s\n\n", inert.Text(pl.Desired.File), codeBlock(inert.Lines(msg)))
	}
	printFileError(f, pl.Desired.File, pl.Err)
	if files < 2 {
		return nil
	}
	// The file's comment shows the error above; the summary, shared by
	// every file, names it.
	return f.actions().AddStepSummary("**" + inert.Text(pl.Desired.File) + " could not be planned.**\n\n" + codeBlock(inert.Lines(msg)))
}
