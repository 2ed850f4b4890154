package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/plainsync/plainsync/internal/ghactions"
)

// repoRoot is the repository, where action.yml and examples/ live.
const repoRoot = "../.."

// actionFile is the part of action.yml the tests read.
type actionFile struct {
	Name   string `yaml:"name"`
	Inputs map[string]struct {
		Required bool   `yaml:"required"`
		Default  string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	ID    string            `yaml:"id"`
	If    string            `yaml:"if"`
	Shell string            `yaml:"shell"`
	Run   string            `yaml:"run"`
	Uses  string            `yaml:"uses"`
	Env   map[string]string `yaml:"env"`
	With  map[string]string `yaml:"with"`
}

func loadAction(t *testing.T) actionFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a
}

func (a actionFile) step(t *testing.T, id string) actionStep {
	t.Helper()
	for _, s := range a.Runs.Steps {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("action.yml has no step %q", id)
	return actionStep{}
}

// scriptOutputs are the outputs the action's run script writes itself;
// plainsync writes every other one.
var scriptOutputs = []string{"output-file"}

var outputRef = regexp.MustCompile(`^\$\{\{ steps\.run\.outputs\.([a-z-]+) \}\}$`)

func TestActionYAMLDeclaresWhatTheBinaryWrites(t *testing.T) {
	t.Parallel()
	a := loadAction(t)
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using %q, want composite", a.Runs.Using)
	}
	var inputs []string
	for name := range a.Inputs {
		inputs = append(inputs, name)
	}
	sort.Strings(inputs)
	if got := strings.Join(inputs, " "); got != "allow-destroy api-url args command comment comment-key comment-on-no-changes files github-issue github-token lock policy version working-directory" {
		t.Fatalf("inputs %s", got)
	}
	if a.Inputs["version"].Default != "auto" || a.Inputs["command"].Default != "plan" {
		t.Fatalf("defaults: version %q, command %q", a.Inputs["version"].Default, a.Inputs["command"].Default)
	}

	want := append(append([]string{}, ghactions.Outputs...), scriptOutputs...)
	sort.Strings(want)
	var got []string
	for name, o := range a.Outputs {
		m := outputRef.FindStringSubmatch(o.Value)
		if m == nil || m[1] != name {
			t.Errorf("output %s maps %q, want ${{ steps.run.outputs.%s }}", name, o.Value, name)
		}
		if o.Description == "" {
			t.Errorf("output %s has no description", name)
		}
		got = append(got, name)
	}
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("action.yml outputs %v, plainsync and the script write %v", got, want)
	}
	run := a.step(t, "run")
	for _, o := range scriptOutputs {
		if !strings.Contains(run.Run, `echo "`+o+`=`) {
			t.Errorf("the run script does not write %s", o)
		}
	}

	for _, s := range a.Runs.Steps {
		// An expression in a script is pasted into the shell source: an
		// input like $(…) would run. Inputs go through env only.
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %s interpolates an expression into its script", s.ID)
		}
		if s.Run != "" && s.Shell != "bash" {
			t.Errorf("step %s: shell %q, want bash", s.ID, s.Shell)
		}
		for k, v := range s.Env {
			if strings.Contains(k, "API_KEY") || strings.Contains(v, "secrets.") {
				t.Errorf("step %s handles the API key (%s); it must come from the caller's env", s.ID, k)
			}
		}
	}
}

// workflow is the part of a workflow file the tests read.
type workflow struct {
	Name string         `yaml:"name"`
	On   map[string]any `yaml:"on"`
	Jobs map[string]struct {
		Steps []actionStep `yaml:"steps"`
	} `yaml:"jobs"`
}

var pinned = regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)

