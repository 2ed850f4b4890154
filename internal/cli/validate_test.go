package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/view"
)

func writeSpec(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const validSpec = `version: 1
defaults:
  webhookVersion: "2026-05-06"
webhooks:
  - name: crm-sync
    url: https://crm.example.com/hook?token=${CRM_TOKEN}
    events: [thread.thread_created]
  - name: ops
    url: https://ops.example.com/hook
    events: ["*"]
`

func TestValidateValidFile(t *testing.T) {
	file := writeSpec(t, t.TempDir(), "plainsync.yaml", validSpec)
	f, out, errOut := testFactory(map[string]string{"CRM_TOKEN": "tok-123-secret"})
	if code := Execute(f, []string{"validate", "-f", file}); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	if want := file + ": valid (2 webhooks); plan will need ${CRM_TOKEN}\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr %q", errOut.String())
	}
}

func TestValidateInvalidFiles(t *testing.T) {
	dir := t.TempDir()
	bad := writeSpec(t, dir, "bad.yaml", `version: 1
webhooks:
  - name: a
    url: http://example.com/hook?t=${CRM_TOKEN}
    evnts: ["*"]
`)
	good := writeSpec(t, dir, "good.yaml", validSpec)
	missing := filepath.Join(dir, "missing.yaml")
	f, out, errOut := testFactory(map[string]string{"CRM_TOKEN": "tok-123-secret"})
	code := Execute(f, []string{"validate", "-f", good, "-f", bad, "-f", missing})
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	wantErr := bad + ":3:5: missing required field \"events\" in webhook\n" +
		bad + ":3:5: warning: pinning a webhookVersion is recommended: without one here or in defaults, new targets get Plain's latest version\n" +
		bad + ":4:10: url \"http://example.com/hook?t=${CRM_TOKEN}\" must use https: http is only allowed for loopback hosts (localhost, 127.0.0.0/8, ::1)\n" +
		bad + ":5:5: unknown field \"evnts\" in webhook (did you mean \"events\"?)\n" +
		missing + ": file not found\n"
	if errOut.String() != wantErr {
		t.Errorf("stderr\n%s\nwant\n%s", errOut.String(), wantErr)
	}
	wantOut := bad + ": invalid (3 errors, 1 warning)\n" + good + ": valid (2 webhooks); plan will need ${CRM_TOKEN}\n" + missing + ": invalid (1 error)\n"
	if out.String() != wantOut {
		t.Errorf("stdout\n%s\nwant\n%s", out.String(), wantOut)
	}
	if strings.Contains(out.String()+errOut.String(), "tok-123-secret") {
		t.Error("secret value printed")
	}
}

