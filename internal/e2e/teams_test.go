package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
)

const teamsWorkspace = "w_01E2ETEAMSWORKSPACE00000"

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

func teamFile(scope, hooks string) string {
	return "version: 1\nworkspace: " + teamsWorkspace + "\nprune: true\n" + scope +
		"defaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n" + hooks
}

func hook(name, url, events string) string {
	return fmt.Sprintf("  - name: %s\n    url: %s\n    events: %s\n", name, url, events)
}

// requests counts the GraphQL requests in plain-mock's log (--verbose).
func (m *mock) requests() int { return strings.Count(m.stderr.String(), " op=") }

// Two teams' files for one workspace, applied in separate runs as
// path-filtered CI jobs do: with scopes they converge after one round and
// never touch each other's targets again.
func TestScopedFilesShareAWorkspace(t *testing.T) {
	t.Parallel()
	m := startMock(t, &mockState{
		Workspace: plain.Workspace{ID: teamsWorkspace, Name: "Teams"},
		Targets: []plain.Target{{ID: "whTarget_01HD4400VTDJQ646V6RY37SR04", Description: "manual-debug", URL: "https://debug.example.com/",
			EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true}},
	}, "--verbose")
	dir := t.TempDir()
	support := writeFile(t, dir, "teams/support.yaml", teamFile("scope: [\"support-*\"]\n",
		hook("support-crm", "https://crm.example.com/hook?token=${CRM_TOKEN}", "[thread.thread_created]")+
			hook("support-mail", "https://mail.example.com/hook", "[\"thread.email_*\"]")))
	billing := writeFile(t, dir, "teams/billing.yaml", teamFile("scope: [\"billing-*\"]\n",
		hook("billing-invoices", "https://billing.example.com/hook", "[\"customer.*\"]")))

	r := m.run(dir, "validate", "-f", "teams")
	wantCode(t, r, 0)

	var ids map[string]string
	for round := 1; round <= 5; round++ {
		for _, f := range []string{support, billing} {
			if round > 1 {
				r := m.run(dir, "plan", "-f", f, "--detailed-exitcode")
				if r.code != 0 || !strings.Contains(r.stdout, "No changes.") {
					t.Fatalf("round %d: plan %s: exit %d\n%s", round, f, r.code, r.all())
				}
			}
			r := m.run(dir, "apply", "-f", f, "--auto-approve")
			wantCode(t, r, 0)
			if strings.Contains(r.stdout, "- delete") || strings.Contains(r.stdout, "~ update") {
				t.Fatalf("round %d: apply %s deletes:\n%s", round, f, r.stdout)
			}
			r = m.run(dir, "drift", "-f", f)
			if r.code != 0 {
				t.Fatalf("round %d: drift %s: exit %d\n%s", round, f, r.code, r.all())
			}
		}
		now := map[string]string{}
		for name, tg := range byDescription(t, m.targets()) {
			now[name] = tg.ID
		}
		if len(now) != 4 || now["manual-debug"] != "whTarget_01HD4400VTDJQ646V6RY37SR04" {
			t.Fatalf("round %d: live targets %v; want the three team targets and manual-debug", round, now)
		}
		if ids != nil && fmt.Sprint(now) != fmt.Sprint(ids) {
			t.Fatalf("round %d: ids changed: %v, then %v", round, ids, now)
		}
		ids = now
	}
	// A scoped plan shows nothing of the other team or of manual-debug.
	r = m.run(dir, "plan", "-f", support)
	if strings.Contains(r.stdout, "billing") || strings.Contains(r.stdout, "manual-debug") {
		t.Errorf("support's plan shows targets outside its scope:\n%s", r.stdout)
	}

	// export --scope writes a file for one team that plans no changes.
	wantCode(t, m.run(dir, "export", "--scope", "support-*", "--out", "support-export.yaml"), 0)
	r = m.runEnv(dir, []string{"SUPPORT_CRM_TOKEN=" + crmToken}, "plan", "-f", "support-export.yaml", "--prune", "--detailed-exitcode")
	if r.code != 0 || !strings.Contains(r.stdout, "No changes.") {
		t.Fatalf("plan of the scoped export: exit %d\n%s", r.code, r.all())
	}

	// The same files without scopes fail validate, naming both files, and
	// plan stops before its first request.
	unscoped := t.TempDir()
	a := writeFile(t, unscoped, "support.yaml", teamFile("", hook("support-crm", "https://crm.example.com/hook", "[thread.thread_created]")))
	b := writeFile(t, unscoped, "billing.yaml", teamFile("", hook("billing-invoices", "https://billing.example.com/hook", "[\"customer.*\"]")))
	r = m.run(unscoped, "validate", "-f", a, "-f", b)
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "support.yaml:2:12: support.yaml and billing.yaml both describe workspace "+teamsWorkspace,
		"billing.yaml:2:12: billing.yaml and support.yaml both describe workspace "+teamsWorkspace)
	before := m.requests()
	r = m.run(unscoped, "plan", "-f", a, "-f", b)
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "support.yaml and billing.yaml both describe workspace")
	if n := m.requests() - before; n != 0 {
		t.Errorf("plan sent %d requests before refusing", n)
	}
}

