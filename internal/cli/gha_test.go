package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
)

// ghaRun is one in-process run of plainsync inside a simulated GitHub
// Actions step: fresh $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY files.
type ghaRun struct {
	code                  int
	stdout, stderr        string
	outputs, summary      string
	outputFile, sumryFile string
	// exitcode, planMarkdown and planJSON are the outputs of those names
	// (the files' contents for the last two), taken out of outputs so
	// that the tests compare the rest exactly.
	exitcode, planMarkdown, planJSON string
}

// takeOutput removes output name from raw and returns its value.
func takeOutput(raw *string, name string) (string, bool) {
	const d = "_GitHubActionsFileCommandDelimeter_"
	start := strings.Index(*raw, name+"<<"+d+"\n")
	if start < 0 {
		return "", false
	}
	rest := (*raw)[start+len(name)+2+len(d)+1:]
	end := strings.Index(rest, "\n"+d+"\n")
	if end < 0 {
		return "", false
	}
	value := rest[:end]
	*raw = (*raw)[:start] + rest[end+len(d)+2:]
	return value, true
}

// runGHA runs args against e's mock with GITHUB_ACTIONS set to actions
// ("" leaves it unset) and checks that no secret appears anywhere but in
// the ::add-mask:: lines of stderr.
func (e *remoteEnv) runGHA(actions string, args ...string) ghaRun {
	e.t.Helper()
	dir := e.t.TempDir()
	r := ghaRun{outputFile: filepath.Join(dir, "output"), sumryFile: filepath.Join(dir, "summary")}
	for _, p := range []string{r.outputFile, r.sumryFile} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			e.t.Fatal(err)
		}
	}
	env := map[string]string{
		"PLAIN_API_KEY":       testKey,
		"PLAIN_API_URL":       e.url,
		"TOKEN":               testToken,
		"GITHUB_OUTPUT":       r.outputFile,
		"GITHUB_STEP_SUMMARY": r.sumryFile,
		"RUNNER_TEMP":         dir,
	}
	if actions != "" {
		env["GITHUB_ACTIONS"] = actions
	}
	f, out, errOut := testFactory(env)
	full := append([]string{}, args...)
	savedPlan := args[0] == "apply" && strings.HasSuffix(args[len(args)-1], ".json")
	if !hasArg(args, "-f") && !savedPlan {
		full = append(full, "-f", filepath.Join(e.dir, "plainsync.yaml"))
	}
	r.code = Execute(f, full)
	r.stdout, r.stderr = out.String(), errOut.String()
	r.outputs = readFile(e.t, r.outputFile)
	r.summary = readFile(e.t, r.sumryFile)
	raw := r.outputs
	r.exitcode, _ = takeOutput(&r.outputs, "exitcode")
	if p, ok := takeOutput(&r.outputs, "plan-markdown"); ok {
		r.planMarkdown = readFile(e.t, p)
	}
	if p, ok := takeOutput(&r.outputs, "plan-json"); ok {
		r.planJSON = readFile(e.t, p)
	}
	for where, s := range map[string]string{
		"stdout": r.stdout, "stderr without masks": withoutMasks(r.stderr),
		"$GITHUB_OUTPUT": raw, "$GITHUB_STEP_SUMMARY": r.summary,
		"plan-markdown": r.planMarkdown, "plan-json": r.planJSON,
	} {
		if strings.Contains(s, testKey) || strings.Contains(s, testToken) {
			e.t.Fatalf("%v: secret in %s:\n%s", args, where, s)
		}
	}
	return r
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// withoutMasks drops the ::add-mask:: lines, the only ones allowed to
// carry a secret: the runner needs the value to hide it.
func withoutMasks(s string) string {
	var keep []string
	for _, l := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(l, "::add-mask::") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "")
}

// hasCommand reports whether s has a workflow command line.
func hasCommand(s string) bool {
	return strings.HasPrefix(s, "::") || strings.Contains(s, "\n::")
}

// outputs renders name=value pairs the way go-githubactions writes them.
func outputs(pairs ...string) string {
	const d = "_GitHubActionsFileCommandDelimeter_"
	var b strings.Builder
	for i := 0; i < len(pairs); i += 2 {
		b.WriteString(pairs[i] + "<<" + d + "\n" + pairs[i+1] + "\n" + d + "\n")
	}
	return b.String()
}

const masks = "::add-mask::" + testToken + "\n::add-mask::" + testKey + "\n"

