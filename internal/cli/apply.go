package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/apply"
	"github.com/plainsync/plainsync/internal/exitcode"
	"github.com/plainsync/plainsync/internal/lock"
	"github.com/plainsync/plainsync/internal/reconcile"
	"github.com/plainsync/plainsync/internal/view"
)

// ApplyOptions are what apply needs: the factory (streams, environment,
// clients) and the flag values. applyPlans and the lock read them too.
type ApplyOptions struct {
	ctx context.Context
	f   *Factory
	// savedPlan is the PLAN.json argument; "" plans the files.
	savedPlan string
	files     []string
	rf        remoteFlags
	prune     bool
	// run holds the flags reconcile.Apply takes; applyPlans completes it.
	run reconcile.ApplyOptions
}

// NewCmdApply binds the flags to ApplyOptions and checks what the flags
// alone decide; runF does the work (nil: applyRun; tests capture it).
func NewCmdApply(f *Factory, runF func(*ApplyOptions) error) *cobra.Command {
	if runF == nil {
		runF = applyRun
	}
	af := ApplyOptions{f: f}
	cmd := &cobra.Command{
		Use:   "apply [-f FILE]... | apply PLAN.json",
		Short: "Make the live workspace match the file",
		Long: `apply plans like "plainsync plan", shows the plan, asks for confirmation and
applies it: creates first, then updates, then deletes, so that an integration
moving to a new target never misses an event. If a create or update fails, no
delete runs. Deletes happen only with --prune (or prune: true in the file), never
touch ignored targets, and are refused unless --force when they would remove
every live target the file manages, or more than one and more than
--max-delete-percent of them (default 30). Updating more than one and more than
--max-update-percent (default 50) is refused the same way. A file sets its own
limits with guards: {maxDeletePercent: N, maxUpdatePercent: N}; a flag wins.
A target that a protect: rule in the file selects is never deleted, and its
URL never changed, unless --allow-destroy NAME names it; --force does not
override protection.

Without a terminal, apply refuses to run unless --auto-approve is given.

"apply PLAN.json" applies a plan saved by "plainsync plan --out": it loads the
file the plan was made from, re-reads the live workspace, plans again and applies
only if the result is identical to the saved plan; a changed file or workspace,
or an edited plan, is refused before anything is sent. The plan is not tied to
the API key: one made with a read-only key applies with the write key. A plan
made with --prune is applied with --prune too (unless the file says prune).

Only one apply writes to a workspace at a time (--lock plain, the default): a
local lock and a lease held in Plain (a disabled target "plainsync-lease …");
another apply waits up to --lock-timeout, then refuses. A lease left by a run
that was killed, or could not delete it, is removed by the next apply once it
has expired. When the lease cannot be taken (Plain refuses its target, no free
slot, a key without create or delete) apply says so and goes on under the
local lock. --lock local takes the local lock only; --lock none takes nothing
(serialise applies yourself, e.g. one CI concurrency group per workspace).`,
		Example: `  plainsync apply
  plainsync apply --dry-run
  plainsync apply -f prod.yaml --prune --auto-approve
  plainsync plan --out plan.json && plainsync apply plan.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := af.check(cmd, args); err != nil {
				return err
			}
			af.ctx = cmd.Context()
			return runF(&af)
		},
	}
	addFileFlag(cmd, &af.files)
	addRemoteFlags(cmd, &af.rf)
	addWorkspacesFlag(cmd, &af.rf)
	addPolicyFlag(cmd, &af.rf.policy)
	fl := cmd.Flags()
	fl.BoolVar(&af.prune, "prune", false, "delete live targets the file does not list (ignore rules still protect)")
	fl.BoolVar(&af.run.DryRun, "dry-run", false, "print the plan and the exact operations; write nothing")
	fl.BoolVar(&af.run.AutoApprove, "auto-approve", false, "apply without asking (required without a terminal)")
	fl.IntVar(&af.run.Parallelism, "parallelism", apply.DefaultParallelism, "concurrent mutations within each phase")
	fl.Float64Var(&af.run.MaxDeletePercent, "max-delete-percent", apply.DefaultMaxDeletePercent, "refuse to delete more than one and more than this share of the file's live targets (overrides guards.maxDeletePercent)")
	fl.Float64Var(&af.run.MaxUpdatePercent, "max-update-percent", apply.DefaultMaxUpdatePercent, "refuse to update more than one and more than this share of the file's live targets (overrides guards.maxUpdatePercent)")
	fl.StringVar(&af.run.LockMode, "lock", reconcile.LockPlain, "how apply holds off other applies of the workspace: plain (a local lock and a lease in Plain), local (the local lock only) or none")
	fl.DurationVar(&af.run.LockTimeout, "lock-timeout", reconcile.DefaultLockTimeout, "how long to wait while another apply holds the workspace (its local lock or its lease in Plain)")
	fl.BoolVar(&af.run.Force, "force", false, "override the safety guards once (deleting every target, an empty file with prune, the delete and update percentages); not protect: rules")
	fl.StringArrayVar(&af.run.AllowDestroy, "allow-destroy", nil, "let this run delete, or change the URL of, the protected target with this exact name (repeatable; --force does not)")
	return cmd
}

// check refuses what the flags alone decide is wrong, and records which
// guard flags were given and the saved plan argument.
func (af *ApplyOptions) check(cmd *cobra.Command, args []string) error {
	af.run.DeleteSet, af.run.UpdateSet = cmd.Flags().Changed("max-delete-percent"), cmd.Flags().Changed("max-update-percent")
	if err := af.run.CheckFlags(); err != nil {
		return err
	}
	if len(args) == 1 {
		if cmd.Flags().Changed("file") {
			return errors.New("a saved plan carries its file: drop -f, or plan again")
		}
		af.savedPlan = args[0]
	}
	return nil
}

// applyRun plans the files (or loads the saved plan), writes the Actions
// outputs and hands the plans to applyPlans.
func applyRun(af *ApplyOptions) error {
	f, ctx := af.f, af.ctx
	plans, err := applyInputs(ctx, af)
	if err != nil {
		return err
	}
	if err := f.Actions.ReportPlanned(plans); err != nil {
		return err
	}
	ok, err := applyPlans(ctx, f, plans, af)
	if err != nil {
		return err
	}
	if !ok {
		return &exitcode.Error{Code: exitcode.Failure}
	}
	return nil
}

// applyInputs is the saved plan, or the plans of every file: all or none.
func applyInputs(ctx context.Context, af *ApplyOptions) ([]planned, error) {
	f := af.f
	if af.savedPlan == "" {
		plans, err := planFiles(ctx, f, af.files, &af.rf, af.prune)
		if err != nil {
			return nil, err
		}
		// apply writes every workspace or none.
		if err := workflowView(f).RefuseFailed(plans); err != nil {
			return nil, &exitcode.Error{Code: exitcode.Failure, Err: err}
		}
		return plans, nil
	}
	// The comment is the file's the plan was made from, also when the
	// plan is refused.
	f.Actions.NoteSavedPlan(af.savedPlan)
	pl, err := loadSavedPlan(ctx, f, af)
	pl.Saved = true
	return []planned{pl}, err
}

// applyPlans completes apply's options (workspaces at once, request
// timeout, where the local locks live, the API they are for, the prompt)
// and hands the plans to reconcile.Apply.
func applyPlans(ctx context.Context, f *Factory, plans []planned, af *ApplyOptions) (bool, error) {
	o := af.run
	o.Workspaces, o.Timeout = af.rf.workspacesFor(len(plans)), af.rf.timeout
	o.LockDir, o.Endpoint = lock.Dir(f.Getenv), api.Endpoint(af.rf.apiURL, f.LookupEnv)
	o.Confirmer = view.TerminalConfirmer{In: f.IO.In, Out: f.IO.Out, InIsTerminal: f.IO.InIsTerminal}
	ok, err := reconcile.Apply(ctx, plans, &o, workflowView(f))
	return ok, exitErr(err)
}
