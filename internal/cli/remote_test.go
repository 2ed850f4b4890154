package cli

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/plainmock"
)

const (
	testKey   = "plainApiKey_cliK3yZ9wQx"
	testToken = "tok-SECRET-123"
)

const testYAML = `version: 1
defaults:
  webhookVersion: "2026-05-06"
webhooks:
  - name: crm-sync
    url: https://crm.example.com/hook?token=${TOKEN}
    events: [thread.thread_created]
  - name: ops
    url: https://ops.example.com/hook
    events: ["customer.*"]
    enabled: false
`

// remoteEnv is a plain-mock served over loopback plus a directory holding
// plainsync.yaml.
type remoteEnv struct {
	t    *testing.T
	mock *plainmock.Server
	url  string
	dir  string
}

func newRemoteEnv(t *testing.T, yaml string) *remoteEnv {
	t.Helper()
	srv, err := plainmock.New(plainmock.Config{Keys: map[string][]string{testKey: plainmock.AllPermissions}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "plainsync.yaml"), []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return &remoteEnv{t: t, mock: srv, url: hs.URL + plainmock.GraphQLPath, dir: dir}
}

// run executes plainsync in-process with stdin, as a terminal or not.
func (e *remoteEnv) run(stdin string, terminal bool, args ...string) (int, string, string) {
	e.t.Helper()
	f, out, errOut := testFactory(map[string]string{
		"PLAIN_API_KEY": testKey,
		"PLAIN_API_URL": e.url,
		"TOKEN":         testToken,
	})
	f.IO.In = strings.NewReader(stdin)
	f.IO.InIsTerminal = terminal
	full := append([]string{}, args...)
	savedPlan := args[0] == "apply" && strings.HasSuffix(args[len(args)-1], ".json")
	if args[0] != "targets" && !hasArg(args, "-f") && !savedPlan {
		full = append(full, "-f", filepath.Join(e.dir, "plainsync.yaml"))
	}
	code := Execute(f, full)
	for _, s := range []string{out.String(), errOut.String()} {
		if strings.Contains(s, testKey) || strings.Contains(s, testToken) {
			e.t.Fatalf("secret in output of %v:\n%s", args, s)
		}
	}
	return code, out.String(), errOut.String()
}

func hasArg(args []string, a string) bool {
	for _, x := range args {
		if x == a {
			return true
		}
	}
	return false
}

func TestApplyAsksOnATerminal(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	code, out, _ := e.run("no\n", true, "apply")
	if code != 1 || len(e.mock.Targets()) != 0 {
		t.Fatalf("answer 'no': exit %d, %d targets", code, len(e.mock.Targets()))
	}
	if !strings.Contains(out, "Only 'yes' will be accepted") {
		t.Fatalf("no prompt:\n%s", out)
	}
	code, out, errOut := e.run("yes\n", true, "apply")
	if code != 0 || len(e.mock.Targets()) != 2 {
		t.Fatalf("answer 'yes': exit %d, %d targets\n%s\n%s", code, len(e.mock.Targets()), out, errOut)
	}
	if !strings.Contains(out, "Apply complete") {
		t.Fatalf("no summary:\n%s", out)
	}
}

func TestApplyRefusesWithoutTerminal(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	code, _, errOut := e.run("yes\n", false, "apply")
	if code != 1 || len(e.mock.Targets()) != 0 || !strings.Contains(errOut, "--auto-approve") {
		t.Fatalf("exit %d, %d targets, stderr:\n%s", code, len(e.mock.Targets()), errOut)
	}
}

func TestPlanDetailedExitCodeAndFormats(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	code, out, _ := e.run("", false, "plan", "--detailed-exitcode")
	if code != 2 || !strings.Contains(out, "Plan: 2 to create, 0 to update, 0 to delete, 0 unchanged, 0 unmanaged.") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	code, out, _ = e.run("", false, "plan", "-o", "json")
	var p struct {
		FormatVersion int `json:"formatVersion"`
		Changes       []struct {
			Action string `json:"action"`
		} `json:"changes"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &p) != nil || p.FormatVersion != 1 || len(p.Changes) != 2 {
		t.Fatalf("json plan: exit %d\n%s", code, out)
	}
	code, out, _ = e.run("", false, "plan", "-o", "markdown")
	if code != 0 || !strings.Contains(out, "|") || !strings.Contains(out, "crm-sync") {
		t.Fatalf("markdown plan: exit %d\n%s", code, out)
	}
	code, _, errOut := e.run("", false, "plan", "-o", "yaml")
	if code != 1 || !strings.Contains(errOut, `unknown output format "yaml"`) {
		t.Fatalf("bad format: exit %d\n%s", code, errOut)
	}
	if code, _, _ := e.run("", false, "apply", "--auto-approve"); code != 0 {
		t.Fatalf("apply exit %d", code)
	}
	if code, out, _ := e.run("", false, "plan", "--detailed-exitcode"); code != 0 || !strings.Contains(out, "No changes") {
		t.Fatalf("after apply: exit %d\n%s", code, out)
	}
}

func TestDriftExitCodes(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	if code, out, _ := e.run("", false, "drift"); code != 2 || !strings.Contains(out, "missing") {
		t.Fatalf("drift before apply: exit %d\n%s", code, out)
	}
	e.run("", false, "apply", "--auto-approve")
	// A hand-made target is reported but is not drift without prune.
	e.mock.PutTarget(plain.Target{Description: "manual", URL: "https://m.example.com/x", EventTypes: []string{"thread.note_created"}, Version: "2026-05-06", Enabled: true})
	code, out, _ := e.run("", false, "drift")
	if code != 0 || !strings.Contains(out, "In sync.") || !strings.Contains(out, `"manual"`) {
		t.Fatalf("in sync with an unmanaged target: exit %d\n%s", code, out)
	}
	if code, _, _ := e.run("", false, "drift", "--prune"); code != 2 {
		t.Fatalf("with prune the unmanaged target is drift: exit %d", code)
	}
	// Nothing reaches Plain when the key is missing: exit 1, clear message.
	f, _, errOut := testFactory(map[string]string{"PLAIN_API_URL": e.url, "TOKEN": testToken})
	if code := Execute(f, []string{"drift", "-f", filepath.Join(e.dir, "plainsync.yaml")}); code != 1 || !strings.Contains(errOut.String(), "no API key: set $PLAIN_API_KEY") {
		t.Fatalf("no key: exit %d\n%s", code, errOut)
	}
}

func TestSavedPlanRefusesFlagsAndStaleState(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	planFile := filepath.Join(e.dir, "plan.json")
	if code, _, errOut := e.run("", false, "plan", "--out", planFile); code != 0 {
		t.Fatalf("plan --out: %s", errOut)
	}
	data, _ := os.ReadFile(planFile)
	if bytes.Contains(data, []byte(testToken)) || !bytes.Contains(data, []byte("${TOKEN}")) {
		t.Fatalf("saved plan must hold the reference, not the value:\n%s", data)
	}
	if code, _, errOut := e.run("", false, "apply", "--prune", planFile); code != 1 || !strings.Contains(errOut, "made without --prune") {
		t.Fatalf("--prune with a plan file: exit %d\n%s", code, errOut)
	}
	e.mock.PutTarget(plain.Target{Description: "sneaky", URL: "https://s.example.com/x", EventTypes: []string{"thread.note_created"}, Version: "2026-05-06", Enabled: true})
	if code, _, errOut := e.run("", false, "apply", "--auto-approve", planFile); code != 1 || !strings.Contains(errOut, "changed since") {
		t.Fatalf("stale plan: exit %d\n%s", code, errOut)
	}
	if n := len(e.mock.Targets()); n != 1 {
		t.Fatalf("stale plan wrote: %d targets", n)
	}
}

func TestApplyFlagValidation(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	for _, args := range [][]string{
		{"apply", "--parallelism", "0"},
		{"apply", "--max-delete-percent", "150"},
		{"plan", "--rate-limit", "0"},
		{"drift", "--timeout", "0s"},
	} {
		if code, _, errOut := e.run("", false, args...); code != 1 || errOut == "" {
			t.Errorf("%v: exit %d\n%s", args, code, errOut)
		}
	}
}

func ptr(s string) *string { return &s }

func TestEditedSavedPlanIsRefused(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	planFile := filepath.Join(e.dir, "plan.json")
	if code, _, errOut := e.run("", false, "plan", "--out", planFile); code != 0 {
		t.Fatalf("plan --out: %s", errOut)
	}
	data, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.ReplaceAll(string(data), "https://ops.example.com/hook", "http://ops.example.com/hook")
	if edited == string(data) {
		t.Fatal("the saved plan does not hold the URL to edit")
	}
	if err := os.WriteFile(planFile, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := e.run("", false, "apply", "--auto-approve", planFile)
	if code != 1 || !strings.Contains(errOut, `change 2 (create "ops"): after.url differs`) || !strings.Contains(errOut, "nothing was sent") {
		t.Fatalf("edited plan: exit %d\n%s", code, errOut)
	}
	if n := len(e.mock.Targets()); n != 0 {
		t.Fatalf("edited plan wrote %d targets", n)
	}
}

// A saved plan carries the file's guards, but nothing binds it to the file
// yet: an edit may tighten them, never loosen them past the defaults.
func TestSavedPlanGuardsCannotBeLoosened(t *testing.T) {
	const spec = `version: 1
workspace: w_01MXCKWRKSPACE000000000000
prune: true
guards:
  maxDeletePercent: 10
defaults:
  webhookVersion: "2026-05-06"
webhooks:
  - name: a
    url: https://a.example.com/hook
    events: [thread.thread_created]
`
	e := newRemoteEnv(t, spec)
	for _, name := range []string{"a", "b", "c", "d"} {
		e.mock.PutTarget(plain.Target{Description: name, URL: "https://" + name + ".example.com/hook", EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true})
	}
	e.mock.PutTarget(plain.Target{Description: "e", URL: "https://e.example.com/hook", EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true})
	planFile := filepath.Join(e.dir, "plan.json")
	if code, _, errOut := e.run("", false, "plan", "--out", planFile); code != 0 {
		t.Fatalf("plan --out: %s", errOut)
	}
	// As saved: the file's stricter 10% applies to the 4 deletes of 5.
	code, _, errOut := e.run("", false, "apply", "--auto-approve", planFile)
	if code != 1 || !strings.Contains(errOut, "allowed by guards.maxDeletePercent 10 in ") {
		t.Fatalf("saved plan: exit %d\n%s", code, errOut)
	}
	data, _ := os.ReadFile(planFile)
	edited := strings.Replace(string(data), `"maxDeletePercent": 10`, `"maxDeletePercent": 100`, 1)
	if edited == string(data) {
		t.Fatal("the saved plan does not hold the guard")
	}
	os.WriteFile(planFile, []byte(edited), 0o600)
	// An edited plan is refused outright (it is not the plan the file
	// implies), naming the guard it loosened; nothing is written.
	code, _, errOut = e.run("", false, "apply", "--auto-approve", planFile)
	if code != 1 || !strings.Contains(errOut, "maxDeletePercent differs") || !strings.Contains(errOut, "nothing was sent") {
		t.Fatalf("edited plan: exit %d\n%s", code, errOut)
	}
	if n := len(e.mock.Targets()); n != 5 {
		t.Fatalf("a refused plan changed the workspace: %d targets", n)
	}
}
