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
	)
	cmd := &cobra.Command{
		Use:   "drift [-f FILE]...",
		Short: "Check whether the live workspace still matches the file (for cron jobs)",
		Long: `drift is plan in check mode: it never writes. It reports every drifted field
of a managed target, targets in the file that are missing from Plain, and
unmanaged live targets. Unmanaged targets count as drift only with prune,
where apply would delete them.

Exit codes: 0 in sync, 2 drift, 1 error.`,
		Example: `  plainsync drift
  plainsync drift -f prod.yaml -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := outputFormat(output, "text", "json"); err != nil {
				return err
			}
			plans, err := planFiles(cmd.Context(), f, files, &rf, prune)
			if err != nil {
				return err
			}
			drifted := false
			for _, pl := range plans {
				var err error
				if output == "json" {
					err = render.DriftJSON(f.IO.Out, pl.plan)
				} else {
					err = render.Drift(f.IO.Out, pl.plan, f.renderOptions())
				}
				if err != nil {
					return err
				}
				drifted = drifted || pl.plan.HasChanges()
				if err := f.summarizePlan(pl.plan, true); err != nil {
					return err
				}
			}
			if err := f.writePlanOutputs(plans, ghactions.Output{Name: ghactions.OutputDrift, Value: ghactions.Bool(drifted)}); err != nil {
				return err
			}
			if drifted {
				return &ExitError{Code: 2}
			}
			return nil
		},
	}
	addFileFlag(cmd, &files)
	addRemoteFlags(cmd, &rf)
	cmd.Flags().BoolVar(&prune, "prune", false, "treat unmanaged, non-ignored live targets as drift")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}
