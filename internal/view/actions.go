// Package view is where plainsync's output is made: the GitHub Actions
// report (step outputs, step summary, annotations, pull-request comments,
// drift issues, plan files) and the workflow's human reporter. Commands in
// internal/cli choose what to show; this package decides how it is
// written for each channel.
package view

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/plainsync/plainsync/internal/atomicfile"
	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/ghactions"
	"github.com/plainsync/plainsync/internal/reconcile"
	"github.com/plainsync/plainsync/internal/render"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// Actions is the GitHub Actions report of one run: nil, and so silent,
// unless GITHUB_ACTIONS=true. Workflow commands go to stderr, which the
// runner parses like stdout, so that "plan -o json > plan.json" stays
// clean and a mask line, which carries its secret, can never land in a
// redirected plan.
type Actions struct {
	gha     *ghactions.Actions
	report  actionsReport
	secrets *secret.Masker
	env     func(string) (string, bool)
	// errOut is the raw stderr: the glue's own commands must work.
	errOut io.Writer
}

// NewActions builds the report from the environment; errOut is the raw
// stderr, secrets the run's masker.
func NewActions(errOut io.Writer, env func(string) (string, bool), secrets *secret.Masker) *Actions {
	return &Actions{gha: ghactions.New(errOut, env, secrets), secrets: secrets, env: env, errOut: errOut}
}

// Enabled reports whether the run is inside GitHub Actions.
func (a *Actions) Enabled() bool { return a != nil && a.gha.Enabled() }

// GHA is the workflow-command glue (nil outside Actions).
func (a *Actions) GHA() *ghactions.Actions {
	if a == nil {
		return nil
	}
	return a.gha
}

func (a *Actions) getenv(name string) string {
	v, _ := a.env(name)
	return v
}

// Problems files each problem under its file's comment and annotates
// its line; the problems' secrets must already be in the masker.
func (a *Actions) Problems(ps []spec.Problem) {
	if !a.Enabled() {
		return
	}
	a.report.addProblems(ps)
	// A failure here is a failure to write stderr, which the problem
	// lines have met already; it is not worth failing the command.
	_ = a.gha.AnnotateAll(ps)
}

// maskSecrets registers every secret the factory has learnt with the
// runner's log masker. Commands call it as soon as they learn secrets
// (files loaded, API key read), before printing anything else.
func (a *Actions) MaskSecrets() error {
	if a == nil {
		return nil
	}
	return a.gha.MaskSecrets(a.secrets)
}

// writePlanOutputs sets the step outputs of plan, apply and drift: whether
// anything would change and how many creates, updates and deletes, summed
// over every file, plus the command's own extras.
func (a *Actions) WritePlanOutputs(plans []reconcile.Planned, extra ...ghactions.Output) error {
	if !a.Enabled() {
		return nil
	}
	var c diff.Counts
	changes := false
	for _, pl := range plans {
		pc := pl.Plan.Counts()
		c.Create += pc.Create
		c.Update += pc.Update
		c.Delete += pc.Delete
		changes = changes || pl.Plan.HasChanges()
	}
	outs := append([]ghactions.Output{
		{Name: ghactions.OutputHasChanges, Value: ghactions.Bool(changes)},
		{Name: ghactions.OutputCreates, Value: strconv.Itoa(c.Create)},
		{Name: ghactions.OutputUpdates, Value: strconv.Itoa(c.Update)},
		{Name: ghactions.OutputDeletes, Value: strconv.Itoa(c.Delete)},
	}, extra...)
	return a.gha.SetOutputs(outs...)
}

// PlanFileOutput is the plan-file output: the saved plan's absolute path,
// so that later steps find it whatever their working directory.
func PlanFileOutput(path string) (ghactions.Output, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ghactions.Output{}, fmt.Errorf("resolve the saved plan's path: %w", err)
	}
	return ghactions.Output{Name: ghactions.OutputPlanFile, Value: abs}, nil
}

