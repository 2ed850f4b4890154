package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/exitcode"
	"github.com/plainsync/plainsync/internal/reconcile"
	"github.com/plainsync/plainsync/internal/view"
)

// DriftOptions are the drift command's inputs.
type DriftOptions struct {
	ctx    context.Context
	f      *Factory
	files  []string
	rf     remoteFlags
	prune  bool
	output string
	health reconcile.HealthOptions
	// issue is --github-issue: keep one drift issue per workspace.
	issue bool
}

// NewCmdDrift binds the flags to DriftOptions and checks what flags alone
// decide; runF does the work (nil: driftRun; tests capture it).
func NewCmdDrift(f *Factory, runF func(*DriftOptions) error) *cobra.Command {
	if runF == nil {
		runF = driftRun
	}
	opts := &DriftOptions{f: f}
	cmd := &cobra.Command{
		Use:   "drift [-f FILE]...",
		Short: "Check whether the live workspace still matches the file (for cron jobs)",
		Long: `drift is plan in check mode: it never writes. It reports every drifted field
of a managed target, targets in the file that are missing from Plain, and
unmanaged live targets. Unmanaged targets count as drift only with prune,
where apply would delete them. Live targets left on a webhook version Plain
marks deprecated are warned about.

With --health-window, drift also reads each managed target's delivery
attempts in that window and reports targets whose share of successful
deliveries is below --min-success-rate (targets without attempts pass),
with the events delivered and a trend per target (hourly buckets up to 48h,
daily beyond: a sparkline in text, buckets in JSON, a Mermaid chart in
Markdown and the step summary). --max-silence flags an enabled target
subscribed to events that had no successful delivery for that long (on its
own it reads that window and sets no minimum success rate).

With --github-issue (in GitHub Actions), drift keeps one issue per
workspace in $GITHUB_REPOSITORY, labelled plainsync-drift and found again
by a hidden marker with the workspace id: opened on the first drift, its
body replaced with the current report on every drifted run, closed with a
comment once the workspace is in sync. A run that fails leaves it open. It
uses $PLAINSYNC_GITHUB_TOKEN or $GITHUB_TOKEN (permissions: issues: write)
and $GITHUB_API_URL.

Exit codes: 0 in sync (and healthy), 2 drift, any target below the
minimum success rate or silent, 1 error.`,
		Example: `  plainsync drift
  plainsync drift -f prod.yaml -o json
  plainsync drift --health-window 24h --min-success-rate 0.95
  plainsync drift --health-window 7d --max-silence 6h -o markdown`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := view.CheckFormat(opts.output, "text", "json", "markdown"); err != nil {
				return err
			}
			if err := checkHealthFlags(cmd, &opts.health); err != nil {
				return err
			}
			opts.ctx = cmd.Context()
			return runF(opts)
		},
	}
	addFileFlag(cmd, &opts.files)
	addRemoteFlags(cmd, &opts.rf)
	addWorkspacesFlag(cmd, &opts.rf)
	addPolicyFlag(cmd, &opts.rf.policy)
	cmd.Flags().BoolVar(&opts.prune, "prune", false, "treat unmanaged, non-ignored live targets as drift")
	cmd.Flags().StringVarP(&opts.output, "output", "o", "text", "output format: text, json or markdown")
	addHealthFlags(cmd, &opts.health)
	cmd.Flags().BoolVar(&opts.issue, "github-issue", false, "keep one GitHub issue per workspace with the drift report: opened on drift, updated, closed when in sync (needs issues: write)")
	return cmd
}

// driftRun plans every file in check mode, runs the health check, and
// reports each file.
func driftRun(opts *DriftOptions) error {
	f, ctx := opts.f, opts.ctx
	plans, err := planFiles(ctx, f, opts.files, &opts.rf, opts.prune)
	if err != nil {
		return err
	}
	h := opts.health
	h.Now, h.Workspaces = f.now(), opts.rf.workspacesFor(len(plans))
	h.Redact = f.gate().Redactor
	reports, err := reconcile.CheckHealth(ctx, plans, &h) // nils unless --health-window or --max-silence
	if err != nil {
		return err
	}
	drifted, unhealthy, err := workflowView(f).ShowDrift(plans, reports, opts.output)
	if err != nil {
		return err
	}
	if opts.issue {
		if err := f.Actions.SyncDriftIssues(ctx, f.IO.ErrOut, plans, reports); err != nil {
			return err
		}
	}
	// Outputs sum over every file: with one missing they would understate
	// the drift, so a failure writes none.
	if len(reconcile.Failed(plans)) > 0 {
		return &exitcode.Error{Code: exitcode.Failure}
	}
	if err := f.Actions.ReportPlanned(plans, view.DriftOutput(drifted || unhealthy)); err != nil {
		return err
	}
	if drifted || unhealthy {
		return &exitcode.Error{Code: exitcode.Drift}
	}
	return nil
}
