package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/apply"
	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/ordered"
	"github.com/plainsync/plainsync/internal/render"
	"github.com/plainsync/plainsync/internal/spec"
)

func init() { register(newApplyCmd) }

type applyFlags struct {
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
}

func newApplyCmd(f *Factory) *cobra.Command {
	var af applyFlags
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

Without a terminal, apply refuses to run unless --auto-approve is given.

"apply PLAN.json" applies a plan saved by "plainsync plan --out"; it re-reads
the live workspace and refuses if it changed since the plan was made.`,
		Example: `  plainsync apply
  plainsync apply --dry-run
  plainsync apply -f prod.yaml --prune --auto-approve
  plainsync plan --out plan.json && plainsync apply plan.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
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
			ctx := cmd.Context()
			var plans []planned
			var err error
			if len(args) == 1 {
				if cmd.Flags().Changed("file") || af.prune {
					return errors.New("a saved plan carries its file and prune setting: drop -f and --prune, or plan again")
				}
				var pl planned
				pl, err = loadSavedPlan(ctx, f, args[0], &af.rf)
				plans = []planned{pl}
			} else {
				plans, err = planFiles(ctx, f, af.files, &af.rf, af.prune)
			}
			if err != nil {
				return err
			}
			if err := f.writePlanOutputs(plans); err != nil {
				return err
			}
			if err := f.writePlanFiles(plans); err != nil {
				return err
			}
			ok, err := applyPlans(ctx, f, plans, &af)
			if err != nil {
				return err
			}
			if !ok {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
	addFileFlag(cmd, &af.files)
	addRemoteFlags(cmd, &af.rf)
	addWorkspacesFlag(cmd, &af.rf)
	fl := cmd.Flags()
	fl.BoolVar(&af.prune, "prune", false, "delete live targets the file does not list (ignore rules still protect)")
	fl.BoolVar(&af.dryRun, "dry-run", false, "print the plan and the exact operations; write nothing")
	fl.BoolVar(&af.autoApprove, "auto-approve", false, "apply without asking (required without a terminal)")
	fl.IntVar(&af.parallelism, "parallelism", apply.DefaultParallelism, "concurrent mutations within each phase")
	fl.Float64Var(&af.maxDeletePercent, "max-delete-percent", apply.DefaultMaxDeletePercent, "refuse to delete more than one and more than this share of the file's live targets (overrides guards.maxDeletePercent)")
	fl.Float64Var(&af.maxUpdatePercent, "max-update-percent", apply.DefaultMaxUpdatePercent, "refuse to update more than one and more than this share of the file's live targets (overrides guards.maxUpdatePercent)")
	fl.BoolVar(&af.force, "force", false, "override the safety guards once (deleting every target, an empty file with prune, the delete and update percentages)")
	return cmd
}

// loadSavedPlan reads a plan written by "plan --out", re-reads live state
// and refuses when the workspace or its targets changed since.
func loadSavedPlan(ctx context.Context, f *Factory, path string, rf *remoteFlags) (planned, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return planned{}, fmt.Errorf("read saved plan: %w", err)
	}
	p, err := diff.UnmarshalSaved(data, f.LookupEnv, spec.Interpolate)
	if err != nil {
		return planned{}, fmt.Errorf("%s: %w", path, err)
	}
	f.Secrets.AddMasker(p.Secrets)
	if err := f.maskSecrets(); err != nil {
		return planned{}, err
	}
	// The file's guards travel in the plan, which nothing binds to the
	// file yet: an edited plan may make them stricter, never looser than
	// the defaults (a flag still sets any value).
	p.MaxDeletePercent = noLooser(p.MaxDeletePercent, apply.DefaultMaxDeletePercent)
	p.MaxUpdatePercent = noLooser(p.MaxUpdatePercent, apply.DefaultMaxUpdatePercent)
	c, err := f.connect(rf, p.APIKeyEnv)
	if err != nil {
		return planned{}, err
	}
	live, err := c.Snapshot(ctx)
	if err != nil {
		return planned{}, err
	}
	if p.Workspace.ID != live.Workspace.ID {
		return planned{}, &ExitError{Code: 1, Err: fmt.Errorf("%s was made for workspace %s, but the API key belongs to %s (%s); refusing to apply", path, p.Workspace.ID, live.Workspace.ID, live.Workspace.Name)}
	}
	if fp := diff.Fingerprint(live); fp != p.Fingerprint {
		return planned{}, &ExitError{Code: 1, Err: fmt.Errorf("live state has changed since %s was made (fingerprint %s, now %s); refusing to apply a stale plan: run plainsync plan again", path, short(p.Fingerprint), short(fp))}
	}
	if err := diff.VerifySaved(p, live); err != nil {
		return planned{}, &ExitError{Code: 1, Err: fmt.Errorf("%s: %w; refusing to apply it: run plainsync plan again", path, err)}
	}
	return planned{client: c, live: live, plan: p}, nil
}

