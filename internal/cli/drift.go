package cli

import (
	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/ghactions"
	"github.com/plainsync/plainsync/internal/render"
)

func init() { register(newDriftCmd) }

func newDriftCmd(f *Factory) *cobra.Command {
	var (
		files  []string
		rf     remoteFlags
		prune  bool
		output string
		health healthFlags
		issue  bool
	)
	cmd := &cobra.Command{
		Use:   "drift [-f FILE]...",
		Short: "Check whether the live workspace still matches the file (for cron jobs)",
		Long: `drift is plan in check mode: it never writes. It reports every drifted field
of a managed target, targets in the file that are missing from Plain, and
unmanaged live targets. Unmanaged targets count as drift only with prune,
where apply would delete them.

With --health-window, drift also reads each managed target's delivery
attempts in that window and reports targets whose share of successful
deliveries is below --min-success-rate (targets without attempts pass).

With --github-issue (in GitHub Actions), drift keeps one issue per
workspace in $GITHUB_REPOSITORY, labelled plainsync-drift and found again
by a hidden marker with the workspace id: opened on the first drift, its
body replaced with the current report on every drifted run, closed with a
comment once the workspace is in sync. A run that fails leaves it open. It
uses $PLAINSYNC_GITHUB_TOKEN or $GITHUB_TOKEN (permissions: issues: write)
and $GITHUB_API_URL.

Exit codes: 0 in sync (and healthy), 2 drift or any target below the
minimum success rate, 1 error.`,
		Example: `  plainsync drift
  plainsync drift -f prod.yaml -o json
  plainsync drift --health-window 24h --min-success-rate 0.95`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := outputFormat(output, "text", "json"); err != nil {
				return err
			}
			if err := health.validate(cmd); err != nil {
				return err
			}
			plans, err := planFiles(cmd.Context(), f, files, &rf, prune)
			if err != nil {
				return err
			}
			reports, err := health.checkAll(cmd.Context(), f, plans, rf.workspaces) // nils unless --health-window
			if err != nil {
				return err
			}
			drifted, unhealthy := false, false
			for i, pl := range plans {
				if pl.err != nil {
					if err := f.reportFailure(pl, output, len(plans)); err != nil {
						return err
					}
					continue
				}
				hr := reports[i]
				if output == "json" {
					err = driftJSON(f, pl.plan, hr)
				} else if err = render.Drift(f.IO.Out, pl.plan, f.renderOptions()); err == nil {
					err = hr.WriteText(f.IO.Out)
				}
				if err != nil {
					return err
				}
				drifted = drifted || pl.plan.HasChanges()
				unhealthy = unhealthy || hr.AnyUnhealthy()
				if err := f.summarizePlan(pl.plan, true, len(plans)); err != nil {
					return err
				}
				f.report.done(pl.plan.File)
			}
			if issue {
				if err := f.syncDriftIssues(cmd.Context(), plans, reports); err != nil {
					return err
				}
			}
			// Outputs sum over every file: with one missing they would
			// understate the drift, so a failure writes none.
			if len(failedPlans(plans)) > 0 {
				return &ExitError{Code: 1}
			}
			if err := f.writePlanOutputs(plans, ghactions.Output{Name: ghactions.OutputDrift, Value: ghactions.Bool(drifted || unhealthy)}); err != nil {
				return err
			}
			if err := f.writePlanFiles(plans); err != nil {
				return err
			}
			if drifted || unhealthy {
				return &ExitError{Code: 2}
			}
			return nil
		},
	}
	addFileFlag(cmd, &files)
	addRemoteFlags(cmd, &rf)
	addWorkspacesFlag(cmd, &rf)
	addPolicyFlag(cmd, &rf.policy)
	cmd.Flags().BoolVar(&prune, "prune", false, "treat unmanaged, non-ignored live targets as drift")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	addHealthFlags(cmd, &health)
	cmd.Flags().BoolVar(&issue, "github-issue", false, "keep one GitHub issue per workspace with the drift report: opened on drift, updated, closed when in sync (needs issues: write)")
	return cmd
}
