package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/apply"
	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/ordered"
	"github.com/plainsync/plainsync/internal/render"
	"github.com/plainsync/plainsync/internal/secret"
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
	lockTimeout          time.Duration
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

"apply PLAN.json" applies a plan saved by "plainsync plan --out": it loads the
file the plan was made from, re-reads the live workspace, plans again and applies
only if the result is identical to the saved plan; a changed file or workspace,
or an edited plan, is refused before anything is sent.

Only one apply writes to a workspace at a time: a local lock and a lease held in
Plain (a disabled target "plainsync-lease …"); another apply waits up to
--lock-timeout, then refuses.`,
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
				pl.saved = true
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
	fl.DurationVar(&af.lockTimeout, "lock-timeout", defaultLockTimeout, "how long to wait while another apply holds the workspace (its local lock or its lease in Plain)")
	fl.BoolVar(&af.force, "force", false, "override the safety guards once (deleting every target, an empty file with prune, the delete and update percentages)")
	return cmd
}

// loadSavedPlan reads a plan written by "plan --out" and binds it to its
// inputs: it loads the file the plan names (which must still have the
// digest the plan recorded), re-reads live state (which must still have
// the plan's fingerprint), computes the plan again with the same options
// and refuses unless the result is identical to the saved one and the
// plan's signature verifies with the API key. What it returns for
// execution is the recomputed plan: an edited saved plan can never do
// anything the file and Plain do not imply, and only the variables the
// file references are read from the environment.
func loadSavedPlan(ctx context.Context, f *Factory, path string, rf *remoteFlags) (planned, error) {
	data, err := readSavedPlan(path)
	if err != nil {
		return planned{}, err
	}
	saved, err := diff.ReadSaved(data)
	if err != nil {
		return planned{}, fmt.Errorf("%s: %w", path, err)
	}
	refuse := func(format string, args ...any) (planned, error) {
		return planned{}, &ExitError{Code: 1, Err: fmt.Errorf("%s: %s; refusing to apply it, nothing was sent: run plainsync plan again", path, fmt.Sprintf(format, args...))}
	}
	// The plan names its file; an edited one could name any file, whose
	// load errors would quote it. Only desired-state files are read.
	if ext := strings.ToLower(filepath.Ext(saved.File)); ext != ".yaml" && ext != ".yml" {
		return refuse("it names %q as the file it was made from, which is not a *.yaml or *.yml desired-state file", saved.File)
	}
	d, problems := spec.Load(saved.File, f.LookupEnv)
	if d != nil {
		learnBasicAuth(d)
		f.Secrets.AddMasker(d.Secrets)
	}
	if err := f.maskSecrets(); err != nil {
		return planned{}, err
	}
	f.reportProblems(problems)
	if spec.HasErrors(problems) {
		return refuse("the file it was made from, %s, no longer loads", saved.File)
	}
	if d.Digest != saved.FileDigest {
		return refuse("%s has changed since the plan was made (digest %s, now %s)", saved.File, short(saved.FileDigest), short(d.Digest))
	}
	c, err := f.connect(rf, d.APIKeyEnv)
	if err != nil {
		return planned{}, err
	}
	live, err := c.Snapshot(ctx)
	if err != nil {
		return planned{}, err
	}
	if saved.Workspace.ID != live.Workspace.ID {
		return refuse("it was made for workspace %s, but the API key belongs to %s (%s)", saved.Workspace.ID, live.Workspace.ID, live.Workspace.Name)
	}
	if fp := diff.Fingerprint(live); fp != saved.Fingerprint {
		return planned{}, &ExitError{Code: 1, Err: fmt.Errorf("%s: live state has changed since it was made (fingerprint %s, now %s); refusing to apply a stale plan, nothing was sent: run plainsync plan again", path, short(saved.Fingerprint), short(fp))}
	}
	fresh, problems := diff.Compute(d, live, diff.Options{Prune: saved.Prune})
	f.reportProblems(problems)
	if spec.HasErrors(problems) {
		return refuse("the file no longer plans against the live workspace")
	}
	if err := diff.CompareSaved(saved, fresh); err != nil {
		return refuse("%v", err)
	}
	key, _ := f.LookupEnv(keyEnvOf(d.APIKeyEnv))
	if err := diff.VerifySignature(saved, key); err != nil {
		return refuse("%v", err)
	}
	return planned{desired: d, client: c, live: live, plan: fresh}, nil
}

// readSavedPlan reads at most diff.MaxSavedSize bytes: a device named by
// mistake (/dev/zero) must not be read without end, while a pipe holding
// a plan still works.
func readSavedPlan(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read saved plan: %w", err)
	}
	defer fh.Close()
	if st, err := fh.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("read saved plan %s: is a directory", path)
	}
	data, err := io.ReadAll(io.LimitReader(fh, diff.MaxSavedSize+1))
	if err != nil {
		return nil, fmt.Errorf("read saved plan: %w", err)
	}
	if len(data) > diff.MaxSavedSize {
		return nil, fmt.Errorf("read saved plan %s: the file is larger than %d MiB, so it is not a plainsync plan", path, diff.MaxSavedSize>>20)
	}
	return data, nil
}

// keyEnvOf is the variable holding the API key for a file's apiKeyEnv.
func keyEnvOf(env string) string {
	if env == "" {
		return spec.DefaultAPIKeyEnv
	}
	return env
}

func short(fp string) string {
	fp = strings.TrimPrefix(fp, "sha256:")
	if len(fp) > 12 {
		return fp[:12]
	}
	return fp
}

// refuseFailed refuses to apply anything when any file could not be
// planned: apply writes every workspace or none (see applyPlans).
func refuseFailed(f *Factory, plans []planned) error {
	failed := failedPlans(plans)
	if len(failed) == 0 {
		return nil
	}
	if len(plans) == 1 {
		return &ExitError{Code: 1, Err: failed[0].err}
	}
	for _, pl := range failed {
		fmt.Fprintf(f.IO.ErrOut, "Error: %s\n", inert.Lines(f.Secrets.Mask(pl.err.Error())))
	}
	msg := fmt.Sprintf("%d of %d files could not be planned; refusing to apply any of them, nothing was written", len(failed), len(plans))
	if err := f.summarize("**Apply refused; nothing was written.**\n\n" + codeBlock(msg)); err != nil {
		return err
	}
	return &ExitError{Code: 1, Err: errors.New(msg)}
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
		if err := checkGuards(pl, af); err != nil {
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
	errs := make([]error, len(todo))
	ordered.Run(len(todo), af.rf.workspaces, f.IO.Out, func(i int, w io.Writer) {
		pl := todo[i]
		// One writer per workspace: hold the local lock and the lease
		// while applying, and apply what live state shows once they are
		// held, not what it showed before the wait.
		release, err := f.lockWorkspace(ctx, pl, af)
		if err != nil {
			errs[i] = fileErr(pl.plan, err)
			return
		}
		defer release()
		pl, err = f.replanLocked(ctx, w, pl, af)
		if err != nil {
			errs[i] = fileErr(pl.plan, err)
			return
		}
		if !pl.plan.HasChanges() {
			fmt.Fprintln(w, "\nNothing left to apply: another run has made these changes.")
			ok[i] = true
			return
		}
		fmt.Fprintln(w)
		if len(plans) > 1 {
			fmt.Fprintf(w, "Applying %s:\n", f.Secrets.Mask(pl.plan.File))
		}
		res := apply.Execute(ctx, pl.plan, pl.client, apply.Options{
			Parallelism: af.parallelism,
			// A request Plain still holds commits within its timeout.
			LostCreateWait: af.rf.timeout,
			Progress:       apply.ProgressPrinter(w, f.Secrets),
		})
		var result strings.Builder
		apply.RenderResult(&result, res, f.Secrets)
		fmt.Fprint(w, result.String())
		results[i], ok[i] = result.String(), res.Succeeded()
	})
	if len(todo) == 1 && errs[0] != nil {
		return refuse(errs[0])
	}
	for i := range todo {
		if errs[i] != nil {
			// Locking or re-planning one workspace failed; it wrote nothing.
			msg := secret.RedactURLsInText(f.Secrets.Mask(errs[i].Error()))
			fmt.Fprintf(f.IO.ErrOut, "Error: %s\n", inert.Lines(msg))
			if err := f.summarize("**Not applied; nothing was written to it.**\n\n" + codeBlock(msg)); err != nil {
				return false, err
			}
			succeeded = false
			continue
		}
		if results[i] != "" {
			if err := f.summarize(codeBlock(results[i])); err != nil {
				return false, err
			}
		}
		succeeded = succeeded && ok[i]
	}
	return succeeded, nil
}

// checkGuards runs the safety guards and the permission preflight.
func checkGuards(pl planned, af *applyFlags) error {
	p := pl.plan
	if err := apply.CheckSafety(p, apply.SafetyOptions{
		MaxDelete: guardLimit(p, af.deleteSet, af.maxDeletePercent, p.MaxDeletePercent, "max-delete-percent", "maxDeletePercent", apply.DefaultMaxDeletePercent),
		MaxUpdate: guardLimit(p, af.updateSet, af.maxUpdatePercent, p.MaxUpdatePercent, "max-update-percent", "maxUpdatePercent", apply.DefaultMaxUpdatePercent),
		Force:     af.force,
		EmptyFile: emptyDesired(p),
	}); err != nil {
		return err
	}
	return apply.Preflight(p, pl.live.Permissions)
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