// summarizePlan appends p to the step summary: the Markdown plan, or with
// drift the Markdown drift report. n is the number of plans the command
// summarises: they share the summary's 1 MiB. The file's comment gets the
// same plan, sized for GitHub's comment limit (each file has its own).
func (a *Actions) SummarizePlan(p *diff.Plan, drift bool, n int) error {
	if !a.Enabled() {
		return nil
	}
	n = max(n, 1)
	render1 := func(limit int) (string, error) {
		var b strings.Builder
		var err error
		if drift {
			err = render.DriftMarkdown(&b, p)
		} else {
			err = render.MarkdownLimit(&b, p, limit)
		}
		return b.String(), err
	}
	summary, err := render1(render.MaxStepSummary/n - 1024)
	if err != nil {
		return err
	}
	comment, err := render1(ghactions.MaxComment - commentReserve)
	if err != nil {
		return err
	}
	fr := a.report.file(p.File)
	fr.parts = append(fr.parts, comment)
	fr.changes = p.HasChanges()
	return a.gha.AddStepSummary(summary)
}

// summarize appends a Markdown block to the step summary (masked), and to
// every pull-request comment of the step.
func (a *Actions) Summarize(markdown string) error {
	return a.SummarizeFile("", markdown)
}

// summarizeFile appends a Markdown block about one file to the step
// summary (masked), and to that file's pull-request comment.
func (a *Actions) SummarizeFile(file, markdown string) error {
	if !a.Enabled() {
		return nil
	}
	fr := a.report.file(file)
	fr.parts = append(fr.parts, markdown)
	return a.gha.AddStepSummary(markdown)
}

// writePlanFiles writes every plan, whole, to a Markdown and a JSON file
// (a JSON stream with several files) and names them in the outputs
// plan-markdown and plan-json, for actions/upload-artifact: the comment and
// the summary may have to leave details out, these never do.
func (a *Actions) WritePlanFiles(plans []reconcile.Planned) error {
	if !a.Enabled() {
		return nil
	}
	var md, js strings.Builder
	for i, pl := range plans {
		if i > 0 {
			md.WriteString("\n")
		}
		if err := render.MarkdownLimit(&md, pl.Plan, 0); err != nil {
			return err
		}
		if err := render.JSON(&js, pl.Plan); err != nil {
			return err
		}
	}
	dir := a.getenv("RUNNER_TEMP")
	if dir == "" {
		dir = os.TempDir()
	}
	dir, err := os.MkdirTemp(dir, "plainsync-plan-")
	if err != nil {
		return fmt.Errorf("write the plan files: %w", err)
	}
	mdPath, jsPath := filepath.Join(dir, "plan.md"), filepath.Join(dir, "plan.json")
	// The renderers mask already; mask again as every other Actions
	// output is, in case a renderer ever misses one.
	if err := atomicfile.Write(mdPath, []byte(a.secrets.Mask(md.String())), 0o600); err != nil {
		return fmt.Errorf("write the plan files: %w", err)
	}
	if err := atomicfile.Write(jsPath, []byte(a.secrets.Mask(js.String())), 0o600); err != nil {
		return fmt.Errorf("write the plan files: %w", err)
	}
	return a.gha.SetOutputs(
		ghactions.Output{Name: ghactions.OutputPlanMarkdown, Value: mdPath},
		ghactions.Output{Name: ghactions.OutputPlanJSON, Value: jsPath},
	)
}

// codeBlock fences text for the step summary, with a fence longer than any
// backtick run inside it.
func codeBlock(text string) string {
	fence, run := "```", 0
	for _, r := range text {
		if r != '`' {
			run = 0
			continue
		}
		if run++; run >= len(fence) {
			fence += "`"
		}
	}
	return fence + "\n" + strings.TrimRight(text, "\n") + "\n" + fence + "\n"
}
