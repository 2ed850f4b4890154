package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/ghactions"
	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/render"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// actions returns the GitHub Actions glue: nil, and so silent, unless
// GITHUB_ACTIONS=true. Workflow commands go to stderr, which the runner
// parses like stdout, so that "plan -o json > plan.json" stays clean and a
// mask line, which carries its secret, can never land in a redirected plan.
func (f *Factory) actions() *ghactions.Actions {
	f.ghaOnce.Do(func() {
		if f.Secrets == nil {
			f.Secrets = &secret.Masker{}
		}
		f.gha = ghactions.New(f.IO.ErrOut, f.LookupEnv, f.Secrets)
	})
	return f.gha
}

// guardStreams, inside Actions, keeps untrusted text from becoming a
// workflow command: every line plainsync writes to stdout or stderr that
// starts with "::" is escaped (the Actions glue writes its own commands to
// the raw stderr, so they stay commands), and text and table output is
// wrapped in ::stop-commands::TOKEN … ::TOKEN:: with a random token.
// Output meant to be captured is left unwrapped, since the markers would
// land in the capture: -o json and export's files (whose lines cannot
// start with "::"), and -o markdown, which the action saves for PR
// comments (its text is escaped like every other renderer's). It returns the function that ends the pause and
// flushes and gives the raw streams back, to run once the command is
// done. Outside Actions only the line guards apply.
func (f *Factory) guardStreams(root *cobra.Command) (finish func()) {
	// The Actions glue keeps the raw stderr: its own commands must work.
	enabled := f.actions().Enabled()
	rawOut, rawErr := f.IO.Out, f.IO.ErrOut
	outGuard, errGuard := inert.LineGuard(rawOut), inert.LineGuard(rawErr)
	f.IO.Out, f.IO.ErrOut = outGuard, errGuard
	if !enabled {
		// Output teed into a job log by a wrapper that does not set
		// GITHUB_ACTIONS is parsed all the same: the line guards stay.
		return func() {
			for _, w := range []io.Writer{outGuard, errGuard} {
				_ = w.(inert.Flusher).Flush()
			}
			f.IO.Out, f.IO.ErrOut = rawOut, rawErr
		}
	}
	var stop *inert.StopCommands
	var stopGuard io.Writer
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if !humanOutput(cmd) {
			return nil
		}
		s, err := inert.NewStopCommands(rawOut)
		if err != nil {
			return err
		}
		stop, stopGuard = s, inert.LineGuard(s)
		f.IO.Out = stopGuard
		return nil
	}
	return func() {
		for _, w := range []io.Writer{outGuard, errGuard, stopGuard} {
			if fl, ok := w.(inert.Flusher); ok {
				_ = fl.Flush()
			}
		}
		if stop != nil {
			_ = stop.End()
		}
		f.IO.Out, f.IO.ErrOut = rawOut, rawErr
	}
}

// humanOutput reports whether cmd prints for people (text, tables) rather
// than a document that is captured (JSON, YAML, Markdown).
func humanOutput(cmd *cobra.Command) bool {
	if cmd.Name() == "export" {
		return false
	}
	fl := cmd.Flags().Lookup("output")
	if fl == nil {
		return true
	}
	switch fl.Value.String() {
	case "text", "table", "":
		return true
	}
	return false
}

// maskSecrets registers every secret the factory has learnt with the
// runner's log masker. Commands call it as soon as they learn secrets
// (files loaded, API key read), before printing anything else.
func (f *Factory) maskSecrets() error {
	return f.actions().MaskSecrets(f.Secrets)
}

// reportProblems prints each problem as FILE:LINE:COL: message on stderr
// and, inside Actions, also as an error or warning annotation on that line
// of the file. The problems' secrets must already be in f.Secrets.
func (f *Factory) reportProblems(ps []spec.Problem) {
	printProblems(f.IO.ErrOut, ps, f.Secrets)
	if f.actions().Enabled() {
		f.report.addProblems(ps)
	}
	// A failure here is a failure to write stderr, which the lines above
	// have met already; like them it is not worth failing the command.
	_ = f.actions().AnnotateAll(ps)
}

// writePlanOutputs sets the step outputs of plan, apply and drift: whether
// anything would change and how many creates, updates and deletes, summed
// over every file, plus the command's own extras.
func (f *Factory) writePlanOutputs(plans []planned, extra ...ghactions.Output) error {
	a := f.actions()
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
	return a.SetOutputs(outs...)
}

// planFileOutput is the plan-file output: the saved plan's absolute path,
// so that later steps find it whatever their working directory.
func planFileOutput(path string) (ghactions.Output, error) {
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
func (f *Factory) summarizePlan(p *diff.Plan, drift bool, n int) error {
	a := f.actions()
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
	fr := f.report.file(p.File)
	fr.parts = append(fr.parts, comment)
	fr.changes = p.HasChanges()
	return a.AddStepSummary(summary)
}

// summarize appends a Markdown block to the step summary (masked), and to
// every pull-request comment of the step.
func (f *Factory) summarize(markdown string) error {
	return f.summarizeFile("", markdown)
}

// summarizeFile appends a Markdown block about one file to the step
// summary (masked), and to that file's pull-request comment.
func (f *Factory) summarizeFile(file, markdown string) error {
	if f.actions().Enabled() {
		fr := f.report.file(file)
		fr.parts = append(fr.parts, markdown)
	}
	return f.actions().AddStepSummary(markdown)
}

// writePlanFiles writes every plan, whole, to a Markdown and a JSON file
// (a JSON stream with several files) and names them in the outputs
// plan-markdown and plan-json, for actions/upload-artifact: the comment and
// the summary may have to leave details out, these never do.
func (f *Factory) writePlanFiles(plans []planned) error {
	a := f.actions()
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
	dir := f.Getenv("RUNNER_TEMP")
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
	if err := writeFileAtomic(mdPath, []byte(f.Secrets.Mask(md.String())), 0o600); err != nil {
		return fmt.Errorf("write the plan files: %w", err)
	}
	if err := writeFileAtomic(jsPath, []byte(f.Secrets.Mask(js.String())), 0o600); err != nil {
		return fmt.Errorf("write the plan files: %w", err)
	}
	return a.SetOutputs(
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
