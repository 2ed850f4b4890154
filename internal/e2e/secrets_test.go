package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
)

// Live tokens of the sweep workspace: URLs Plain holds that no ${VAR}
// names. None may appear in any output or file plainsync writes.
const (
	slackOld    = "SLACKoldTOKENaaaa1111bbbb"
	slackNew    = "SLACKnewTOKENcccc2222dddd"
	discordTok  = "DISCORDtok_3333-eeeeFFFFgggg4444hhhhIIII"
	teamsTok    = "0123456789abcdef0123456789abcdef"
	teamsGUID   = "6e8a2f0c-1b7d-4c2e-9a55-0f3e2d1c4b5a"
	zapierKey   = "zapKEY5566"
	ingestTok   = "INGESTtok7777jjjjKKKK"
	basicUser   = "hookuserE2Euser"
	basicOld    = "basicOLDpass-8888"
	basicNew    = "basicNEWpass-9999"
	accessTok   = "ACCESStok0000llllMMMM"
	fragmentTok = "FRAGMENTtok1212nnnnOOOO"
)

var sweepTokens = []string{slackOld, slackNew, discordTok, teamsTok, teamsGUID, zapierKey, ingestTok, basicUser, basicOld, basicNew, accessTok, fragmentTok}

// sweepHosts must stay readable wherever their URL is shown.
var sweepHosts = []string{"hooks.slack.com", "discord.com", "acme.webhook.office.com", "hooks.zapier.com", "ingest.example.com", "basic.example.com", "at.example.com", "frag.example.com"}

func sweepState() *mockState {
	st := ws()
	add := func(id, desc, url string) {
		st.Targets = append(st.Targets, plain.Target{ID: id, Description: desc, URL: url,
			EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true})
	}
	add("whTarget_01HD4400VTDJQ646V6RY37SR0B", "slack", "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/"+slackOld)
	add("whTarget_0001J0000000000000000DSCRD", "discord", "https://discord.com/api/webhooks/1234567890123456789/"+discordTok)
	add("whTarget_001J00000000000000000TEAMS", "teams", "https://acme.webhook.office.com/webhookb2/"+teamsGUID+"@"+teamsGUID+"/IncomingWebhook/"+teamsTok+"/"+teamsGUID)
	add("whTarget_01HD4400VTDJQ646V6RY37SR0D", "zapier", "https://hooks.zapier.com/hooks/catch/123/"+zapierKey+"/?source=plain&v=2")
	add("whTarget_01HD4400VTDJQ646V6RY37SR0C", "ingest", "https://ingest.example.com/v1/plain/"+ingestTok)
	add("whTarget_01HD4400VTDJQ646V6RY37SR0A", "basic", "https://"+basicUser+":"+basicOld+"@basic.example.com/p")
	add("whTarget_001J0000000000000000ACCESS", "access", "https://at.example.com/h?access_token="+accessTok+"&v=2")
	add("whTarget_001J000000000000000000FRAG", "fragment", "https://frag.example.com/h#"+fragmentTok)
	return st
}

// The file manages the Slack hook (its token rotated through a ${VAR})
// and the Basic-auth target (its password changed), and creates a new
// Basic-auth target; the rest is unmanaged.
const sweepYAML = `version: 1
defaults:
  webhookVersion: "2026-05-06"
webhooks:
  - name: slack
    url: https://hooks.slack.com/services/T0123ABCD/B0456EFGH/${SLACK_TOKEN}
    events: [thread.thread_created]
  - name: basic
    url: https://${HOOK_USER}:${HOOK_PASS}@basic.example.com/p
    events: [thread.thread_created]
  - name: basic-new
    url: https://${HOOK_USER}:${HOOK_PASS}@basic-new.example.com/p?v=2
    events: [thread.thread_created]
`

func sweepEnv() []string {
	return []string{"SLACK_TOKEN=" + slackNew, "HOOK_USER=" + basicUser, "HOOK_PASS=" + basicNew}
}

// noTokens fails when s holds any byte sequence of a sweep token.
func noTokens(t *testing.T, where, s string) {
	t.Helper()
	for _, tok := range sweepTokens {
		if strings.Contains(s, tok) {
			t.Errorf("%s shows the token %s…:\n%s", where, tok[:6], s)
		}
	}
}

