package ghactions

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

const (
	apiKey = "plainApiKey_ghaSECRET"
	token  = "tok-S3CRET%42"
)

// env is a runner's environment with fresh output and summary files.
type env struct {
	vars            map[string]string
	output, summary string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{
		output:  filepath.Join(dir, "output"),
		summary: filepath.Join(dir, "summary"),
	}
	for _, p := range []string{e.output, e.summary} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	e.vars = map[string]string{EnvActions: "true", EnvOutput: e.output, EnvStepSummary: e.summary}
	return e
}

func (e *env) lookup(k string) (string, bool) {
	v, ok := e.vars[k]
	return v, ok
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func secrets() *secret.Masker {
	m := &secret.Masker{}
	m.Add("PLAIN_API_KEY", apiKey)
	m.Add("TOKEN", token)
	return m
}

func TestNewOnlyInActions(t *testing.T) {
	var w bytes.Buffer
	for _, v := range []string{"", "false", "1", "TRUE"} {
		env := map[string]string{}
		if v != "" {
			env[EnvActions] = v
		}
		a := New(&w, func(k string) (string, bool) { x, ok := env[k]; return x, ok }, secrets())
		if a != nil || a.Enabled() {
			t.Fatalf("GITHUB_ACTIONS=%q: got Actions, want nil", v)
		}
		// A nil Actions is silent and never fails.
		if err := errors.Join(
			a.MaskSecrets(secrets()),
			a.SetOutput(OutputCreates, "1"),
			a.AddStepSummary("# x"),
			a.Annotate(spec.Problem{Pos: spec.Pos{File: "f", Line: 1, Col: 1}, Severity: spec.SeverityError, Message: "m"}),
		); err != nil {
			t.Fatal(err)
		}
	}
	if w.Len() != 0 {
		t.Fatalf("wrote outside Actions: %q", w.String())
	}
	e := newEnv(t)
	if a := New(&w, e.lookup, nil); !a.Enabled() {
		t.Fatal("GITHUB_ACTIONS=true: not enabled")
	}
}

func TestMaskSecretsOncePerValueAndPerLine(t *testing.T) {
	e := newEnv(t)
	var w bytes.Buffer
	a := New(&w, e.lookup, nil)
	m := secrets()
	if err := a.MaskSecrets(m); err != nil {
		t.Fatal(err)
	}
	m.Add("CERT", "line-one\nline-two")
	m.Add("BLANK", "   ")
	if err := a.MaskSecrets(m); err != nil {
		t.Fatal(err)
	}
	want := "::add-mask::" + apiKey + "\n" +
		"::add-mask::tok-S3CRET%2542\n" + // % escaped; the runner unescapes it
		"::add-mask::line-one%0Aline-two\n" +
		"::add-mask::line-one\n" +
		"::add-mask::line-two\n"
	if w.String() != want {
		t.Fatalf("masks:\n%s\nwant:\n%s", w.String(), want)
	}
}

func TestSetOutputsWritesMaskedHeredocs(t *testing.T) {
	e := newEnv(t)
	var w bytes.Buffer
	a := New(&w, e.lookup, secrets())
	err := a.SetOutputs(
		Output{OutputHasChanges, Bool(true)},
		Output{OutputCreates, "2"},
		Output{OutputPlanFile, "/tmp/" + token + "/plan.json"},
	)
	if err != nil {
		t.Fatal(err)
	}
	const d = fileCommandDelimiter
	want := "has-changes<<" + d + "\ntrue\n" + d + "\n" +
		"creates<<" + d + "\n2\n" + d + "\n" +
		"plan-file<<" + d + "\n/tmp/${TOKEN}/plan.json\n" + d + "\n"
	if got := read(t, e.output); got != want {
		t.Fatalf("$GITHUB_OUTPUT:\n%s\nwant:\n%s", got, want)
	}
	if w.Len() != 0 {
		t.Fatalf("outputs went to the log too: %q", w.String())
	}
}

func TestSetOutputRefusesForgedDelimiter(t *testing.T) {
	e := newEnv(t)
	a := New(&bytes.Buffer{}, e.lookup, nil)
	err := a.SetOutput(OutputPlanFile, "x\n"+fileCommandDelimiter+"\ndrift<<EOF\nfalse")
	if err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("err = %v, want a refusal", err)
	}
	if got := read(t, e.output); got != "" {
		t.Fatalf("wrote %q", got)
	}
}

func TestMissingEnvironmentFilesAreSkipped(t *testing.T) {
	e := newEnv(t)
	delete(e.vars, EnvOutput)
	e.vars[EnvStepSummary] = ""
	a := New(&bytes.Buffer{}, e.lookup, nil)
	if err := errors.Join(a.SetOutput(OutputCreates, "1"), a.AddStepSummary("# plan")); err != nil {
		t.Fatal(err)
	}
}