func TestValidateJSON(t *testing.T) {
	dir := t.TempDir()
	bad := writeSpec(t, dir, "bad.yaml", "version: 2\nwebhooks: []\n")
	f, out, errOut := testFactory(nil)
	if code := Execute(f, []string{"validate", "-f", bad, "-o", "json"}); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if errOut.Len() != 0 {
		t.Errorf("json mode wrote to stderr: %q", errOut.String())
	}
	var got struct {
		FormatVersion int      `json:"formatVersion"`
		Valid         *bool    `json:"valid"`
		Files         []string `json:"files"`
		Problems      []struct {
			File, Severity, Message string
			Line, Col               int
		} `json:"problems"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if got.FormatVersion != 1 || got.Valid == nil || *got.Valid || len(got.Files) != 1 || got.Files[0] != bad {
		t.Errorf("json %+v", got)
	}
	if len(got.Problems) != 1 || got.Problems[0].File != bad || got.Problems[0].Line != 1 || got.Problems[0].Col != 10 ||
		got.Problems[0].Severity != "error" || got.Problems[0].Message != "version must be 1, not 2" {
		t.Errorf("problems %+v", got.Problems)
	}

	// A valid file: exit 0, valid true and an empty (not null) problem list.
	good := writeSpec(t, dir, "good.yaml", "version: 1\nwebhooks: []\n")
	f, out, _ = testFactory(nil)
	if code := Execute(f, []string{"validate", "-f", good, "-o", "json"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), `"valid": true`) || !strings.Contains(out.String(), `"problems": []`) {
		t.Errorf("valid json %s", out.String())
	}
}

func TestValidateDefaultFileAndUsageErrors(t *testing.T) {
	// The test runs in internal/cli, where there is no plainsync.yaml.
	f, out, errOut := testFactory(nil)
	if code := Execute(f, []string{"validate"}); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if errOut.String() != "plainsync.yaml: file not found\n"+view.MissingDefaultHint+"\n" || out.String() != "plainsync.yaml: invalid (1 error)\n" {
		t.Errorf("stdout %q stderr %q", out.String(), errOut.String())
	}

	for _, args := range [][]string{{"validate", "x.yaml"}, {"validate", "-o", "yaml", "-f", "x.yaml"}} {
		f, _, errOut := testFactory(nil)
		if code := Execute(f, args); code != 1 {
			t.Errorf("%v: exit %d", args, code)
		}
		if !strings.HasPrefix(errOut.String(), "Error: ") {
			t.Errorf("%v: stderr %q", args, errOut.String())
		}
	}
	f, _, errOut = testFactory(nil)
	Execute(f, []string{"validate", "x.yaml"})
	if !strings.Contains(errOut.String(), "-f x.yaml") {
		t.Errorf("positional-argument error does not point to -f: %q", errOut.String())
	}
}

func TestValidateHelpHasExamples(t *testing.T) {
	f, out, _ := testFactory(nil)
	if code := Execute(f, []string{"validate", "--help"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Examples:", "plainsync validate -f", "--file", "--output"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, out.String())
		}
	}
}

// TestValidateExample is what CI runs: the shipped example must validate
// with no environment variables at all.
func TestValidateExample(t *testing.T) {
	f, out, errOut := testFactory(nil)
	example := filepath.Join("..", "..", "examples", "webhooks.yaml")
	if code := Execute(f, []string{"validate", "-f", example}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.HasPrefix(out.String(), example+": valid (") {
		t.Errorf("stdout %q", out.String())
	}
	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "# yaml-language-server: $schema=../schema/webhooks.schema.json\n") {
		t.Error("example does not start with the yaml-language-server schema comment")
	}
}

// validate runs where the secrets are not given: fork pull requests get
// empty variables, pre-commit hooks none at all.
func TestValidateWithoutSecrets(t *testing.T) {
	dir := t.TempDir()
	file := writeSpec(t, dir, "plainsync.yaml", `version: 1
defaults:
  webhookVersion: "2026-05-06"
webhooks:
  - name: crm-sync
    url: https://${CRM_HOST}/hook?token=${CRM_TOKEN}
    events: [thread.thread_created]
  - name: ops
    url: https://ops.example.com/${OPS_PATH}
    events: [thread.thread_create]
`)
	for name, env := range map[string]map[string]string{
		"unset": nil,
		"empty": {"CRM_HOST": "", "CRM_TOKEN": "", "OPS_PATH": ""},
	} {
		t.Run(name, func(t *testing.T) {
			f, out, errOut := testFactory(env)
			if code := Execute(f, []string{"validate", "-f", file}); code != 0 {
				t.Fatalf("exit %d\n%s", code, errOut.String())
			}
			want := file + ": valid (2 webhooks, 1 warning); plan will need ${CRM_HOST}, ${CRM_TOKEN}, ${OPS_PATH} (not set here: CRM_HOST, CRM_TOKEN, OPS_PATH)\n"
			if out.String() != want {
				t.Errorf("stdout %q\nwant   %q", out.String(), want)
			}
			// The offline snapshot catches the typo, at its position.
			if want := file + `:10:14: warning: unknown event type "thread.thread_create" (did you mean "thread.thread_created"?)`; !strings.Contains(errOut.String(), want) {
				t.Errorf("stderr %q lacks %q", errOut.String(), want)
			}
			// plan still needs them, and says so before any request.
			f, _, errOut = testFactory(env)
			if code := Execute(f, []string{"plan", "-f", file}); code != 1 || !strings.Contains(errOut.String(), "CRM_TOKEN") {
				t.Errorf("plan without secrets: exit %d\n%s", code, errOut.String())
			}
		})
	}
	f, out, _ := testFactory(map[string]string{"CRM_HOST": "crm.example.com", "CRM_TOKEN": "tok-123-secret"})
	if code := Execute(f, []string{"validate", "-f", file, "-o", "json"}); code != 0 {
		t.Fatalf("json: exit %d", code)
	}
	var got view.ValidateJSON
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := []view.ValidateJSONVariable{{File: file, Name: "CRM_HOST", Set: true}, {File: file, Name: "CRM_TOKEN", Set: true}, {File: file, Name: "OPS_PATH", Set: false}}
	if fmt.Sprint(got.Variables) != fmt.Sprint(want) {
		t.Errorf("variables %+v, want %+v", got.Variables, want)
	}
	if strings.Contains(out.String(), "tok-123-secret") {
		t.Error("secret value printed")
	}
}

// Two files for one workspace fail validate unless both are scoped and
// disjoint: path-filtered CI jobs apply them apart, where plan could not
// see the other file.
func TestValidateFilesSharingAWorkspace(t *testing.T) {
	dir := t.TempDir()
	file := func(name, scope, hook string) string {
		return writeSpec(t, dir, name, "version: 1\nworkspace: w_shared\n"+scope+"defaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n  - name: "+hook+"\n    url: https://"+hook+".example.com/\n    events: [\"*\"]\n")
	}
	a := file("support.yaml", "", "support-crm")
	b := file("billing.yaml", "", "billing-crm")
	f, out, errOut := testFactory(nil)
	if code := Execute(f, []string{"validate", "-f", a, "-f", b}); code != 1 {
		t.Fatalf("unscoped: exit %d\n%s", code, out.String())
	}
	for _, want := range []string{a + ":2:12: " + a + " and " + b + " both describe workspace w_shared", b + ":2:12: " + b + " and " + a} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr %q lacks %q", errOut.String(), want)
		}
	}
	file("support.yaml", "scope: [support-*]\n", "support-crm")
	file("billing.yaml", "scope: [billing-*]\n", "billing-crm")
	f, out, errOut = testFactory(nil)
	if code := Execute(f, []string{"validate", "-f", dir}); code != 0 {
		t.Fatalf("scoped: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	b = file("billing.yaml", "scope: [\"*-crm\"]\n", "billing-crm")
	f, _, errOut = testFactory(nil)
	if code := Execute(f, []string{"validate", "-f", dir}); code != 1 || !strings.Contains(errOut.String(), `webhook "support-crm" is also in the scope of `+b) {
		t.Fatalf("overlapping: exit %d\n%s", code, errOut.String())
	}
}

// Two pruning files for one workspace, each applied by its own
// path-filtered job, would delete each other's targets forever: prune:
// true must name its workspace, so that validate over the folder compares
// them and refuses the pair unless both are scoped and disjoint.
func TestValidatePruningFilesMustKnowTheirWorkspace(t *testing.T) {
	const ws = "w_01HD4400VTDJQ646V6RY37SR7K"
	file := func(dir, name, head, hook string) string {
		return writeSpec(t, dir, name, "version: 1\n"+head+"defaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n  - name: "+hook+"\n    url: https://"+hook+".example.com/\n    events: [\"*\"]\n")
	}
	dir := t.TempDir()
	a := file(dir, "support.yaml", "prune: true\n", "support-crm")
	b := file(dir, "billing.yaml", "prune: true\n", "billing-crm")
	f, out, errOut := testFactory(nil)
	if code := Execute(f, []string{"validate", "-f", dir}); code != 1 {
		t.Fatalf("pruning without workspace: exit %d\n%s", code, out.String())
	}
	for _, p := range []string{a, b} {
		if want := p + ":2:8: prune: true needs workspace:"; !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr %q lacks %q", errOut.String(), want)
		}
	}

	// Named, the two unscoped files are compared and refused.
	dir = t.TempDir()
	a = file(dir, "support.yaml", "workspace: "+ws+"\nprune: true\n", "support-crm")
	b = file(dir, "billing.yaml", "workspace: "+ws+"\nprune: true\n", "billing-crm")
	f, _, errOut = testFactory(nil)
	if code := Execute(f, []string{"validate", "-f", dir}); code != 1 || !strings.Contains(errOut.String(), b+" and "+a+" both describe workspace "+ws) {
		t.Fatalf("two unscoped pruning files: exit %d\n%s", code, errOut.String())
	}
	// Scoped and disjoint, they may share it.
	file(dir, "support.yaml", "workspace: "+ws+"\nprune: true\nscope: [support-*]\n", "support-crm")
	file(dir, "billing.yaml", "workspace: "+ws+"\nprune: true\nscope: [billing-*]\n", "billing-crm")
	f, out, errOut = testFactory(nil)
	if code := Execute(f, []string{"validate", "-f", dir}); code != 0 {
		t.Fatalf("scoped pruning files: exit %d\n%s%s", code, out.String(), errOut.String())
	}
}