// filesIn returns every file under dir with its content.
func filesIn(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			data, _ := os.ReadFile(p)
			out[p] = string(data)
		}
		return nil
	})
	return out
}

// TestSecretSweep runs every command in every output format, plainly and
// inside Actions, against a workspace full of bearer URLs, and finds no
// byte of any token in stdout, stderr, written files, step summaries or
// outputs; hosts stay readable, and rotated secrets show as masked URL
// updates.
func TestSecretSweep(t *testing.T) {
	t.Parallel()
	m := startMock(t, sweepState())
	dir := workdir(t, sweepYAML)
	run := func(want int, args ...string) result {
		t.Helper()
		r := m.runEnv(dir, sweepEnv(), args...)
		if r.code != want {
			t.Fatalf("plainsync %v: exit %d, want %d\n%s", args, r.code, want, r.all())
		}
		noTokens(t, fmt.Sprintf("plainsync %v", args), r.all())
		return r
	}

	// validate needs no live state; the literal-secret checks pass.
	run(0, "validate")
	run(0, "validate", "-o", "json")
	run(0, "apply", "--dry-run")

	// plan, every format: the Slack rotation and the password change are
	// updates shown as masked URL changes; hosts readable.
	text := run(0, "plan")
	wantContains(t, text.stdout,
		`url:         "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/(sensitive value changed)"`,
		`url:         "https://${HOOK_USER}:(sensitive value changed)@basic.example.com/p"`,
		"Plan: 1 to create, 2 to update, 0 to delete, 0 unchanged, 6 unmanaged.")
	for _, h := range sweepHosts {
		wantContains(t, text.stdout, h)
	}
	md := run(0, "plan", "-o", "markdown")
	wantContains(t, md.stdout, "! url: https://hooks.slack.com/services/T0123ABCD/B0456EFGH/(sensitive value changed)", "hooks.zapier.com/hooks/catch/123/REDACTED/?source=plain&v=2")
	js := run(0, "plan", "-o", "json", "--out", "plan.json")
	var plan struct {
		Changes []struct {
			Name            string          `json:"name"`
			Action          string          `json:"action"`
			BeforeSensitive map[string]bool `json:"beforeSensitive"`
			AfterSensitive  map[string]bool `json:"afterSensitive"`
			Fields          []struct {
				Field          string   `json:"field"`
				OnlySecrets    bool     `json:"onlySecrets"`
				SecretsChanged []string `json:"secretsChanged"`
			} `json:"fields"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(js.stdout), &plan); err != nil {
		t.Fatal(err)
	}
	sensitive := 0
	for _, c := range plan.Changes {
		if c.Action == "update" && len(c.Fields) == 1 && c.Fields[0].OnlySecrets && c.BeforeSensitive["url"] && c.AfterSensitive["url"] {
			sensitive++
		}
	}
	if sensitive != 2 {
		t.Errorf("want 2 updates marked as sensitive-only URL changes:\n%s", js.stdout)
	}
	run(0, "plan", "--debug")
	run(2, "plan", "--detailed-exitcode", "-o", "markdown")

	// drift, both formats, and the read-side commands in every form.
	run(2, "drift")
	run(2, "drift", "-o", "json")
	run(2, "drift", "--health-window", "24h")
	for _, args := range [][]string{
		{"targets"}, {"targets", "-o", "json"}, {"targets", "slack"}, {"targets", "basic", "-o", "json"},
		{"targets", "--debug"}, {"deliveries"}, {"deliveries", "-o", "json"}, {"deliveries", "slack"}, {"events"},
	} {
		r := run(0, args...)
		if args[0] == "targets" && len(args) == 1 {
			for _, h := range sweepHosts {
				wantContains(t, r.stdout, h)
			}
		}
	}
	// --show-secrets is refused without a terminal, and says so.
	r := m.runEnv(dir, sweepEnv(), "targets", "slack", "--show-secrets")
	if r.code != 1 || !strings.Contains(r.stderr, "only with stdout on a terminal") {
		t.Fatalf("--show-secrets without a terminal: exit %d\n%s", r.code, r.all())
	}
	noTokens(t, "--show-secrets", r.all())
	run(0, "export")
	run(0, "export", "-o", "json")
	run(0, "export", "--out", "exported-before.yaml")

	// Inside Actions: stdout, stderr (the runner's masks aside), outputs
	// and step summary.
	for _, args := range [][]string{{"validate"}, {"plan", "--out", "plan.json"}, {"drift"}, {"targets"}, {"export"}, {"apply", "--dry-run"}} {
		g := newGHAFiles(t)
		r := runGHAEnv(t, m, dir, g, sweepEnv(), args...)
		if r.code != 0 && !(args[0] == "drift" && r.code == 2) {
			t.Fatalf("Actions %v: exit %d\n%s", args, r.code, r.all())
		}
		outputs, summary := g.read(t)
		noTokens(t, fmt.Sprintf("Actions %v stdout/stderr", args), r.stdout+withoutMasks(r.stderr))
		noTokens(t, fmt.Sprintf("Actions %v $GITHUB_OUTPUT", args), outputs)
		noTokens(t, fmt.Sprintf("Actions %v $GITHUB_STEP_SUMMARY", args), summary)
		// Everything else the step wrote under $RUNNER_TEMP (the plan
		// files for upload-artifact, say).
		for p, data := range filesIn(t, g.dir) {
			noTokens(t, fmt.Sprintf("Actions %v %s", args, p), data)
		}
		if args[0] == "plan" {
			wantContains(t, summary, "(sensitive value changed)", "hooks.slack.com")
		}
	}

	// Apply writes the new token and password; Plain then holds them.
	run(0, "apply", "--auto-approve", "--debug")
	live := byDescription(t, m.targets())
	if live["slack"].URL != "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/"+slackNew ||
		live["basic"].URL != "https://"+basicUser+":"+basicNew+"@basic.example.com/p" ||
		live["basic-new"].URL != "https://"+basicUser+":"+basicNew+"@basic-new.example.com/p?v=2" {
		t.Fatalf("live after apply: %+v", live)
	}
	// In sync: drift-checked, then exported; the Basic-auth targets come
	// back as ${VAR}s, and the export plans no change.
	run(0, "drift")
	run(0, "plan", "--detailed-exitcode")
	exp := run(0, "export")
	wantContains(t, exp.stdout, `url: "https://${BASIC_USER}:${BASIC_PASSWORD}@basic.example.com/p"`,
		`url: "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/${SLACK_PATH}"`,
		`url: "https://hooks.zapier.com/hooks/catch/123/${ZAPIER_PATH}/?source=plain&v=2"`,
		`url: "https://frag.example.com/h#${FRAGMENT_FRAGMENT}"`)
	if err := os.WriteFile(filepath.Join(dir, "exported.yaml"), []byte(exp.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := []string{
		"SLACK_PATH=" + slackNew, "DISCORD_PATH=" + discordTok, "TEAMS_PATH=" + teamsGUID + "@" + teamsGUID,
		"TEAMS_PATH_2=" + teamsTok, "TEAMS_PATH_3=" + teamsGUID, "ZAPIER_PATH=" + zapierKey, "INGEST_PATH=" + ingestTok,
		"BASIC_USER=" + basicUser, "BASIC_PASSWORD=" + basicNew, "BASIC_NEW_USER=" + basicUser, "BASIC_NEW_PASSWORD=" + basicNew,
		"ACCESS_ACCESS_TOKEN=" + accessTok, "FRAGMENT_FRAGMENT=" + fragmentTok,
	}
	rt := m.runEnv(dir, vars, "plan", "-f", "exported.yaml", "--detailed-exitcode")
	if rt.code != 0 || !strings.Contains(rt.stdout, "No changes.") {
		t.Fatalf("plan of the export: exit %d\n%s", rt.code, rt.all())
	}
	noTokens(t, "plan of the export", rt.all())
	// Every file plainsync wrote in the run: plans, exports.
	for p, data := range filesIn(t, dir) {
		noTokens(t, p, data)
	}
}

// runGHAEnv runs the binary as an Actions step with extra environment.
func runGHAEnv(t *testing.T, m *mock, dir string, g ghaFiles, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "plainsync"), args...)
	cmd.Dir = dir
	cmd.Env = append(append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"PLAIN_API_KEY=" + apiKey, "PLAIN_API_URL=" + m.url,
	}, g.env()...), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run plainsync %v: %v", args, err)
	}
	assertNoSecrets(t, "stdout and stderr without masks", r.stdout+withoutMasks(r.stderr))
	return r
}

// The Zapier URL of the issue: source=plain&v=2 stays literal through
// export, and the plan after the round trip has no ${…} outside URLs (a
// masked "2" would garble ids, file names and timestamps).
func TestZapierExportKeepsHarmlessQueryLiteral(t *testing.T) {
	t.Parallel()
	st := ws()
	st.Targets = []plain.Target{{ID: "whTarget_0001J2222222222222222ZAP22", Description: "zap-2", URL: "https://hooks.zapier.com/hooks/catch/123/abc/?source=plain&v=2",
		EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true}}
	m := startMock(t, st)
	dir := t.TempDir()
	r := m.run(dir, "export")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, `url: "https://hooks.zapier.com/hooks/catch/123/abc/?source=plain&v=2"`, "too\n# short to mask by value")
	for _, line := range strings.Split(r.stdout, "\n") {
		if !strings.HasPrefix(line, "#") && strings.Contains(line, "${") {
			t.Fatalf("export made a variable of a harmless or short value: %s\n%s", line, r.stdout)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "plainsync.yaml"), []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"plan"}, {"plan", "-o", "json"}, {"plan", "-o", "markdown"}} {
		r := m.run(dir, args...)
		wantCode(t, r, 0)
		if regexp.MustCompile(`\$\{`).MatchString(r.all()) {
			t.Errorf("plan %v after the round trip shows a ${…}:\n%s", args, r.all())
		}
		if args[len(args)-1] == "json" {
			wantContains(t, r.stdout, `"hasChanges": false`)
		} else {
			wantContains(t, r.stdout, "No changes.")
		}
	}
}

// A secret written literally in the file: a password is an error at its
// column; a hook token warns there, and plan redacts it like a live one.
func TestLiteralSecretsInTheFile(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws())
	dir := workdir(t, `version: 1
defaults:
  webhookVersion: "2026-05-06"
webhooks:
  - name: slack
    url: https://hooks.slack.com/services/T0123ABCD/B0456EFGH/`+slackOld+`
    events: [thread.thread_created]
`)
	r := m.run(dir, "validate")
	wantCode(t, r, 0)
	wantContains(t, r.all(), "plainsync.yaml:6:63: warning: url: this path segment looks like a secret (Slack webhook token): put it in a ${VAR}; this file is committed to Git")
	noTokens(t, "validate", r.all())
	for _, args := range [][]string{{"plan"}, {"plan", "-o", "json"}, {"plan", "-o", "markdown"}, {"apply", "--dry-run"}} {
		r := m.run(dir, args...)
		wantCode(t, r, 0)
		wantContains(t, r.stdout, "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/REDACTED")
		noTokens(t, fmt.Sprint(args), r.all())
	}
	// The saved plan holds no literal token either, and still applies:
	// apply sends what it recomputes from the file.
	wantCode(t, m.run(dir, "plan", "--out", "plan.json"), 0)
	data, err := os.ReadFile(filepath.Join(dir, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	noTokens(t, "plan.json", string(data))
	r = m.run(dir, "apply", "plan.json", "--auto-approve")
	wantCode(t, r, 0)
	noTokens(t, "apply plan.json", r.all())
	if live := m.targets(); len(live) != 1 || live[0].URL != "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/"+slackOld {
		t.Fatalf("live after apply: %+v", live)
	}

	dir = workdir(t, `version: 1
webhooks:
  - name: basic
    url: "https://${HOOK_USER}:`+basicOld+`@basic.example.com/p"
    events: [thread.thread_created]
`)
	r = m.runEnv(dir, []string{"HOOK_USER=" + basicUser}, "validate")
	wantCode(t, r, 1)
	wantContains(t, r.all(), "plainsync.yaml:4:32: url: the password is written literally: put the password in a ${VAR}: this file is committed to Git")
	noTokens(t, "validate", r.all())
}
