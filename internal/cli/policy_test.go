package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

const noStarPolicy = `version: 1
rules:
  - name: no-wildcards
    expr: '!("*" in webhook.events)'
    message: never * in production
`

// TestValidatePolicy: a policy forbidding * fails validate at the
// offending webhook's line naming the rule; a compliant file passes; a
// policy that does not compile fails at its own line; $PLAINSYNC_POLICY
// stands in for the flag.
func TestValidatePolicy(t *testing.T) {
	dir := t.TempDir()
	file := writeSpec(t, dir, "plainsync.yaml", validSpec)
	pol := writeSpec(t, dir, "policy.yaml", noStarPolicy)
	env := map[string]string{"CRM_TOKEN": "tok-123-secret"}

	f, _, errOut := testFactory(env)
	if code := Execute(f, []string{"validate", "-f", file, "--policy", pol}); code != 1 {
		t.Fatalf("exit %d, want 1; stderr %q", code, errOut.String())
	}
	if want := file + `:8:5: webhook "ops" violates policy rule no-wildcards: never * in production`; !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr %q lacks %q", errOut.String(), want)
	}

	ok := writeSpec(t, dir, "ok.yaml", strings.ReplaceAll(validSpec, `["*"]`, `[thread.thread_created]`))
	f, out, errOut := testFactory(env)
	if code := Execute(f, []string{"validate", "-f", ok, "--policy", pol}); code != 0 {
		t.Fatalf("compliant file: exit %d, stderr %q", code, errOut.String())
	}
	if !strings.Contains(out.String(), "valid") {
		t.Errorf("stdout %q", out.String())
	}

	broken := writeSpec(t, dir, "broken.yaml", "version: 1\nrules:\n  - name: broken\n    expr: 'webhook.url.startsWith('\n")
	f, _, errOut = testFactory(env)
	if code := Execute(f, []string{"validate", "-f", ok, "--policy", broken}); code != 1 {
		t.Fatalf("broken policy: exit %d", code)
	}
	if want := broken + `:4:`; !strings.Contains(errOut.String(), want) || !strings.Contains(errOut.String(), `rule "broken": expr does not compile`) {
		t.Errorf("stderr %q lacks the policy's position %q", errOut.String(), want)
	}

	env["PLAINSYNC_POLICY"] = pol
	f, _, errOut = testFactory(env)
	if code := Execute(f, []string{"validate", "-f", file}); code != 1 || !strings.Contains(errOut.String(), "policy rule no-wildcards") {
		t.Errorf("$PLAINSYNC_POLICY: exit %d, stderr %q", code, errOut.String())
	}
}

// TestPlanRunsLivePolicy: a rule reading live facts is skipped by
// validate and enforced by plan, at the webhook's line, before anything
// is planned.
func TestPlanRunsLivePolicy(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	pol := writeSpec(t, e.dir, "live.yaml", `version: 1
rules:
  - name: only-existing
    expr: 'live.exists || webhook.name != "ops"'
    message: ops must be created by hand first
`)
	if code, _, errOut := e.run("", false, "validate", "--policy", pol); code != 0 {
		t.Fatalf("validate ran a live rule: exit %d, stderr %q", code, errOut)
	}
	code, out, errOut := e.run("", false, "plan", "--policy", pol)
	if code != 1 {
		t.Fatalf("plan: exit %d, want 1; stdout %q", code, out)
	}
	if want := `plainsync.yaml:8:5: webhook "ops" violates policy rule only-existing: ops must be created by hand first`; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q lacks %q", errOut, want)
	}
}

// TestSavedPlanHonoursPolicy: apply PLAN.json runs the policy too.
func TestSavedPlanHonoursPolicy(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	plan := filepath.Join(e.dir, "plan.json")
	if code, _, errOut := e.run("", false, "plan", "--out", plan); code != 0 {
		t.Fatalf("plan: exit %d %s", code, errOut)
	}
	pol := writeSpec(t, e.dir, "p.yaml", "version: 1\nrules:\n  - name: no-ops\n    expr: 'webhook.name != \"ops\"'\n")
	code, _, errOut := e.run("", false, "apply", "--auto-approve", "--policy", pol, plan)
	if code != 1 || !strings.Contains(errOut, `violates policy rule no-ops`) || !strings.Contains(errOut, "nothing was sent") {
		t.Fatalf("apply PLAN.json with a violated policy: exit %d\n%s", code, errOut)
	}
	if n := len(e.mock.Targets()); n != 0 {
		t.Fatalf("%d targets created", n)
	}
}
