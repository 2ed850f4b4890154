package cli

import (
	"context"
	"errors"
	"time"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/exitcode"
	"github.com/plainsync/plainsync/internal/reconcile"
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
			if err := view.CheckFormat(opts.output, "text", "json", "markdown"); err != nil {
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

// planRun plans every file, reports each plan and saves the one plan
// --out asks for.
func planRun(o *PlanOptions) error {
	f, wf := o.f, workflowView(o.f)
	if reason := f.Actions.ForkWithoutKey(o.files); reason != "" {
		return validateForFork(f, o.files, o.rf.policy, reason)
	}
	plans, err := planFiles(o.ctx, f, o.files, &o.rf, o.prune)
	if err != nil {
		return err
	}
	changes, err := wf.ShowPlans(plans, o.output, time.Now())
	if err != nil {
		return err
	}
	failed := len(reconcile.Failed(plans))
	plans = reconcile.OK(plans)
	if o.out != "" && len(plans) == 1 {
		// Not signed with the API key: a plan made with a read-only key
		// is applied with the write key (see diff/planfile/bind.go).
		if err := reconcile.SavePlan(o.out, plans[0].Plan.WithSecrets(f.Secrets)); err != nil {
			return err
		}
		wf.PlanSaved(o.out)
	}
	if err := f.Actions.ReportPlans(plans, failed, o.out); err != nil {
		return err
	}
	if failed > 0 {
		return &exitcode.Error{Code: exitcode.Failure}
	}
	if o.detailedExitcode && changes {
		return &exitcode.Error{Code: exitcode.Changes}
	}
	return nil
}

// validateForFork is plan on a fork without the key: validate, report why
// no plan ran, and pass when the files are valid.
func validateForFork(f *Factory, paths, policies []string, reason string) error {
	f.Actions.NoPlanOnFork(reason)
	err := runValidate(f, paths, policies, "text")
	return errors.Join(err, f.Actions.NoPlanRan(reason, err == nil))
}