// Deleting every target of a small workspace needs --force, whatever the
// percentage; the update guard refuses naming the setting that set it.
func TestGuardsProtectSmallWorkspaces(t *testing.T) {
	t.Parallel()
	var live []plain.Target
	for i, name := range []string{"a", "b", "c"} {
		live = append(live, plain.Target{ID: fmt.Sprintf("whTarget_01E2E6VARD%016d", i), Description: name, URL: "https://" + name + ".example.com/",
			EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true})
	}
	m := startMock(t, &mockState{Workspace: plain.Workspace{ID: teamsWorkspace, Name: "Teams"}, Targets: live}, "--verbose")
	dir := workdir(t, "version: 1\nworkspace: "+teamsWorkspace+"\nprune: true\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n"+
		hook("new", "https://new.example.com/", "[thread.thread_created]"))
	r := m.run(dir, "apply", "--auto-approve")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "plan deletes all 3 of the live targets", "--force")
	if n := m.mutations(); n != 0 {
		t.Fatalf("a refused apply sent %d mutations", n)
	}
	if got := len(m.targets()); got != 3 {
		t.Fatalf("%d live targets after a refusal", got)
	}
	// --max-delete-percent 100 does not lift it; --force does.
	wantCode(t, m.run(dir, "apply", "--auto-approve", "--max-delete-percent", "100"), 1)
	r = m.run(dir, "apply", "--auto-approve", "--force")
	wantCode(t, r, 0)
	if got := len(m.targets()); got != 1 {
		t.Fatalf("%d live targets after a forced prune, want 1", got)
	}

	// Update guard: 2 of 3 updates over a file's 30%.
	m = startMock(t, &mockState{Workspace: plain.Workspace{ID: teamsWorkspace, Name: "Teams"}, Targets: live}, "--verbose")
	dir = workdir(t, "version: 1\nguards:\n  maxUpdatePercent: 30\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n"+
		hook("a", "https://a.example.com/", "[\"*\"]")+hook("b", "https://b.example.com/", "[\"*\"]")+hook("c", "https://c.example.com/", "[thread.thread_created]"))
	r = m.run(dir, "apply", "--auto-approve")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "plan updates 2 of 3 live targets (66.7%), more than 30% allowed by guards.maxUpdatePercent 30 in plainsync.yaml",
		"--max-update-percent", "--force")
	if n := m.mutations(); n != 0 {
		t.Fatalf("a refused apply sent %d mutations", n)
	}
	// A flag wins over the file.
	r = m.run(dir, "apply", "--auto-approve", "--max-update-percent", "70")
	wantCode(t, r, 0)
}

// Plain allows 25 webhook targets per workspace: validate refuses a 26th
// webhook at its line, plan and apply a plan that would leave more.
func TestWorkspaceLimit(t *testing.T) {
	t.Parallel()
	var hooks strings.Builder
	for i := 1; i <= 26; i++ {
		hooks.WriteString(hook(fmt.Sprintf("hook-%02d", i), fmt.Sprintf("https://h.example.com/%d", i), "[thread.thread_created]"))
	}
	dir := workdir(t, "version: 1\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n"+hooks.String())
	m := startMock(t, &mockState{Workspace: plain.Workspace{ID: teamsWorkspace, Name: "Teams"}}, "--verbose")
	r := m.run(dir, "validate")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "plainsync.yaml:80:5: this is webhook 26 of 26: Plain allows at most 25 webhook targets per workspace (Plain's documented per-workspace limit)")

	var live []plain.Target
	for i := range 24 {
		live = append(live, plain.Target{ID: fmt.Sprintf("whTarget_01E2E11M1T%016d", i), Description: fmt.Sprintf("kept-%02d", i),
			URL: fmt.Sprintf("https://k.example.com/%d", i), EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true})
	}
	m = startMock(t, &mockState{Workspace: plain.Workspace{ID: teamsWorkspace, Name: "Teams"}, Targets: live}, "--verbose")
	dir = workdir(t, "version: 1\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n"+
		hook("kept-00", "https://k.example.com/0", "[thread.thread_created]")+
		hook("new-1", "https://n.example.com/1", "[thread.thread_created]")+
		hook("new-2", "https://n.example.com/2", "[thread.thread_created]"))
	for _, cmd := range [][]string{{"plan"}, {"apply", "--auto-approve"}} {
		r = m.run(dir, cmd...)
		wantCode(t, r, 1)
		wantContains(t, r.stderr, "plainsync.yaml:5:3: after this plan the workspace would hold 26 webhook targets, 1 over Plain's limit of 25 per workspace",
			`unmanaged targets that --prune (or prune: true) would delete: "kept-01" (whTarget_01E2E11M1T0000000000000001`)
	}
	if n := m.mutations(); n != 0 {
		t.Fatalf("%d mutations sent", n)
	}
}

