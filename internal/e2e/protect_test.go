package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
)

// A protected target dropped from a pruning file: apply refuses, with
// --force too, before any mutation and naming --allow-destroy; with
// --allow-destroy billing-events it is deleted.
func TestProtectedTargetNeedsAllowDestroy(t *testing.T) {
	t.Parallel()
	ids := []string{"whTarget_01HD4400VTDJQ646V6RY37SR7K", "whTarget_01HD4400VTDJQ646V6RY37SR7M", "whTarget_01HD4400VTDJQ646V6RY37SR7N",
		"whTarget_01HD4400VTDJQ646V6RY37SR7P", "whTarget_01HD4400VTDJQ646V6RY37SR7Q"}
	var live []plain.Target
	for i, name := range []string{"billing-events", "crm-sync", "support-a", "support-b", "ops"} {
		live = append(live, plain.Target{ID: ids[i], Description: name, URL: "https://" + name + ".example.com/",
			EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true})
	}
	m := startMock(t, &mockState{Workspace: plain.Workspace{ID: teamsWorkspace, Name: "Teams"}, Targets: live}, "--verbose")
	yaml := "version: 1\nworkspace: " + teamsWorkspace + "\nprune: true\nprotect:\n  - name: \"billing-*\"\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n"
	for _, name := range []string{"crm-sync", "support-a", "support-b", "ops"} {
		yaml += hook(name, "https://"+name+".example.com/", "[thread.thread_created]")
	}
	dir := workdir(t, yaml)

	p := m.planJSON(dir)
	if c := p.byName(t, "billing-events"); c.Action != "delete" || !c.Protected {
		t.Fatalf("plan: billing-events is %+v, want a protected delete", c)
	}
	for _, args := range [][]string{
		{"apply", "--auto-approve"},
		{"apply", "--auto-approve", "--force"},
		{"apply", "--auto-approve", "--force", "--allow-destroy", "billing-*"},
	} {
		r := m.run(dir, args...)
		wantCode(t, r, 1)
		wantContains(t, r.stderr, `delete protected target "billing-events"`, "--allow-destroy billing-events", "--force does not override protection")
		if n := m.mutations(); n != 0 {
			t.Fatalf("%v: a refused apply sent %d mutations", args, n)
		}
	}
	if got := len(m.targets()); got != 5 {
		t.Fatalf("%d live targets after the refusals, want 5", got)
	}
	r := m.run(dir, "apply", "--auto-approve", "--allow-destroy", "billing-events")
	wantCode(t, r, 0)
	liveNow := byDescription(t, m.targets())
	if _, ok := liveNow["billing-events"]; ok || len(liveNow) != 4 {
		t.Fatalf("after --allow-destroy: %v", liveNow)
	}
}

// The Action's inputs: policy becomes --policy, allow-destroy (one name a
// line) becomes --allow-destroy for apply.
func TestActionPolicyAndAllowDestroyInputs(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	a := loadAction(t)
	bin := filepath.Join(binDir, "plainsync")
	live := []plain.Target{{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7K", Description: "billing events", URL: "https://billing.example.com/",
		EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true}}
	for i, name := range []string{"crm-sync", "support-a", "support-b", "ops"} {
		live = append(live, plain.Target{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7" + string(rune('M'+i)), Description: name, URL: "https://" + name + ".example.com/",
			EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true})
	}
	m := startMock(t, &mockState{Workspace: plain.Workspace{ID: teamsWorkspace, Name: "Teams"}, Targets: live}, "--verbose")
	yaml := "version: 1\nworkspace: " + teamsWorkspace + "\nprune: true\nprotect:\n  - name: \"billing*\"\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n"
	for _, name := range []string{"crm-sync", "support-a", "support-b", "ops"} {
		yaml += hook(name, "https://"+name+".example.com/", "[thread.thread_created]")
	}
	dir := workdir(t, yaml)
	writeFile(t, dir, "policy/rules.yaml", "version: 1\nrules:\n  - name: no-ops\n    expr: 'webhook.name != \"ops\"'\n    message: no ops\n")
	run := func(command string, extra ...string) result {
		t.Helper()
		args := ""
		if command == "apply" {
			args = "--auto-approve"
		}
		g := newGHAFiles(t)
		env := append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "PLAIN_API_KEY=" + apiKey, "NO_COLOR=1",
			"PLAINSYNC_BIN=" + bin, "PLAINSYNC_COMMAND=" + command, "PLAINSYNC_FILES=plainsync.yaml",
			"PLAINSYNC_ARGS=" + args, "PLAINSYNC_API_URL=" + m.url}, g.env()...)
		return bashStep(t, a.step(t, "run").Run, dir, append(env, extra...))
	}
	r := run("validate", "PLAINSYNC_POLICY_PATHS=policy")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, `plainsync.yaml:18:5: webhook "ops" violates policy rule no-ops: no ops`)

	r = run("apply", "PLAINSYNC_ALLOW_DESTROY=billing")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, `--allow-destroy 'billing events'`)
	if n := m.mutations(); n != 0 {
		t.Fatalf("refused apply sent %d mutations", n)
	}
	r = run("apply", "PLAINSYNC_ALLOW_DESTROY=\n  billing events  \n")
	wantCode(t, r, 0)
	if n := len(m.targets()); n != 4 {
		t.Fatalf("%d live targets after --allow-destroy, want 4", n)
	}
}
