package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/diff/planfile"
	"github.com/plainsync/plainsync/internal/ghactions"
	"github.com/plainsync/plainsync/internal/reconcile"
	"github.com/plainsync/plainsync/internal/render"
	"github.com/plainsync/plainsync/internal/view"
)

// PlanOptions are the plan command's inputs.
type PlanOptions struct {
	ctx              context.Context
	f                *Factory
	files            []string
	rf               remoteFlags
	prune            bool
	output           string
	out              string
	detailedExitcode bool
}

// NewCmdPlan binds the flags to PlanOptions and checks what the flags
// alone decide; runF does the work (nil: planRun; tests capture it).
func NewCmdPlan(f *Factory, runF func(*PlanOptions) error) *cobra.Command {
	if runF == nil {
		runF = planRun
	}
	opts := &PlanOptions{f: f}
	cmd := &cobra.Command{
		Use:   "plan [-f FILE]...",
		Short: "Show what apply would change in the live workspace",
		Long: `plan validates the desired-state file, reads the live webhook targets and
the event-type catalog from Plain, and prints the changes apply would make.
It never writes to Plain. With --out it saves the plan, with a fingerprint of
the live state, for "plainsync apply PLAN.json".`,
		Example: `  plainsync plan
  plainsync plan -f prod.yaml --prune
  plainsync plan -o markdown > plan.md
  plainsync plan --out plan.json --detailed-exitcode`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := outputFormat(opts.output, "text", "json", "markdown"); err != nil {
				return err
			}
			if opts.out != "" && len(opts.files) > 1 {
				return errors.New("--out saves the plan of one file; give a single -f")
			}
			opts.ctx = cmd.Context()
			return runF(opts)
		},
	}
	addFileFlag(cmd, &opts.files)
	addRemoteFlags(cmd, &opts.rf)
	addWorkspacesFlag(cmd, &opts.rf)
	addPolicyFlag(cmd, &opts.rf.policy)
	cmd.Flags().BoolVar(&opts.prune, "prune", false, "plan to delete live targets the file does not list (ignore rules still protect)")
	cmd.Flags().StringVarP(&opts.output, "output", "o", "text", "output format: text, json or markdown")
	cmd.Flags().StringVar(&opts.out, "out", "", "save the plan to this file for a later \"plainsync apply FILE\"")
	cmd.Flags().BoolVar(&opts.detailedExitcode, "detailed-exitcode", false, "exit 2 when the plan has changes, 0 when it has none")
	return cmd
}

// planRun plans every file and reports each plan.
func planRun(o *PlanOptions) error {
	f := o.f
	if reason := f.Actions.ForkWithoutKey(o.files); reason != "" {
		return validateForFork(f, o.files, o.rf.policy, reason)
	}
	plans, err := planFiles(o.ctx, f, o.files, &o.rf, o.prune)
	if err != nil {
		return err
	}
	changes := false
	for i, pl := range plans {
		if i > 0 && o.output == "text" {
			fmt.Fprintln(f.IO.Out)
		}
		if pl.Err != nil {
			if err := workflowView(f).Failure(pl, o.output, len(plans)); err != nil {
				return err
			}
			continue
		}
		if err := renderPlan(f, pl.Plan, o.output); err != nil {
			return err
		}
		reconcile.NoteExpiredLeases(pl, time.Now(), workflowView(f))
		changes = changes || pl.Plan.HasChanges()
	}
	failed := reconcile.Failed(plans)
	plans = reconcile.OK(plans)
	if o.out != "" && len(plans) == 1 {
		// Not signed with the API key: a plan made with a read-only key
		// is applied with the write key (see diff/planfile/bind.go).
		data, err := planfile.Marshal(withRunSecrets(f, plans[0].Plan))
		if err != nil {
			return fmt.Errorf("save plan: %w", err)
		}
		if err := writeFileAtomic(o.out, data, 0o600); err != nil {
			return fmt.Errorf("save plan: %w", err)
		}
		fmt.Fprintf(f.IO.ErrOut, "Saved the plan to %s; apply it with: plainsync apply %s\n", o.out, o.out)
	}
	// Outputs sum over every file: with one missing they would
	// understate the changes, so a failure writes none.
	if len(failed) > 0 {
		for _, pl := range plans {
			if err := f.Actions.SummarizePlan(pl.Plan, false, len(plans)+len(failed)); err != nil {
				return err
			}
			f.Actions.Done(pl.Plan.File)
		}
		return &ExitError{Code: ExitFailure}
	}
	if err := reportPlanToActions(f, plans, o.out); err != nil {
		return err
	}
	if o.detailedExitcode && changes {
		return &ExitError{Code: ExitChanges}
	}
	return nil
}

// renderPlan prints p in the requested format to stdout.
func renderPlan(f *Factory, p *diff.Plan, output string) error {
	switch output {
	case "json":
		return render.JSON(f.IO.Out, p)
	case "markdown":
		return render.Markdown(f.IO.Out, p)
	default:
		return render.Text(f.IO.Out, p, f.renderOptions())
	}
}

// reportPlanToActions, inside GitHub Actions, writes the plan's outputs
// (plan-file only when the plan was saved) and each plan's Markdown to the
// step summary.
func reportPlanToActions(f *Factory, plans []planned, savedTo string) error {
	if !f.Actions.Enabled() {
		return nil
	}
	var extra []ghactions.Output
	if savedTo != "" {
		o, err := view.PlanFileOutput(savedTo)
		if err != nil {
			return err
		}
		extra = append(extra, o)
	}
	if err := f.Actions.WritePlanOutputs(plans, extra...); err != nil {
		return err
	}
	if err := f.Actions.WritePlanFiles(plans); err != nil {
		return err
	}
	for _, pl := range plans {
		if err := f.Actions.SummarizePlan(pl.Plan, false, len(plans)); err != nil {
			return err
		}
		f.Actions.Done(pl.Plan.File)
	}
	return nil
}

// validateForFork is plan on a fork without the key: validate, report why
// no plan ran, and pass when the files are valid.
func validateForFork(f *Factory, paths, policies []string, reason string) error {
	f.Actions.NoPlanOnFork(reason)
	err := runValidate(f, paths, policies, "text")
	status := "valid"
	if err != nil {
		status = "invalid: see the problems above"
	}
	return errors.Join(err, f.Actions.Summarize("> [!NOTE]\n> **No plan ran:** "+reason+"\n\nValidation: "+status+".\n"))
}
