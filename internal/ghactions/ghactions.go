// Package ghactions is plainsync's GitHub Actions glue: a thin layer over
// github.com/sethvargo/go-githubactions that writes step outputs, appends to
// the step summary, emits error and warning annotations and registers
// secrets with the runner's log masker.
//
// Everything goes through an io.Writer and an environment lookup handed in
// by the caller, so that the CLI's tests can observe exactly what a runner
// would see. New returns nil outside Actions, and every method of a nil
// *Actions does nothing: callers need no "are we in Actions?" checks, and
// nothing of this appears in a terminal.
//
// Secrets: every text written to outputs, the summary or an annotation is
// first passed through the secret masker, so an interpolated ${VAR} value or
// the API key cannot reach the runner's files or log. The one exception is
// the ::add-mask:: command itself, which must carry the value: that is how
// the runner learns what to hide.
package ghactions

import (
	"errors"
	"fmt"
	"github.com/plainsync/plainsync/internal/inert"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	githubactions "github.com/sethvargo/go-githubactions"

	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// Output names, as declared in action.yml.
const (
	OutputHasChanges = "has-changes" // "true" when apply would write anything
	OutputCreates    = "creates"     // number of targets to create
	OutputUpdates    = "updates"     // number of targets to update
	OutputDeletes    = "deletes"     // number of targets to delete
	OutputDrift      = "drift"       // "true"/"false"; drift only
	OutputPlanFile   = "plan-file"   // absolute path of plan --out
	// OutputExitCode is plainsync's exit code, so that a later step tells
	// drift (2) from an error (1) without parsing anything.
	OutputExitCode = "exitcode"
	// OutputPlanMarkdown and OutputPlanJSON are files holding the whole
	// plan, never truncated (plan, apply, drift), for upload-artifact.
	OutputPlanMarkdown = "plan-markdown"
	OutputPlanJSON     = "plan-json"
)

// Outputs lists every output plainsync writes. action.yml maps each of them
// from its run step; a test keeps the two in step.
var Outputs = []string{OutputHasChanges, OutputCreates, OutputUpdates, OutputDeletes, OutputDrift, OutputPlanFile,
	OutputExitCode, OutputPlanMarkdown, OutputPlanJSON}

// EnvActions is set to "true" by the runner in every step.
const EnvActions = "GITHUB_ACTIONS"

// Environment files the runner provides to each step.
const (
	EnvOutput      = "GITHUB_OUTPUT"
	EnvStepSummary = "GITHUB_STEP_SUMMARY"
)

// fileCommandDelimiter is the heredoc delimiter go-githubactions uses when
// it writes NAME<<DELIM / value / DELIM to $GITHUB_OUTPUT. A value holding
// it would end the heredoc early and let the rest forge other outputs.
const fileCommandDelimiter = "_GitHubActionsFileCommandDelimeter_"

// Actions writes to a GitHub Actions runner. Use New; a nil *Actions is a
// valid, silent value for runs outside Actions.
type Actions struct {
	gha       *githubactions.Action
	w         io.Writer
	lookupEnv func(string) (string, bool)
	secrets   *secret.Masker

	mu     sync.Mutex
	masked map[string]bool // values already sent as ::add-mask::

	getwd func() (string, error) // the working directory; os.Getwd
}

// New returns the Actions glue when lookupEnv says GITHUB_ACTIONS=true, and
// nil otherwise. Workflow commands (masks, annotations) are written to w;
// the CLI passes stderr, which the runner parses like stdout, so that
// stdout stays clean for "-o json > plan.json" and the like. secrets masks
// every text before it is written; nil masks nothing.
func New(w io.Writer, lookupEnv func(string) (string, bool), secrets *secret.Masker) *Actions {
	if lookupEnv == nil || w == nil {
		return nil
	}
	if v, _ := lookupEnv(EnvActions); v != "true" {
		return nil
	}
	getenv := func(k string) string {
		v, _ := lookupEnv(k)
		return v
	}
	return &Actions{
		gha:       githubactions.New(githubactions.WithWriter(w), githubactions.WithGetenv(getenv)),
		w:         w,
		lookupEnv: lookupEnv,
		secrets:   secrets,
		masked:    map[string]bool{},
		getwd:     os.Getwd,
	}
}

// Enabled reports whether plainsync runs inside GitHub Actions.
func (a *Actions) Enabled() bool { return a != nil }

// MaskSecrets emits "::add-mask::VALUE" for every value of m not masked
// before, so that the runner hides it in every later log line, of this
// step and of the steps that follow. Call it as soon as secrets are known
// and before printing anything that could derive from them.
func (a *Actions) MaskSecrets(m *secret.Masker) error {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, v := range m.Values() {
		for _, part := range maskParts(v) {
			if a.masked[part] {
				continue
			}
			if err := guard(func() { a.gha.AddMask(part) }); err != nil {
				return fmt.Errorf("GitHub Actions: register a secret mask: %w", err)
			}
			a.masked[part] = true
		}
	}
	return nil
}

// maskParts is what to register for a secret value: the value, and each of
// its lines when it has several. The runner masks line by line, so a
// multi-line mask alone would never match.
func maskParts(v string) []string {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	parts := []string{v}
	if strings.ContainsAny(v, "\r\n") {
		for _, line := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == '\r' }) {
			if strings.TrimSpace(line) != "" && line != v {
				parts = append(parts, line)
			}
		}
	}
	return parts
}

