package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/apply"
	"github.com/plainsync/plainsync/internal/reconcile"
)

// applyOptions are what apply needs: the factory (streams, environment,
// clients) and the flag values. applyPlans and the lock read them too.
type applyOptions struct {
	f *Factory
	// savedPlan is the PLAN.json argument; "" plans the files.
	savedPlan        string
	files            []string
	rf               remoteFlags
	prune            bool
	dryRun           bool
	autoApprove      bool
	parallelism      int
	maxDeletePercent float64
	maxUpdatePercent float64
	// deleteSet and updateSet say the flags were given: they then win over
	// the file's guards.
	deleteSet, updateSet bool
	force                bool
	// allowDestroy names the protected targets this run may delete or
	// re-point (--allow-destroy, repeatable).
	allowDestroy []string
	lockTimeout  time.Duration
	// lockMode is --lock: reconcile.LockPlain, reconcile.LockLocal or reconcile.LockOff.
	lockMode string
}

// NewCmdApply binds the flags to applyOptions and checks what the flags
// alone decide; runF does the work (nil: applyRun; tests capture it).
func NewCmdApply(f *Factory, runF func(context.Context, *applyOptions) error) *cobra.Command {
	if runF == nil {
		runF = applyRun
	}
	af := applyOptions{f: f}
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
			return runF(cmd.Context(), &af)
		},
	}
	addFileFlag(cmd, &af.files)
	addRemoteFlags(cmd, &af.rf)
	addWorkspacesFlag(cmd, &af.rf)
	addPolicyFlag(cmd, &af.rf.policy)
	fl := cmd.Flags()
	fl.BoolVar(&af.prune, "prune", false, "delete live targets the file does not list (ignore rules still protect)")
	fl.BoolVar(&af.dryRun, "dry-run", false, "print the plan and the exact operations; write nothing")
	fl.BoolVar(&af.autoApprove, "auto-approve", false, "apply without asking (required without a terminal)")
	fl.IntVar(&af.parallelism, "parallelism", apply.DefaultParallelism, "concurrent mutations within each phase")
	fl.Float64Var(&af.maxDeletePercent, "max-delete-percent", apply.DefaultMaxDeletePercent, "refuse to delete more than one and more than this share of the file's live targets (overrides guards.maxDeletePercent)")
	fl.Float64Var(&af.maxUpdatePercent, "max-update-percent", apply.DefaultMaxUpdatePercent, "refuse to update more than one and more than this share of the file's live targets (overrides guards.maxUpdatePercent)")
	fl.StringVar(&af.lockMode, "lock", reconcile.LockPlain, "how apply holds off other applies of the workspace: plain (a local lock and a lease in Plain), local (the local lock only) or none")
	fl.DurationVar(&af.lockTimeout, "lock-timeout", defaultLockTimeout, "how long to wait while another apply holds the workspace (its local lock or its lease in Plain)")
	fl.BoolVar(&af.force, "force", false, "override the safety guards once (deleting every target, an empty file with prune, the delete and update percentages); not protect: rules")
	fl.StringArrayVar(&af.allowDestroy, "allow-destroy", nil, "let this run delete, or change the URL of, the protected target with this exact name (repeatable; --force does not)")
	return cmd
}

// check refuses what the flags alone decide is wrong, and records which
// guard flags were given and the saved plan argument.
func (af *applyOptions) check(cmd *cobra.Command, args []string) error {
	if af.parallelism < 1 {
		return fmt.Errorf("--parallelism must be at least 1, got %d", af.parallelism)
	}
	if af.maxDeletePercent < 0 || af.maxDeletePercent > 100 {
		return fmt.Errorf("--max-delete-percent must be between 0 and 100, got %g", af.maxDeletePercent)
	}
	if af.maxUpdatePercent < 0 || af.maxUpdatePercent > 100 {
		return fmt.Errorf("--max-update-percent must be between 0 and 100, got %g", af.maxUpdatePercent)
	}
	af.deleteSet, af.updateSet = cmd.Flags().Changed("max-delete-percent"), cmd.Flags().Changed("max-update-percent")
	switch af.lockMode {
	case reconcile.LockPlain, reconcile.LockLocal, reconcile.LockOff:
	default:
		return fmt.Errorf("--lock must be plain, local or none, got %q", af.lockMode)
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
func applyRun(ctx context.Context, af *applyOptions) error {
	f := af.f
	var plans []planned
	var err error
	if af.savedPlan != "" {
		if f.Actions.Enabled() {
			// The comment is the file's the plan was made from, also when
			// the plan is refused.
			f.Actions.NoteSavedPlan(af.savedPlan)
		}
		var pl planned
		pl, err = loadSavedPlan(ctx, f, af)
		pl.Saved = true
		plans = []planned{pl}
	} else {
		plans, err = planFiles(ctx, f, af.files, &af.rf, af.prune)
		if err == nil {
			err = refuseFailed(f, plans)
		}
	}
	if err != nil {
		return err
	}
	if err := f.Actions.WritePlanOutputs(plans); err != nil {
		return err
	}
	if err := f.Actions.WritePlanFiles(plans); err != nil {
		return err
	}
	ok, err := applyPlans(ctx, f, plans, af)
	if err != nil {
		return err
	}
	if !ok {
		return &ExitError{Code: ExitFailure}
	}
	return nil
}
