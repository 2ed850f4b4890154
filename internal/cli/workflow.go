package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/plainsync/plainsync/internal/reconcile"
)

// planned is one file's plan, or the error that kept it from one.
type planned = reconcile.Planned

// defaultLockTimeout is how long apply waits for another apply of the same
// workspace: long enough for a typical apply to finish.
const defaultLockTimeout = 2 * time.Minute

// planFiles loads and validates every file and the policy, registers their
// secrets, and hands them to reconcile.Plan, which reads each workspace and
// computes its plan; problems are reported on stderr (and as annotations).
func planFiles(ctx context.Context, f *Factory, files []string, rf *remoteFlags, prune bool) ([]planned, error) {
	ds, problems := loadFiles(f, files)
	if f.actions().Enabled() {
		// Every loaded file keeps its comment even if the step stops on
		// another's error; files that did not load are recorded with
		// their problems (reportProblems).
		for _, d := range ds {
			f.report.file(d.File)
		}
	}
	for _, d := range ds {
		f.Secrets.AddMasker(d.Secrets)
	}
	if err := f.maskSecrets(); err != nil {
		return nil, err
	}
	// A policy that does not load stops everything before any request.
	set, polProbs := loadPolicy(f, rf.policy)
	plans, err := reconcile.Plan(ctx, &reconcile.Request{
		Files:      ds,
		Problems:   append(problems, polProbs...),
		Policy:     set,
		Connect:    func(env string) (reconcile.Client, error) { return connectWorkflow(f, rf, env) },
		Prune:      prune,
		Workspaces: rf.workspaces,
	}, &reporter{f: f})
	return plans, exitErr(err)
}

// connectWorkflow is f.connect without a typed nil inside the interface.
func connectWorkflow(f *Factory, rf *remoteFlags, env string) (reconcile.Client, error) {
	c, err := f.connect(rf, env)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// exitErr turns the workflow's "already reported" into a silent exit 1.
func exitErr(err error) error {
	if errors.Is(err, reconcile.ErrReported) {
		return &ExitError{Code: ExitFailure}
	}
	return err
}

// applyPlans hands the plans to reconcile.Apply with apply's options.
func applyPlans(ctx context.Context, f *Factory, plans []planned, af *applyOptions) (bool, error) {
	ok, err := reconcile.Apply(ctx, plans, &reconcile.ApplyOptions{
		DryRun:           af.dryRun,
		AutoApprove:      af.autoApprove,
		Parallelism:      af.parallelism,
		Workspaces:       af.rf.workspaces,
		Timeout:          af.rf.timeout,
		MaxDeletePercent: af.maxDeletePercent,
		MaxUpdatePercent: af.maxUpdatePercent,
		DeleteSet:        af.deleteSet,
		UpdateSet:        af.updateSet,
		Force:            af.force,
		AllowDestroy:     af.allowDestroy,
		LockMode:         af.lockMode,
		LockTimeout:      af.lockTimeout,
		LockDir:          lockDir(f),
		Endpoint:         f.endpoint(&af.rf),
		Confirmer:        terminalConfirmer{f},
	}, &reporter{f: f})
	return ok, exitErr(err)
}

// refuseFailed refuses to apply anything when any file could not be
// planned: apply writes every workspace or none.
func refuseFailed(f *Factory, plans []planned) error {
	failed := reconcile.Failed(plans)
	if len(failed) == 0 {
		return nil
	}
	if len(plans) == 1 {
		return &ExitError{Code: ExitFailure, Err: failed[0].Err}
	}
	for _, pl := range failed {
		printFileError(f, pl.Desired.File, pl.Err)
	}
	f.report.all = true // no file is applied
	msg := fmt.Sprintf("%d of %d files could not be planned; refusing to apply any of them, nothing was written", len(failed), len(plans))
	if err := f.summarize("**Apply refused; nothing was written.**\n\n" + codeBlock(msg)); err != nil {
		return err
	}
	return &ExitError{Code: ExitFailure, Err: errors.New(msg)}
}

// lockDir is where local locks live: the user cache directory (as
// $XDG_CACHE_HOME or $HOME/.cache say), else the temporary directory.
func lockDir(f *Factory) string {
	if d := f.Getenv("XDG_CACHE_HOME"); filepath.IsAbs(d) {
		return d
	}
	if h := f.Getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Join(h, ".cache")
	}
	return os.TempDir()
}

// terminalConfirmer asks for "yes" on a terminal and refuses without one.
type terminalConfirmer struct{ f *Factory }

func (c terminalConfirmer) Confirm() (bool, error) {
	if !c.f.IO.InIsTerminal {
		return false, errors.New("refusing to apply without confirmation: stdin is not a terminal; review the plan and pass --auto-approve")
	}
	fmt.Fprint(c.f.IO.Out, "\nDo you want to apply these changes? Only 'yes' will be accepted: ")
	line, err := bufio.NewReader(c.f.IO.In).ReadString('\n')
	if err != nil && line == "" {
		return false, nil
	}
	return strings.TrimSpace(line) == "yes", nil
}