func TestExampleWorkflows(t *testing.T) {
	t.Parallel()
	a := loadAction(t)
	want := []string{"apply-on-push.yml", "multi-workspace-matrix.yml", "nightly-drift.yml", "plan-on-pull-request.yml"}
	files, err := filepath.Glob(filepath.Join(repoRoot, "examples", "workflows", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("examples/workflows holds %v, want %v", names, want)
	}
	commands := map[string]bool{}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var w workflow
			if err := yaml.Unmarshal(data, &w); err != nil {
				t.Fatalf("not valid YAML: %v", err)
			}
			if w.Name == "" || len(w.On) == 0 || len(w.Jobs) == 0 {
				t.Fatalf("missing name, on or jobs: %+v", w)
			}
			usesAction := false
			for job, j := range w.Jobs {
				for i, s := range j.Steps {
					where := job + " step " + strconv.Itoa(i+1)
					if strings.Contains(s.Run, "${{") {
						t.Errorf("%s interpolates an expression into its script; use env", where)
					}
					switch {
					case s.Uses == "":
					case strings.HasPrefix(s.Uses, "plainsync/plainsync@"):
						usesAction = true
						for k := range s.With {
							if _, ok := a.Inputs[k]; !ok {
								t.Errorf("%s: action has no input %q", where, k)
							}
						}
						cmd := s.With["command"]
						if !strings.Contains(cmd, "${{") {
							commands[cmd] = true
						} else {
							commands["apply"], commands["plan"] = true, true // the matrix picks by event
						}
						if strings.Contains(s.With["args"], "secrets.") {
							t.Errorf("%s passes a secret as an argument", where)
						}
						if !strings.Contains(s.With["command"], "validate") && !hasKeyEnv(s.Env) {
							t.Errorf("%s does not give the API key through env", where)
						}
					default:
						// Third-party actions run with the job's token: pin
						// them to a commit, not a movable tag.
						if !pinned.MatchString(s.Uses) {
							t.Errorf("%s: %s is not pinned to a commit SHA", where, s.Uses)
						}
					}
				}
			}
			if !usesAction {
				t.Error("does not use the plainsync action")
			}
		})
	}
	for _, c := range []string{"plan", "apply", "drift"} {
		if !commands[c] {
			t.Errorf("no example runs %s", c)
		}
	}
}

func hasKeyEnv(env map[string]string) bool {
	for k, v := range env {
		if strings.HasPrefix(k, "PLAIN_API_KEY") && strings.Contains(v, "secrets") {
			return true
		}
	}
	return false
}

// ghaFiles are one simulated step's environment files.
type ghaFiles struct {
	dir, output, summary, path string
}

func newGHAFiles(t *testing.T) ghaFiles {
	t.Helper()
	dir := t.TempDir()
	g := ghaFiles{dir: dir, output: filepath.Join(dir, "output"), summary: filepath.Join(dir, "summary"), path: filepath.Join(dir, "path")}
	for _, p := range []string{g.output, g.summary, g.path} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

func (g ghaFiles) env() []string {
	return []string{"GITHUB_ACTIONS=true", "GITHUB_OUTPUT=" + g.output, "GITHUB_STEP_SUMMARY=" + g.summary,
		"GITHUB_PATH=" + g.path, "RUNNER_TEMP=" + g.dir, "RUNNER_OS=Linux"}
}

// outputValue finds output name in $GITHUB_OUTPUT's contents.
func outputValue(raw, name string) (string, bool) {
	_, v, ok := cutOutput(raw, name)
	return v, ok
}

// cutOutput returns raw without output name, and its value.
func cutOutput(raw, name string) (rest, value string, ok bool) {
	const d = "_GitHubActionsFileCommandDelimeter_"
	start := strings.Index(raw, name+"<<"+d+"\n")
	if start < 0 {
		return raw, "", false
	}
	tail := raw[start+len(name)+2+len(d)+1:]
	end := strings.Index(tail, "\n"+d+"\n")
	if end < 0 {
		return raw, "", false
	}
	return raw[:start] + tail[end+len(d)+2:], tail[:end], true
}

// coreOutputs drops the outputs whose values are per-run paths or the
// exit code, which tests check on their own, so that the rest compares
// exactly.
func coreOutputs(raw string) string {
	for _, n := range []string{"exitcode", "plan-markdown", "plan-json"} {
		raw, _, _ = cutOutput(raw, n)
	}
	return raw
}

func (g ghaFiles) read(t *testing.T) (outputs, summary string) {
	t.Helper()
	o, err := os.ReadFile(g.output)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.ReadFile(g.summary)
	if err != nil {
		t.Fatal(err)
	}
	return string(o), string(s)
}

// withoutMasks drops the ::add-mask:: lines: they alone carry secrets, as
// the runner needs the values to hide them.
func withoutMasks(s string) string {
	var keep []string
	for _, l := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(l, "::add-mask::") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "")
}

