package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
)

// A live target described "сrm-sync" (Cyrillic с) is not the file's
// "crm-sync": every plan format says it only looks like it, apply creates
// the real one and leaves the lookalike alone, and a file declaring both
// spellings is refused.
func TestLookalikeLiveTargetEndToEnd(t *testing.T) {
	t.Parallel()
	const lookalikeID = "whTarget_01HD4400VTDJQ646V6RY37SR7K"
	st := ws()
	st.Targets = []plain.Target{{ID: lookalikeID, Description: "\u0441rm-sync", URL: "https://collector.example.net/in",
		EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true}}
	m := startMock(t, st)
	file := "version: 1\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n" +
		hook("crm-sync", "https://crm.example.com/hooks/plain?token=${CRM_TOKEN}", "[thread.thread_created]")
	dir := workdir(t, file)
	const why = "U+0441 (Cyrillic) where the other has U+0063 (Latin)"

	r := m.run(dir, "plan")
	wantCode(t, r, 0)
	wantContains(t, r.all(), `? unmanaged "сrm-sync" (`+lookalikeID+`), looks like the managed name "crm-sync"`, why, `+ create "crm-sync"`)
	r = m.run(dir, "plan", "-o", "markdown")
	wantCode(t, r, 0)
	wantContains(t, r.all(), "looks like a name the file manages", why)
	r = m.run(dir, "plan", "-o", "json")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, `"lookalikeOf": "crm-sync"`, why)

	r = m.run(dir, "apply", "--auto-approve")
	wantCode(t, r, 0)
	live := byDescription(t, m.targets())
	if len(live) != 2 || live["\u0441rm-sync"].URL != "https://collector.example.net/in" || live["crm-sync"].ID == lookalikeID {
		t.Fatalf("after apply: %+v", live)
	}

	both := file + hook("\u0441rm-sync", "https://other.example.com/h", "[thread.thread_created]")
	r = m.run(workdir(t, both), "validate")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, `plainsync.yaml:8:11: webhook name "сrm-sync" looks like "crm-sync" at plainsync.yaml:5:11`)
}

// A URL that interpolates the API key or the workflow's token is refused
// before anything is sent, at the variable's column; so is an API key too
// short to mask.
func TestCredentialsNeverInterpolateIntoURLs(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws())
	for _, ref := range []string{"${PLAIN_API_KEY}", "${GITHUB_TOKEN}", "${ACTIONS_RUNTIME_TOKEN}"} {
		dir := workdir(t, "version: 1\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n"+
			hook("collector", "https://collector.example.net/?k="+ref, "[thread.thread_created]"))
		for _, cmd := range [][]string{{"validate"}, {"plan"}, {"apply", "--auto-approve"}} {
			r := m.runEnv(dir, []string{"GITHUB_TOKEN=ghs_e2eGitHubTokenSECRET0001", "ACTIONS_RUNTIME_TOKEN=e2eRuntimeTokenSECRET0002"}, cmd...)
			wantCode(t, r, 1)
			wantContains(t, r.stderr, "plainsync.yaml:6:43: url: "+ref, "credentials never go into a webhook URL")
			if strings.Contains(r.all(), "ghs_e2eGitHubTokenSECRET0001") || strings.Contains(r.all(), "e2eRuntimeTokenSECRET0002") {
				t.Errorf("%v printed a token", cmd)
			}
		}
	}
	if n := m.mutations(); n != 0 {
		t.Fatalf("%d mutations", n)
	}

	dir := workdir(t, desiredYAML)
	r := m.runEnv(dir, []string{"PLAIN_API_KEY=e"}, "plan")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "$PLAIN_API_KEY holds 1 characters", "refuses keys shorter than 16 characters")
	if strings.Contains(r.all(), "***") {
		t.Errorf("a one-character key was masked as a substring:\n%s", r.all())
	}
}

// Two pruning files for one workspace in one folder: validate over the
// folder (what the pull-request job runs) refuses them unless both are
// scoped and disjoint, and a pruning file that does not name its
// workspace is refused on its own.
func TestValidateRefusesPruningFilesThatDontKnowEachOther(t *testing.T) {
	t.Parallel()
	write := func(dir, name, head, hookName string) {
		t.Helper()
		body := "version: 1\n" + head + "defaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n" +
			hook(hookName, "https://"+hookName+".example.com/in", "[thread.thread_created]")
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const wsID = "w_01HD4400VTDJQ646V6RY37SR7K"
	dir := t.TempDir()
	write(dir, "support.yaml", "prune: true\n", "support-crm")
	write(dir, "billing.yaml", "prune: true\n", "billing-crm")
	r := runValidate(t, dir, "-f", ".")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "billing.yaml:2:8: prune: true needs workspace:", "support.yaml:2:8: prune: true needs workspace:")

	write(dir, "support.yaml", "workspace: "+wsID+"\nprune: true\n", "support-crm")
	write(dir, "billing.yaml", "workspace: "+wsID+"\nprune: true\n", "billing-crm")
	r = runValidate(t, dir, "-f", ".")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "both describe workspace "+wsID)

	write(dir, "support.yaml", "workspace: "+wsID+"\nprune: true\nscope: [support-*]\n", "support-crm")
	write(dir, "billing.yaml", "workspace: "+wsID+"\nprune: true\nscope: [billing-*]\n", "billing-crm")
	r = runValidate(t, dir, "-f", ".")
	wantCode(t, r, 0)
}