// SetOutput writes name=value to $GITHUB_OUTPUT. Without that file (a
// local run that only sets GITHUB_ACTIONS) there is nobody to read the
// output, and it is skipped.
func (a *Actions) SetOutput(name, value string) error {
	if a == nil {
		return nil
	}
	if !a.hasFile(EnvOutput) {
		return nil
	}
	value = secret.RedactURLsInText(a.secrets.Mask(value))
	if strings.Contains(name, fileCommandDelimiter) || strings.Contains(value, fileCommandDelimiter) || strings.ContainsAny(name, "\r\n=") {
		return fmt.Errorf("GitHub Actions: refusing to write output %q: its name or value would break $%s's format", name, EnvOutput)
	}
	if err := guard(func() { a.gha.SetOutput(name, value) }); err != nil {
		return fmt.Errorf("GitHub Actions: write output %s: %w", name, err)
	}
	return nil
}

// Output is one step output, for SetOutputs.
type Output struct{ Name, Value string }

// SetOutputs writes several outputs in order, stopping at the first error.
func (a *Actions) SetOutputs(outs ...Output) error {
	for _, o := range outs {
		if err := a.SetOutput(o.Name, o.Value); err != nil {
			return err
		}
	}
	return nil
}

// Bool is "true" or "false", the form workflow expressions compare with.
func Bool(b bool) string { return strconv.FormatBool(b) }

// AddStepSummary appends a Markdown block to $GITHUB_STEP_SUMMARY, masked.
// A missing file is skipped as for SetOutput.
func (a *Actions) AddStepSummary(markdown string) error {
	if a == nil || markdown == "" {
		return nil
	}
	if !a.hasFile(EnvStepSummary) {
		return nil
	}
	// go-githubactions adds one line break; end each block with a blank
	// line as well so that the next append starts a new Markdown block
	// rather than continuing this one's paragraph or table.
	markdown = strings.TrimRight(inert.BreakLegacy(secret.RedactURLsInText(a.secrets.Mask(markdown))), "\n") + "\n"
	if err := guard(func() { a.gha.AddStepSummary(markdown) }); err != nil {
		return fmt.Errorf("GitHub Actions: write step summary: %w", err)
	}
	return nil
}