// -o is a format and --out a file, for export as for every command.
func TestExportOutputConvention(t *testing.T) {
	t.Parallel()
	m := startMock(t, &mockState{
		Workspace: plain.Workspace{ID: teamsWorkspace, Name: "Teams"},
		Targets: []plain.Target{{ID: "whTarget_01HD4400VTDJQ646V6RY37SR02", Description: "support-crm", URL: "https://crm.example.com/hook",
			EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true}},
	})
	empty := t.TempDir()
	listing := func() []string {
		entries, _ := os.ReadDir(empty)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	r := m.run(empty, "export", "-o", "json")
	wantCode(t, r, 0)
	if !strings.HasPrefix(r.stdout, "{\n") || len(listing()) != 0 {
		t.Fatalf("export -o json: files %v, stdout:\n%s", listing(), r.stdout)
	}
	other := t.TempDir()
	writeFile(t, other, "exported.json", r.stdout)
	r = m.run(other, "validate", "-f", "exported.json")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "exported.json: valid (1 webhook)")

	r = m.run(empty, "export", "-o", "plainsync.yaml")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "--out plainsync.yaml")
	if len(listing()) != 0 {
		t.Fatalf("export -o plainsync.yaml created %v", listing())
	}

	wantCode(t, m.run(empty, "export", "--out", "f.yaml"), 0)
	r = m.run(empty, "plan", "-f", "f.yaml", "--detailed-exitcode")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "No changes.")
}

// validate runs without the secrets plan needs (fork pull requests get
// empty variables, pre-commit hooks none) and lists them; plan refuses.
func TestValidateWithoutSecretsBinary(t *testing.T) {
	t.Parallel()
	dir := workdir(t, "version: 1\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n"+
		hook("crm", "https://crm.example.com/hook?token=${CRM_TOKEN}", "[thread.thread_create]")+
		hook("basic", "https://${HOOK_USER}:${HOOK_PASS}@hooks.example.com/p", "[\"thread.nope_*\"]"))
	for name, env := range map[string][]string{
		"unset": nil,
		"empty": {"CRM_TOKEN=", "HOOK_USER=", "HOOK_PASS="},
	} {
		cmd := runValidateEnv(t, dir, env)
		if cmd.code != 0 {
			t.Fatalf("%s: exit %d\n%s", name, cmd.code, cmd.all())
		}
		wantContains(t, cmd.stdout, "plainsync.yaml: valid (2 webhooks, 2 warnings); plan will need ${CRM_TOKEN}, ${HOOK_PASS}, ${HOOK_USER} (not set here: CRM_TOKEN, HOOK_PASS, HOOK_USER)")
		wantContains(t, cmd.stderr, `plainsync.yaml:7:14: warning: unknown event type "thread.thread_create" (did you mean "thread.thread_created"?)`,
			`plainsync.yaml:10:14: warning: event pattern "thread.nope_*" matches no event type`)
	}
	m := startMock(t, nil)
	r := m.runEnv(dir, []string{"HOOK_USER=", "HOOK_PASS="}, "plan")
	wantCode(t, r, 1)
	wantContains(t, r.stderr, "HOOK_PASS is set but empty")
}

// Shell completion through the built binary, as bash and zsh call it.
func TestCompletionBinary(t *testing.T) {
	t.Parallel()
	m := startMock(t, &mockState{
		Workspace: plain.Workspace{ID: teamsWorkspace, Name: "Teams"},
		Targets: []plain.Target{{ID: "whTarget_01HD4400VTDJQ646V6RY37SR01", Description: "crm-sync", URL: "https://crm.example.com/hook",
			EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true}},
	})
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "plan", "-o", ""}, "text\njson\nmarkdown\n:4\n"},
		{[]string{"__complete", "deliveries", "--status", ""}, "successful_response\nfailed_response\nerror\nrejected\nschema_validation_failed\n:4\n"},
		{[]string{"__complete", "targets", "crm"}, "crm-sync\n:4\n"},
		{[]string{"__complete", "deliveries", "--event", "thread.thread_cr"}, "thread.thread_created\n:4\n"},
	} {
		r := m.run(dir, tc.args...)
		if r.code != 0 || r.stdout != tc.want {
			t.Errorf("%v: exit %d, stdout %q, want %q", tc.args, r.code, r.stdout, tc.want)
		}
	}
}