// runGHA runs the built binary as a step inside Actions would, and checks
// that no secret reached anything but the mask lines.
func (m *mock) runGHA(dir string, g ghaFiles, args ...string) result {
	m.t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "plainsync"), args...)
	cmd.Dir = dir
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"PLAIN_API_KEY=" + apiKey, "PLAIN_API_URL=" + m.url, "CRM_TOKEN=" + crmToken,
	}, g.env()...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		m.t.Fatalf("run plainsync %v: %v", args, err)
	}
	outputs, summary := g.read(m.t)
	for _, name := range []string{"plan-markdown", "plan-json"} {
		if p, ok := outputValue(outputs, name); ok {
			data, _ := os.ReadFile(p)
			assertNoSecrets(m.t, name, string(data))
		}
	}
	assertNoSecrets(m.t, "stdout and stderr without masks", r.stdout+withoutMasks(r.stderr))
	assertNoSecrets(m.t, "$GITHUB_OUTPUT", outputs)
	assertNoSecrets(m.t, "$GITHUB_STEP_SUMMARY", summary)
	return r
}

// heredocs renders outputs as go-githubactions writes them.
func heredocs(pairs ...string) string {
	const d = "_GitHubActionsFileCommandDelimeter_"
	var b strings.Builder
	for i := 0; i < len(pairs); i += 2 {
		b.WriteString(pairs[i] + "<<" + d + "\n" + pairs[i+1] + "\n" + d + "\n")
	}
	return b.String()
}