func short(fp string) string {
	fp = strings.TrimPrefix(fp, "sha256:")
	if len(fp) > 12 {
		return fp[:12]
	}
	return fp
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
func applyPlans(ctx context.Context, f *Factory, plans []planned, af *applyFlags) (bool, error) {
	// refuse reports a refusal in the step summary too, where a reviewer
	// of the run looks first.
	refuse := func(err error) (bool, error) {
		if serr := f.summarize("**Apply refused; nothing was written.**\n\n" + codeBlock(err.Error())); serr != nil {
			return false, serr
		}
		return false, &ExitError{Code: 1, Err: err}
	}
	// fileErr names the file when there are several, so that a refusal
	// says which plan it is about.
	fileErr := func(p *diff.Plan, err error) error {
		if len(plans) > 1 {
			return fmt.Errorf("%s: %w", f.Secrets.Mask(p.File), err)
		}
		return err
	}
	var todo []planned
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
			continue
		}
		if err := apply.CheckSafety(p, apply.SafetyOptions{
			MaxDelete: guardLimit(p, af.deleteSet, af.maxDeletePercent, p.MaxDeletePercent, "max-delete-percent", "maxDeletePercent", apply.DefaultMaxDeletePercent),
			MaxUpdate: guardLimit(p, af.updateSet, af.maxUpdatePercent, p.MaxUpdatePercent, "max-update-percent", "maxUpdatePercent", apply.DefaultMaxUpdatePercent),
			Force:     af.force,
			EmptyFile: emptyDesired(p),
		}); err != nil {
			return refuse(fileErr(p, err))
		}
		if err := apply.Preflight(p, pl.live.Permissions); err != nil {
			return refuse(fileErr(p, err))
		}
		todo = append(todo, pl)
	}
	if len(todo) == 0 {
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
			return false, &ExitError{Code: 1}
		}
	}
	succeeded := true
	// The workspaces are applied several at once, each in its own phase
	// order under its own key; the output is what one after another would
	// print (the first unfinished workspace streams, the others wait).
	results := make([]string, len(todo))
	ok := make([]bool, len(todo))
	ordered.Run(len(todo), af.rf.workspaces, f.IO.Out, func(i int, w io.Writer) {
		pl := todo[i]
		fmt.Fprintln(w)
		if len(plans) > 1 {
			fmt.Fprintf(w, "Applying %s:\n", f.Secrets.Mask(pl.plan.File))
		}
		res := apply.Execute(ctx, pl.plan, pl.client, apply.Options{
			Parallelism: af.parallelism,
			Progress:    apply.ProgressPrinter(w, f.Secrets),
		})
		var result strings.Builder
		apply.RenderResult(&result, res, f.Secrets)
		fmt.Fprint(w, result.String())
		results[i], ok[i] = result.String(), res.Succeeded()
	})
	for i := range todo {
		if err := f.summarize(codeBlock(results[i])); err != nil {
			return false, err
		}
		succeeded = succeeded && ok[i]
	}
	return succeeded, nil
}

// noLooser keeps a saved plan's guard only when it is at most def.
func noLooser(v *float64, def float64) *float64 {
	if v == nil || *v > def {
		return nil
	}
	return v
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
		return false, &ExitError{Code: 1, Err: errors.New("refusing to apply without confirmation: stdin is not a terminal; review the plan and pass --auto-approve")}
	}
	fmt.Fprint(f.IO.Out, "\nDo you want to apply these changes? Only 'yes' will be accepted: ")
	line, err := bufio.NewReader(f.IO.In).ReadString('\n')
	if err != nil && line == "" {
		return false, nil
	}
	return strings.TrimSpace(line) == "yes", nil
}