func TestUnwritableOutputIsAnErrorNotAPanic(t *testing.T) {
	e := newEnv(t)
	e.vars[EnvOutput] = filepath.Join(t.TempDir(), "missing-dir", "output")
	e.vars[EnvStepSummary] = t.TempDir() // a directory cannot be appended to
	a := New(&bytes.Buffer{}, e.lookup, nil)
	if err := a.SetOutput(OutputCreates, "1"); err == nil || !strings.Contains(err.Error(), "write output creates") {
		t.Fatalf("SetOutput err = %v", err)
	}
	if err := a.AddStepSummary("# plan"); err == nil || !strings.Contains(err.Error(), "step summary") {
		t.Fatalf("AddStepSummary err = %v", err)
	}
}

func TestAddStepSummaryAppendsMasked(t *testing.T) {
	e := newEnv(t)
	a := New(&bytes.Buffer{}, e.lookup, secrets())
	if err := a.AddStepSummary("### plan\nurl: https://x/?t=" + token); err != nil {
		t.Fatal(err)
	}
	if err := a.AddStepSummary("done\n"); err != nil {
		t.Fatal(err)
	}
	want := "### plan\nurl: https://x/?t=${TOKEN}\n\ndone\n\n"
	if got := read(t, e.summary); got != want {
		t.Fatalf("summary %q, want %q", got, want)
	}
}

func TestAnnotateLines(t *testing.T) {
	e := newEnv(t)
	var w bytes.Buffer
	a := New(&w, e.lookup, secrets())
	err := a.AnnotateAll([]spec.Problem{
		{Pos: spec.Pos{File: "plainsync.yaml", Line: 7, Col: 12}, Severity: spec.SeverityError, Message: `unknown event type "x"`},
		{Pos: spec.Pos{File: "dir/a,b:c.yaml", Line: 3, Col: 3}, Severity: spec.SeverityWarning, Message: "100% deprecated\nsecond line"},
		{Pos: spec.Pos{File: "empty.yaml"}, Severity: spec.SeverityError, Message: "url https://x/?t=" + token + " is bad"},
		{Pos: spec.Pos{File: "f.yaml", Line: 2}, Severity: spec.SeverityError, Message: "no column"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "::error col=12,file=plainsync.yaml,line=7::unknown event type \"x\"\n" +
		"::warning col=3,file=dir/a%2Cb%3Ac.yaml,line=3::100%25 deprecated%0Asecond line\n" +
		"::error file=empty.yaml::url https://x/?t=${TOKEN} is bad\n" +
		"::error file=f.yaml,line=2::no column\n"
	if w.String() != want {
		t.Fatalf("annotations:\n%s\nwant:\n%s", w.String(), want)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }

func TestWriterFailuresAreErrors(t *testing.T) {
	e := newEnv(t)
	a := New(failWriter{}, e.lookup, nil)
	if err := a.MaskSecrets(secrets()); err == nil || !strings.Contains(err.Error(), "mask") {
		t.Fatalf("MaskSecrets err = %v", err)
	}
	if err := a.Annotate(spec.Problem{Pos: spec.Pos{File: "f"}, Message: "m"}); err == nil {
		t.Fatal("Annotate: no error")
	}
}

func TestOutputsAreDistinctAndNamed(t *testing.T) {
	seen := map[string]bool{}
	for _, o := range Outputs {
		if o == "" || seen[o] {
			t.Fatalf("bad output list %v", Outputs)
		}
		seen[o] = true
	}
	if len(seen) != 9 {
		t.Fatalf("%d outputs, want 9", len(seen))
	}
}

// TestLegacyCommandsNeverReachTheRunner covers the runner's old syntax,
// "##[command]" anywhere in a line, in every place live or file text
// reaches: annotations, run messages, the step summary.
func TestLegacyCommandsNeverReachTheRunner(t *testing.T) {
	e := newEnv(t)
	var w bytes.Buffer
	a := New(&w, e.lookup, secrets())
	const evil = "live ##[add-mask]delete and ##[error]forged\n::error::x ##[set-output name=has-changes;]false"
	if err := a.Annotate(spec.Problem{Pos: spec.Pos{File: "f.yaml", Line: 2, Col: 3}, Severity: spec.SeverityWarning, Message: evil}); err != nil {
		t.Fatal(err)
	}
	if err := a.Message(LevelError, evil); err != nil {
		t.Fatal(err)
	}
	if err := a.AddStepSummary("### plan\n" + evil); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"stderr": w.String(), "summary": read(t, e.summary)} {
		if strings.Contains(out, "##[") {
			t.Errorf("%s carries a legacy workflow command:\n%s", name, out)
		}
		if !strings.Contains(out, `#\x23[add-mask]`) {
			t.Errorf("%s does not show the text escaped:\n%s", name, out)
		}
	}
	for _, line := range strings.Split(w.String(), "\n") {
		if line != "" && !strings.HasPrefix(line, "::warning ") && !strings.HasPrefix(line, "::error ") {
			t.Errorf("stderr line %q is not plainsync's own command", line)
		}
	}
}