func TestBinaryInsideActions(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws())
	dir := workdir(t, desiredYAML)
	masks := "::add-mask::" + crmToken + "\n::add-mask::" + apiKey + "\n"

	g := newGHAFiles(t)
	r := m.runGHA(dir, g, "plan", "--out", "plan.json")
	wantCode(t, r, 0)
	if !strings.HasPrefix(r.stderr, masks) {
		t.Fatalf("stderr does not start with the masks:\n%s", r.stderr)
	}
	outputs, summary := g.read(t)
	if code, _ := outputValue(outputs, "exitcode"); code != "0" {
		t.Fatalf("exitcode output %q", code)
	}
	md, _ := outputValue(outputs, "plan-markdown")
	if data, err := os.ReadFile(md); err != nil || !strings.Contains(string(data), "**Plan: 3 to create") {
		t.Fatalf("plan-markdown %s: %q %v", md, data, err)
	}
	outputs = coreOutputs(outputs)
	if want := heredocs("has-changes", "true", "creates", "3", "updates", "0", "deletes", "0", "plan-file", filepath.Join(dir, "plan.json")); outputs != want {
		t.Fatalf("$GITHUB_OUTPUT:\n%s\nwant:\n%s", outputs, want)
	}
	wantContains(t, summary, "### plainsync plan for `plainsync.yaml`", "**Plan: 3 to create, 0 to update, 0 to delete, 0 unchanged, 0 unmanaged.**", "token=${CRM_TOKEN}")

	g = newGHAFiles(t)
	r = m.runGHA(dir, g, "apply", "plan.json", "--auto-approve")
	wantCode(t, r, 0)
	outputs, summary = g.read(t)
	outputs = coreOutputs(outputs)
	if want := heredocs("has-changes", "true", "creates", "3", "updates", "0", "deletes", "0"); outputs != want {
		t.Fatalf("apply $GITHUB_OUTPUT:\n%s\nwant:\n%s", outputs, want)
	}
	wantContains(t, summary, "### plainsync plan for", "Apply complete: 3 created")

	g = newGHAFiles(t)
	r = m.runGHA(dir, g, "drift")
	wantCode(t, r, 0)
	outputs, summary = g.read(t)
	outputs = coreOutputs(outputs)
	if want := heredocs("has-changes", "false", "creates", "0", "updates", "0", "deletes", "0", "drift", "false"); outputs != want {
		t.Fatalf("drift $GITHUB_OUTPUT:\n%s\nwant:\n%s", outputs, want)
	}
	wantContains(t, summary, "### plainsync drift for", "**In sync.**")

	live := byDescription(t, m.targets())
	m.update(live["ops-alerts"].ID, map[string]any{"isEnabled": map[string]any{"value": true}})
	g = newGHAFiles(t)
	r = m.runGHA(dir, g, "drift")
	wantCode(t, r, 2)
	outputs, summary = g.read(t)
	if code, _ := outputValue(outputs, "exitcode"); code != "2" {
		t.Fatalf("drift exitcode output %q", code)
	}
	outputs = coreOutputs(outputs)
	if want := heredocs("has-changes", "true", "creates", "0", "updates", "1", "deletes", "0", "drift", "true"); outputs != want {
		t.Fatalf("drifted $GITHUB_OUTPUT:\n%s\nwant:\n%s", outputs, want)
	}
	wantContains(t, summary, "**Drift: 1 drifted, 0 missing, 0 unmanaged.**", "`ops-alerts`")

	// Validation problems become annotations on the file's lines.
	bad := workdir(t, strings.Replace(desiredYAML, "https://ops.example.com/plain", "http://ops.example.com/plain", 1))
	g = newGHAFiles(t)
	r = m.runGHA(bad, g, "validate")
	wantCode(t, r, 1)
	wantContains(t, r.stderr,
		"::error col=10,file=plainsync.yaml,line=9::url \"http://ops.example.com/plain\" must use https",
		"plainsync.yaml:9:10: url ")
}

// bashStep runs one of action.yml's scripts the way the runner does for
// shell: bash.
func bashStep(t *testing.T, script, dir string, env []string) result {
	t.Helper()
	f := filepath.Join(t.TempDir(), "step.sh")
	if err := os.WriteFile(f, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", f)
	cmd.Dir = dir
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("bash: %v", err)
	}
	return r
}

