package cli

import (
	"context"
	"errors"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/exitcode"
	"github.com/plainsync/plainsync/internal/policy"
	"github.com/plainsync/plainsync/internal/reconcile"
	"github.com/plainsync/plainsync/internal/spec"
	"github.com/plainsync/plainsync/internal/view"
)

// planned is one file's plan, or the error that kept it from one.
type planned = reconcile.Planned

// planFiles loads and validates every file and the policy, registers their
// secrets, and hands them to reconcile.Plan, which reads each workspace and
// computes its plan; problems are reported on stderr (and as annotations).
func planFiles(ctx context.Context, f *Factory, files []string, rf *remoteFlags, prune bool) ([]planned, error) {
	ds, problems := spec.LoadPaths(files, f.LookupEnv)
	if f.Actions.Enabled() {
		// Every loaded file keeps its comment even if the step stops on
		// another's error; files that did not load are recorded with
		// their problems (reportProblems).
		for _, d := range ds {
			f.Actions.NoteFile(d.File)
		}
	}
	for _, d := range ds {
		f.Secrets.AddMasker(d.Secrets)
	}
	if err := f.Actions.MaskSecrets(); err != nil {
		return nil, err
	}
	// A policy that does not load stops everything before any request.
	set, polProbs := policy.LoadOrEnv(rf.policy, f.LookupEnv)
	plans, err := reconcile.Plan(ctx, &reconcile.Request{
		Files:      ds,
		Problems:   append(problems, polProbs...),
		Policy:     set,
		Connect:    func(env string) (reconcile.Client, error) { return connectWorkflow(f, rf, env) },
		Prune:      prune,
		Workspaces: rf.workspacesFor(len(ds)),
	}, workflowView(f))
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
		return &exitcode.Error{Code: exitcode.Failure}
	}
	return err
}

// workflowView is the workflow's human reporter on the command's streams.
func workflowView(f *Factory) *view.Workflow {
	return &view.Workflow{Out: f.IO.Out, ErrOut: f.IO.ErrOut, Color: f.renderOptions().Color, Secrets: f.Secrets, Actions: f.Actions}
}

// loadSavedPlan hands "apply PLAN.json" to reconcile.LoadSaved.
func loadSavedPlan(ctx context.Context, f *Factory, af *ApplyOptions) (planned, error) {
	pl, err := reconcile.LoadSaved(ctx, &reconcile.SavedRequest{
		Path:      af.savedPlan,
		Prune:     af.prune,
		LookupEnv: f.LookupEnv,
		Learn: func(d *spec.Desired) error {
			if d != nil {
				d.LearnBasicAuth()
				f.Secrets.AddMasker(d.Secrets)
			}
			return f.Actions.MaskSecrets()
		},
		Connect:    func(env string) (reconcile.Client, error) { return connectWorkflow(f, &af.rf, env) },
		LoadPolicy: func() (*policy.Set, []spec.Problem) { return policy.LoadOrEnv(af.rf.policy, f.LookupEnv) },
		Saved:      func(p *diff.Plan) *diff.Plan { return p.WithSecrets(f.Secrets) },
	}, workflowView(f))
	return pl, exitErr(err)
}