// Annotate emits one problem as an annotation on its file and line:
//
//	::error col=12,file=plainsync.yaml,line=7::unknown event type "x"
//	::warning col=3,file=plainsync.yaml,line=3::webhookVersion 2025-01-01 is deprecated
//
// go-githubactions formats and escapes the command (its properties come
// sorted by name, which the runner does not mind). A problem about the
// whole file (line 0) names only the file.
func (a *Actions) Annotate(p spec.Problem) error {
	if a == nil {
		return nil
	}
	fields := map[string]string{}
	if p.Pos.File != "" {
		fields["file"] = a.RepoPath(p.Pos.File)
	}
	if p.Pos.Line > 0 {
		fields["line"] = strconv.Itoa(p.Pos.Line)
		if p.Pos.Col > 0 {
			fields["col"] = strconv.Itoa(p.Pos.Col)
		}
	}
	gha := a.gha.WithFieldsMap(fields)
	msg := inert.Lines(secret.RedactURLsInText(a.secrets.Mask(p.Message)))
	a.mu.Lock()
	defer a.mu.Unlock()
	err := guard(func() {
		if p.Severity == spec.SeverityWarning {
			gha.Warningf("%s", msg)
		} else {
			gha.Errorf("%s", msg)
		}
	})
	if err != nil {
		return fmt.Errorf("GitHub Actions: write annotation: %w", err)
	}
	return nil
}

// Level is the kind of a workflow message: error, warning or notice.
type Level int

const (
	LevelError Level = iota
	LevelWarning
	LevelNotice
)

// Message writes a workflow command about the run itself rather than a
// place in a file (a comment that could not be posted, why no plan ran),
// titled "plainsync". Like Annotate, it masks the text and lets
// go-githubactions format and escape the command.
func (a *Actions) Message(level Level, msg string) error {
	if a == nil {
		return nil
	}
	gha := a.gha.WithFieldsMap(map[string]string{"title": "plainsync"})
	msg = inert.Lines(a.secrets.Mask(msg))
	a.mu.Lock()
	defer a.mu.Unlock()
	err := guard(func() {
		switch level {
		case LevelError:
			gha.Errorf("%s", msg)
		case LevelWarning:
			gha.Warningf("%s", msg)
		default:
			gha.Noticef("%s", msg)
		}
	})
	if err != nil {
		return fmt.Errorf("GitHub Actions: write message: %w", err)
	}
	return nil
}

// AnnotateAll emits every problem, in order.
func (a *Actions) AnnotateAll(ps []spec.Problem) error {
	for _, p := range ps {
		if err := a.Annotate(p); err != nil {
			return err
		}
	}
	return nil
}

// RepoPath is file as GitHub expects an annotation's path: relative to
// the repository's root ($GITHUB_WORKSPACE), whatever the step's
// working-directory, so that the annotation lands on the pull request's
// file. A file outside the workspace keeps the path it was given.
func (a *Actions) RepoPath(file string) string {
	ws, _ := a.lookupEnv("GITHUB_WORKSPACE")
	if ws == "" {
		return file
	}
	abs := file
	if !filepath.IsAbs(abs) {
		wd, err := a.getwd()
		if err != nil {
			return file
		}
		abs = filepath.Join(wd, file)
	}
	// Symlinked temp dirs (macOS /var → /private/var) would make the two
	// paths look unrelated; compare them resolved.
	rel, err := filepath.Rel(evalSymlinks(ws), evalSymlinks(abs))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return file
	}
	return filepath.ToSlash(rel)
}

// evalSymlinks resolves p as far as it exists.
func evalSymlinks(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	if r, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
		return filepath.Join(r, filepath.Base(p))
	}
	return filepath.Clean(p)
}

// hasFile reports whether the runner named an environment file in env.
func (a *Actions) hasFile(env string) bool {
	v, _ := a.lookupEnv(env)
	return strings.TrimSpace(v) != ""
}

// guard turns go-githubactions' panics on I/O failure into errors: a
// broken output file must fail the command cleanly, not crash it.
func guard(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
				return
			}
			err = errors.New(fmt.Sprint(r))
		}
	}()
	fn()
	return nil
}