// goEnv is what "go build" needs from the real environment.
func goEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "GOCACHE", "GOMODCACHE", "GOPATH", "GOPROXY", "GOFLAGS", "GOTOOLCHAIN"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func TestActionScripts(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	a := loadAction(t)
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}

	// Install with version: source builds this checkout.
	g := newGHAFiles(t)
	env := append(goEnv(), g.env()...)
	r := bashStep(t, a.step(t, "install").Run, t.TempDir(), append(env, "GITHUB_ACTION_PATH="+root, "PLAINSYNC_VERSION=source", "PLAINSYNC_ACTION_REF="))
	wantCode(t, r, 0)
	outputs, _ := g.read(t)
	bin := filepath.Join(g.dir, "plainsync-bin", "plainsync")
	if outputs != "path="+bin+"\nversion=source\n" {
		t.Fatalf("install outputs %q", outputs)
	}
	if p, _ := os.ReadFile(g.path); string(p) != filepath.Dir(bin)+"\n" {
		t.Fatalf("$GITHUB_PATH %q", p)
	}
	if v, err := exec.Command(bin, "version").Output(); err != nil || !strings.HasPrefix(string(v), "plainsync source (commit unknown") {
		t.Fatalf("built binary: %q %v", v, err)
	}
	for _, bad := range []string{"latest", "v1; rm -rf /", "main"} {
		g := newGHAFiles(t)
		r := bashStep(t, a.step(t, "install").Run, t.TempDir(), append(append(goEnv(), g.env()...), "GITHUB_ACTION_PATH="+root, "PLAINSYNC_VERSION="+bad))
		if r.code != 1 || !strings.Contains(r.stderr, `::error title=plainsync install::input version must be "auto", "source"`) {
			t.Fatalf("version %q: exit %d\n%s", bad, r.code, r.stderr)
		}
	}

	// The run step against plain-mock, with the binary built above.
	m := startMock(t, ws())
	dir := workdir(t, desiredYAML)
	lockEnv := ""
	run := func(command, files, args string) (result, string, string) {
		t.Helper()
		g := newGHAFiles(t)
		env := append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
			"PLAIN_API_KEY=" + apiKey, "CRM_TOKEN=" + crmToken, "NO_COLOR=1",
			"PLAINSYNC_BIN=" + bin, "PLAINSYNC_COMMAND=" + command, "PLAINSYNC_FILES=" + files,
			"PLAINSYNC_ARGS=" + args, "PLAINSYNC_API_URL=" + m.url, lockEnv}, g.env()...)
		r := bashStep(t, a.step(t, "run").Run, dir, env)
		outputs, summary := g.read(t)
		assertNoSecrets(t, "run step", r.stdout+withoutMasks(r.stderr)+outputs+summary)
		return r, outputs, summary
	}

	r, outputs, summary := run("plan", "plainsync.yaml", "-o markdown  --out plan.json")
	wantCode(t, r, 0)
	wantContains(t, outputs, heredocs("has-changes", "true", "creates", "3", "updates", "0", "deletes", "0", "plan-file", filepath.Join(dir, "plan.json")))
	m1 := regexp.MustCompile(`(?m)^output-file=(.+)$`).FindStringSubmatch(outputs)
	if m1 == nil {
		t.Fatalf("no output-file output:\n%s", outputs)
	}
	md, err := os.ReadFile(m1[1])
	if err != nil || string(md) != r.stdout || !strings.HasPrefix(string(md), "### plainsync plan for") {
		t.Fatalf("output-file holds %q (%v), stdout was %q", md, err, r.stdout)
	}
	wantContains(t, summary, "**Plan: 3 to create")

	r, _, _ = run("drift", "", "")
	wantCode(t, r, 2) // the step fails with plainsync's exit code

	r, outputs, _ = run("apply", "plainsync.yaml", "--auto-approve")
	wantCode(t, r, 0)
	wantContains(t, outputs, heredocs("has-changes", "true", "creates", "3"))
	if n := len(m.targets()); n != 3 {
		t.Fatalf("%d live targets after the apply step", n)
	}

	r, outputs, _ = run("drift", "plainsync.yaml", "")
	wantCode(t, r, 0)
	wantContains(t, outputs, heredocs("drift", "false"))

	// The lock input becomes apply's --lock.
	lockEnv = "PLAINSYNC_LOCK=none"
	m.update(byDescription(t, m.targets())["analytics"].ID, map[string]any{"isEnabled": map[string]any{"value": false}})
	r, _, _ = run("apply", "plainsync.yaml", "--auto-approve")
	wantCode(t, r, 0)
	wantContains(t, r.stderr, "without any lock (--lock none)")
	lockEnv = "PLAINSYNC_LOCK=remote"
	r, _, _ = run("apply", "plainsync.yaml", "--auto-approve")
	if r.code != 1 || !strings.Contains(r.stderr, "input lock must be plain, local or none") {
		t.Fatalf("lock remote: exit %d\n%s", r.code, r.stderr)
	}
	lockEnv = "PLAINSYNC_LOCK=local"
	r, _, _ = run("plan", "plainsync.yaml", "")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "input lock applies to apply only")
	lockEnv = ""

	r, _, _ = run("targets", "", "")
	if r.code != 1 || !strings.Contains(r.stderr, "input command must be plan, apply, drift or validate") {
		t.Fatalf("command targets: exit %d\n%s", r.code, r.stderr)
	}
	// Globs in inputs are not expanded by the shell.
	r, _, _ = run("validate", "*.yaml", "")
	if r.code != 1 || !strings.Contains(r.stderr, "*.yaml") {
		t.Fatalf("glob input: exit %d\n%s", r.code, r.stderr)
	}
}