func TestActionsPlanMasksFirstThenOutputsAndSummary(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	r := e.runGHA("true", "plan", "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	// The file's secret is known on loading, the key on connecting; both
	// are registered before anything else is written.
	if r.stderr != masks {
		t.Fatalf("stderr %q, want exactly the masks %q", r.stderr, masks)
	}
	if hasCommand(r.stdout) {
		t.Fatalf("workflow commands on stdout would corrupt -o json:\n%s", r.stdout)
	}
	want := outputs("has-changes", "true", "creates", "2", "updates", "0", "deletes", "0")
	if r.outputs != want {
		t.Fatalf("$GITHUB_OUTPUT:\n%s\nwant:\n%s", r.outputs, want)
	}
	// The whole plan is in the plan-markdown and plan-json files.
	if r.exitcode != "0" || !strings.Contains(r.planMarkdown, "**Plan: 2 to create") || !strings.Contains(r.planJSON, `"formatVersion": 1`) {
		t.Fatalf("exitcode %q, plan-markdown:\n%s\nplan-json:\n%s", r.exitcode, r.planMarkdown, r.planJSON)
	}
	for _, s := range []string{"### plainsync plan for `", "**Plan: 2 to create, 0 to update, 0 to delete, 0 unchanged, 0 unmanaged.**", "token=${TOKEN}"} {
		if !strings.Contains(r.summary, s) {
			t.Errorf("summary lacks %q:\n%s", s, r.summary)
		}
	}
}

func TestActionsPlanFileOutput(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	planFile := filepath.Join(e.dir, "plan.json")
	r := e.runGHA("true", "plan", "--out", planFile)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	want := outputs("has-changes", "true", "creates", "2", "updates", "0", "deletes", "0", "plan-file", planFile)
	if r.outputs != want {
		t.Fatalf("$GITHUB_OUTPUT:\n%s\nwant:\n%s", r.outputs, want)
	}
	// Applying the saved plan masks the plan's secrets and the key again:
	// a later step is a new process.
	r = e.runGHA("true", "apply", "--auto-approve", planFile)
	if r.code != 0 || !strings.HasPrefix(r.stderr, masks) {
		t.Fatalf("apply saved plan: exit %d\n%s", r.code, r.stderr)
	}
	if len(e.mock.Targets()) != 2 {
		t.Fatalf("%d targets after apply", len(e.mock.Targets()))
	}
}

func TestNothingOfActionsOutsideActions(t *testing.T) {
	e := newRemoteEnv(t, "version: 1\nwebhooks:\n  - name: a\n    url: http://example.com/?t=${TOKEN}\n    events: [thread.thread_created]\n")
	for _, actions := range []string{"", "false"} {
		for _, args := range [][]string{{"plan"}, {"drift"}, {"validate"}, {"apply", "--auto-approve"}} {
			r := e.runGHA(actions, args...)
			if r.code != 1 {
				t.Fatalf("%v: exit %d", args, r.code)
			}
			if hasCommand(r.stdout+r.stderr) || r.outputs != "" || r.summary != "" {
				t.Fatalf("GITHUB_ACTIONS=%q %v wrote Actions glue:\nstdout %q\nstderr %q\noutputs %q\nsummary %q",
					actions, args, r.stdout, r.stderr, r.outputs, r.summary)
			}
		}
	}
	e = newRemoteEnv(t, testYAML)
	r := e.runGHA("", "apply", "--auto-approve")
	if r.code != 0 || hasCommand(r.stdout+r.stderr) || r.outputs != "" || r.summary != "" {
		t.Fatalf("apply outside Actions: exit %d\nstderr %q\noutputs %q\nsummary %q", r.code, r.stderr, r.outputs, r.summary)
	}
}

func TestActionsApplySummaryAndRefusals(t *testing.T) {
	e := newRemoteEnv(t, testYAML)

	r := e.runGHA("true", "apply")
	if r.code != 1 || !strings.Contains(r.summary, "**Apply refused; nothing was written.**") || !strings.Contains(r.summary, "--auto-approve") {
		t.Fatalf("apply without --auto-approve: exit %d\nsummary:\n%s", r.code, r.summary)
	}
	want := outputs("has-changes", "true", "creates", "2", "updates", "0", "deletes", "0")
	if r.outputs != want {
		t.Fatalf("$GITHUB_OUTPUT:\n%s\nwant:\n%s", r.outputs, want)
	}

	r = e.runGHA("true", "apply", "--dry-run")
	if r.code != 0 || !strings.Contains(r.summary, "**Dry run: nothing was written.**") || !strings.Contains(r.summary, "createWebhookTarget(") {
		t.Fatalf("dry run: exit %d\nsummary:\n%s", r.code, r.summary)
	}

	r = e.runGHA("true", "apply", "--auto-approve")
	if r.code != 0 || !strings.HasPrefix(r.stderr, masks) {
		t.Fatalf("apply: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.summary, "### plainsync plan for") || !strings.Contains(r.summary, "```\nApply complete: 2 created, 0 updated, 0 deleted, 0 failed, 0 skipped in ") {
		t.Fatalf("apply summary lacks the plan or the result:\n%s", r.summary)
	}

	r = e.runGHA("true", "apply", "--auto-approve")
	if r.code != 0 || r.outputs != outputs("has-changes", "false", "creates", "0", "updates", "0", "deletes", "0") {
		t.Fatalf("nothing to do: exit %d, outputs %q", r.code, r.outputs)
	}
	if !strings.Contains(r.summary, "No changes.") || strings.Contains(r.summary, "Apply complete") {
		t.Fatalf("nothing-to-do summary:\n%s", r.summary)
	}
}

func TestActionsDriftOutputsAndReport(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	if r := e.runGHA("true", "apply", "--auto-approve"); r.code != 0 {
		t.Fatalf("apply: %s", r.stderr)
	}
	r := e.runGHA("true", "drift")
	if r.code != 0 || r.outputs != outputs("has-changes", "false", "creates", "0", "updates", "0", "deletes", "0", "drift", "false") {
		t.Fatalf("in sync: exit %d, outputs:\n%s", r.code, r.outputs)
	}
	if !strings.Contains(r.summary, "### plainsync drift for") || !strings.Contains(r.summary, "**In sync.**") {
		t.Fatalf("in-sync summary:\n%s", r.summary)
	}

	var ops plain.Target
	for _, x := range e.mock.Targets() {
		if x.Description == "ops" {
			ops = x
		}
	}
	ops.Enabled = true
	e.mock.PutTarget(ops)
	r = e.runGHA("true", "drift", "-o", "json")
	if r.code != 2 || r.outputs != outputs("has-changes", "true", "creates", "0", "updates", "1", "deletes", "0", "drift", "true") {
		t.Fatalf("drift: exit %d, outputs:\n%s", r.code, r.outputs)
	}
	if !strings.Contains(r.summary, "**Drift: 1 drifted, 0 missing, 0 unmanaged.**") || !strings.Contains(r.summary, "| 🔄 | drifted | `ops`") {
		t.Fatalf("drift summary:\n%s", r.summary)
	}
}
