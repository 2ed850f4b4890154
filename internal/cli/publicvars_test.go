package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPublicVarsAreShownAndNeverMasked: a variable listed in vars: is
// interpolated and shown in the plan, the summary and the saved plan, and
// is never registered with ::add-mask::; the secret beside it still is.
func TestPublicVarsAreShownAndNeverMasked(t *testing.T) {
	yaml := `version: 1
vars: [TEAM, REGION]
defaults:
  webhookVersion: "2026-05-06"
webhooks:
  - name: analytics
    url: https://${TEAM}-analytics.example.com/${REGION}/in?token=${TOKEN}
    events: [thread.thread_created]
`
	e := newRemoteEnv(t, yaml)
	dir := t.TempDir()
	out, summary := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	for _, p := range []string{out, summary} {
		os.WriteFile(p, nil, 0o600)
	}
	planFile := filepath.Join(dir, "plan.json")
	f, stdout, stderr := testFactory(map[string]string{
		"PLAIN_API_KEY": testKey, "PLAIN_API_URL": e.url, "TOKEN": testToken, "TEAM": "support", "REGION": "eu",
		"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": out, "GITHUB_STEP_SUMMARY": summary, "RUNNER_TEMP": dir,
	})
	if code := Execute(f, []string{"plan", "-f", filepath.Join(e.dir, "plainsync.yaml"), "--out", planFile}); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if strings.Contains(stderr.String(), "::add-mask::support") || strings.Contains(stderr.String(), "::add-mask::eu") {
		t.Fatalf("a public variable was masked:\n%s", stderr)
	}
	if !strings.Contains(stderr.String(), "::add-mask::"+testToken) {
		t.Fatalf("the secret was not masked:\n%s", stderr)
	}
	saved, _ := os.ReadFile(planFile)
	for where, s := range map[string]string{"stdout": stdout.String(), "summary": readFile(t, summary), "saved plan": string(saved)} {
		if !strings.Contains(s, "https://support-analytics.example.com/eu/in?token=${TOKEN}") {
			t.Errorf("%s does not show the public values with the secret masked:\n%s", where, s)
		}
		if strings.Contains(s, testToken) {
			t.Errorf("%s shows the secret", where)
		}
	}
	// Applying the saved plan works from the same environment.
	f, _, stderr = testFactory(map[string]string{"PLAIN_API_KEY": testKey, "PLAIN_API_URL": e.url, "TOKEN": testToken, "TEAM": "support", "REGION": "eu"})
	if code := Execute(f, []string{"apply", "--auto-approve", planFile}); code != 0 {
		t.Fatalf("apply the saved plan: exit %d\n%s", code, stderr)
	}
	targets := e.mock.Targets()
	if len(targets) != 1 || targets[0].URL != "https://support-analytics.example.com/eu/in?token="+testToken {
		t.Fatalf("live targets %+v", targets)
	}

	// Unlisted, the same short value is refused as a secret, at the
	// reference, without showing the value.
	e = newRemoteEnv(t, strings.Replace(yaml, "vars: [TEAM, REGION]\n", "vars: [TEAM]\n", 1))
	f, _, stderr = testFactory(map[string]string{"PLAIN_API_KEY": testKey, "PLAIN_API_URL": e.url, "TOKEN": testToken, "TEAM": "support", "REGION": "eu"})
	if code := Execute(f, []string{"plan", "-f", filepath.Join(e.dir, "plainsync.yaml")}); code != 1 {
		t.Fatalf("short secret: exit %d", code)
	}
	want := filepath.Join(e.dir, "plainsync.yaml") + ":7:48: ${REGION} is a secret (every ${VAR} is, unless the file lists it in vars:), but its value is only 2 characters long"
	if !strings.Contains(stderr.String(), want) {
		t.Fatalf("stderr lacks %q:\n%s", want, stderr)
	}
}