// TestExamplesApplyTheReviewedPlan: pull requests save and upload the plan
// and comment; pushes apply a saved plan, never a fresh one; every job that
// applies is in its workspace's one concurrency group; nothing needs Go.
func TestExamplesApplyTheReviewedPlan(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join(repoRoot, "examples", "workflows", "*.yml"))
	applies, plans := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "actions/setup-go@") {
			t.Errorf("%s sets up Go: the action installs a release", filepath.Base(f))
		}
		var w struct {
			Jobs map[string]struct {
				Concurrency struct {
					Group            string `yaml:"group"`
					CancelInProgress string `yaml:"cancel-in-progress"`
				} `yaml:"concurrency"`
				Steps []actionStep `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(data, &w); err != nil {
			t.Fatal(err)
		}
		for name, j := range w.Jobs {
			where := filepath.Base(f) + " job " + name
			for _, s := range j.Steps {
				if !strings.HasPrefix(s.Uses, "plainsync/plainsync@") {
					continue
				}
				switch cmd := s.With["command"]; cmd {
				case "apply":
					applies++
					if !regexp.MustCompile(`\S+\.json\b`).MatchString(s.With["args"]) {
						t.Errorf("%s applies %q, not the reviewed plan (apply PLAN.json)", where, s.With["args"])
					}
					if !strings.Contains(j.Concurrency.Group, "plainsync-write-") || j.Concurrency.CancelInProgress == "true" {
						t.Errorf("%s writes outside its workspace's concurrency group: %+v", where, j.Concurrency)
					}
				case "plan":
					plans++
					if !strings.Contains(s.With["args"], "--out") || s.With["comment"] != "true" {
						t.Errorf("%s plans without --out or comment: %v", where, s.With)
					}
				}
			}
		}
	}
	if applies < 2 || plans < 2 {
		t.Fatalf("%d apply and %d plan steps in the examples", applies, plans)
	}
}

// TestActionAppliesTheReviewedPlan runs the action's step as the examples
// do: plan --out on the pull request, then apply PLAN.json on merge, and
// the same plan again once the workspace changed: refused as stale.
func TestActionAppliesTheReviewedPlan(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	a := loadAction(t)
	m := startMock(t, ws())
	dir := workdir(t, desiredYAML)
	run := func(command, args string) result {
		t.Helper()
		g := newGHAFiles(t)
		env := append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "PLAIN_API_KEY=" + apiKey, "CRM_TOKEN=" + crmToken,
			"NO_COLOR=1", "PLAINSYNC_BIN=" + filepath.Join(binDir, "plainsync"), "PLAINSYNC_COMMAND=" + command,
			"PLAINSYNC_FILES=plainsync.yaml", "PLAINSYNC_ARGS=" + args, "PLAINSYNC_API_URL=" + m.url}, g.env()...)
		return bashStep(t, a.step(t, "run").Run, dir, env)
	}
	wantCode(t, run("plan", "--out plan.json"), 0)
	planFile := filepath.Join(dir, "plan.json")
	r := run("apply", "--auto-approve "+planFile)
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "Apply complete: 3 created")
	if n := len(m.targets()); n != 3 {
		t.Fatalf("%d live targets", n)
	}
	r = run("apply", "--auto-approve "+planFile)
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "refusing to apply a stale plan")
}
