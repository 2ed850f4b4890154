package policy

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

var update = flag.Bool("update", false, "rewrite testdata/bad/*/want")

func noEnv(string) (string, bool) { return "", false }

// runCase loads a case directory's policy (policy.yaml, or the directory
// p/), checks webhooks.yaml with it offline and, when live.json is there,
// at plan time, and returns every problem line.
func runCase(t *testing.T, dir string) []string {
	t.Helper()
	pol := filepath.Join(dir, "policy.yaml")
	if _, err := os.Stat(pol); err != nil {
		pol = filepath.Join(dir, "p")
	}
	set, probs := Load([]string{pol})
	var lines []string
	for _, p := range probs {
		lines = append(lines, p.String())
	}
	if set == nil {
		return lines
	}
	wh := filepath.Join(dir, "webhooks.yaml")
	if _, err := os.Stat(wh); err != nil {
		return lines
	}
	d, ps := spec.LoadForValidate(wh, noEnv)
	if spec.HasErrors(ps) {
		t.Fatalf("%s does not load: %v", wh, ps)
	}
	offline := set.Check(d, nil)
	data, err := os.ReadFile(filepath.Join(dir, "live.json"))
	if err != nil {
		for _, p := range offline {
			lines = append(lines, p.String())
		}
		return lines
	}
	// Live rules never run offline: validate has no live facts.
	if set.HasLive() && len(offline) > 0 {
		t.Errorf("offline check ran live rules: %v", offline)
	}
	var live plain.Snapshot
	if err := json.Unmarshal(data, &live); err != nil {
		t.Fatal(err)
	}
	for _, p := range set.Check(d, &live) {
		lines = append(lines, p.String())
	}
	return lines
}

func TestGood(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/good/*")
	if len(dirs) == 0 {
		t.Fatal("no good cases")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			if got := runCase(t, dir); len(got) > 0 {
				t.Errorf("want no problems, got:\n%s", strings.Join(got, "\n"))
			}
		})
	}
}

func TestBad(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/bad/*")
	if len(dirs) == 0 {
		t.Fatal("no bad cases")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			got := strings.Join(runCase(t, dir), "\n") + "\n"
			if got == "\n" {
				t.Fatal("want problems, got none")
			}
			wantFile := filepath.Join(dir, "want")
			if *update {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("problems differ from %s\ngot:\n%swant:\n%s", wantFile, got, want)
			}
		})
	}
}

// TestExamples holds the shipped policy to its word: it compiles, and
// every example desired-state file passes it, offline and at plan time
// against a catalog whose versions are current.
func TestExamples(t *testing.T) {
	set, probs := Load([]string{"../../examples/policy"})
	if set == nil || len(probs) > 0 {
		t.Fatalf("examples/policy does not load: %v", probs)
	}
	if set.Rules() < 4 || !set.HasLive() {
		t.Fatalf("examples/policy has %d rules (live: %v); want https, wildcards, version and team rules", set.Rules(), set.HasLive())
	}
	files, _ := filepath.Glob("../../examples/*.yaml")
	if len(files) == 0 {
		t.Fatal("no examples")
	}
	live := &plain.Snapshot{
		Workspace: plain.Workspace{ID: "w_01H8XYZABCDEFGHJKMNPQRSTVW", Name: "Example"},
		Versions:  []plain.WebhookVersion{{Version: "2026-05-06", IsLatest: true}, {Version: "unversioned"}},
	}
	for _, file := range files {
		d, ps := spec.LoadForValidate(file, noEnv)
		if spec.HasErrors(ps) {
			t.Fatalf("%s: %v", file, ps)
		}
		for _, l := range [](*plain.Snapshot){nil, live} {
			if got := set.Check(d, l); len(got) > 0 {
				t.Errorf("%s violates examples/policy (live %v): %v", file, l != nil, got)
			}
		}
	}
	// And the rules bite: a deprecated pin and an http URL fail.
	d, _ := spec.LoadForValidate(files[0], noEnv)
	d.Webhooks[0].URL.Raw = "http://crm.example.com/hooks"
	live.Versions[0].IsDeprecated = true
	got := set.Check(d, live)
	var rules []string
	for _, p := range got {
		rules = append(rules, p.Message)
	}
	joined := strings.Join(rules, "\n")
	for _, want := range []string{"policy rule https-only", "policy rule version-not-deprecated"} {
		if !strings.Contains(joined, want) {
			t.Errorf("want a violation of %s, got:\n%s", want, joined)
		}
	}
}

// TestSecretsStayOut: rules see the URL as written, never the value of
// its ${VAR}s.
func TestSecretsStayOut(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "p.yaml")
	os.WriteFile(pol, []byte("version: 1\nrules:\n  - name: no-secret\n    expr: '!webhook.url.contains(\"hunter2secret\")'\n"), 0o644)
	set, probs := Load([]string{pol})
	if set == nil {
		t.Fatal(probs)
	}
	env := func(k string) (string, bool) { return "hunter2secret", k == "CRM_TOKEN" }
	d, ps := spec.Load("testdata/good/https-only/webhooks.yaml", env)
	if spec.HasErrors(ps) {
		t.Fatal(ps)
	}
	if got := set.Check(d, nil); len(got) > 0 {
		t.Errorf("rule saw the secret value: %v", got)
	}
}

func TestMissingPolicy(t *testing.T) {
	set, probs := Load([]string{"testdata/nope.yaml"})
	if set != nil || len(probs) != 1 || probs[0].String() != "testdata/nope.yaml: policy file not found" {
		t.Errorf("got %v %v", set, probs)
	}
}
