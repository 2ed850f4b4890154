package spec

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestValidateFiles loads every testdata/validate/*.yaml the way the
// validate command does and compares problems, plus the variables plan
// will need, with the golden x.want.
func TestValidateFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "validate", "*.yaml"))
	if err != nil || len(files) < 3 {
		t.Fatalf("validate cases: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			d, ps := LoadForValidate(f, lookupTestEnv)
			got := render(ps)
			if d != nil {
				got += "variables: " + strings.Join(d.Variables, ", ") + "\nunset: " + strings.Join(d.Unset, ", ") + "\n"
			}
			want := strings.TrimSuffix(f, ".yaml") + ".want"
			if *update {
				if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			wantText, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("missing golden file: %v (run go test -run TestValidateFiles -update)", err)
			}
			if got != string(wantText) {
				t.Errorf("problems differ\n--- got\n%s--- want\n%s", got, wantText)
			}
			for _, v := range testEnv {
				if v != "" && strings.Contains(got, v) {
					t.Errorf("output shows the value of a variable: %q", v)
				}
			}
		})
	}
}

// TestValidateWithoutSecrets: what validate accepts with every variable
// unset, and with every one empty, plan's Load still refuses; placeholders
// never become secrets.
func TestValidateWithoutSecrets(t *testing.T) {
	f := filepath.Join("testdata", "validate", "secrets-unset.yaml")
	for name, env := range map[string]func(string) (string, bool){
		"unset": func(string) (string, bool) { return "", false },
		"empty": func(string) (string, bool) { return "", true },
	} {
		t.Run(name, func(t *testing.T) {
			d, ps := LoadForValidate(f, env)
			if d == nil || HasErrors(ps) {
				t.Fatalf("LoadForValidate failed:\n%s", render(ps))
			}
			want := []string{"CRM_WEBHOOK_TOKEN", "EMPTY_TOKEN", "UNSET_PORT", "UNSET_TOKEN", "UNSET_WHOLE_URL"}
			if !reflect.DeepEqual(d.Unset, want) || !reflect.DeepEqual(d.Variables, want) {
				t.Errorf("Unset = %v, Variables = %v; want %v for both", d.Unset, d.Variables, want)
			}
			if got := d.Secrets.Mask("a 0 b"); got != "a 0 b" {
				t.Errorf("a placeholder became a secret: Mask = %q", got)
			}
			if d, ps := Load(f, env); d != nil || !HasErrors(ps) {
				t.Errorf("Load (plan) accepted a file with %s variables", name)
			}
		})
	}
	// With the variables set, nothing is unset and Load agrees.
	set := map[string]string{"UNSET_WHOLE_URL": "https://whole.example.com/p", "UNSET_PORT": "8443"}
	d, ps := LoadForValidate(f, func(k string) (string, bool) {
		if v, ok := set[k]; ok {
			return v, true
		}
		return "x" + strings.ToLower(k), true
	})
	if d == nil || len(d.Unset) != 0 {
		t.Fatalf("with every variable set: problems:\n%s", render(ps))
	}
	if d2, ps := Load(f, func(k string) (string, bool) {
		if v, ok := set[k]; ok {
			return v, true
		}
		return "x" + strings.ToLower(k), true
	}); d2 == nil {
		t.Errorf("Load refused the file with every variable set:\n%s", render(ps))
	}
}

func TestScopeAndGuardsModel(t *testing.T) {
	d, ps := Load(filepath.Join("testdata", "good", "scoped-with-guards.yaml"), lookupTestEnv)
	if d == nil {
		t.Fatalf("load: %s", render(ps))
	}
	if len(d.Scope) != 1 || d.Scope[0].Value != "support-*" || d.Scope[0].Pos.Line != 3 {
		t.Errorf("Scope = %+v", d.Scope)
	}
	if !d.InScope("support-crm") || d.InScope("billing-crm") {
		t.Error("InScope is wrong")
	}
	g := d.Guards
	if g.MaxDeletePercent == nil || *g.MaxDeletePercent != 50 || g.MaxUpdatePercent == nil || *g.MaxUpdatePercent != 100 || g.MaxUpdatePercentPos.Line != 6 {
		t.Errorf("Guards = %+v", g)
	}
	unscoped := &Desired{}
	if !unscoped.InScope("anything") {
		t.Error("a file without scope owns every name")
	}
}

// TestValidateWithoutSecretsJudgesOnlyWhatNoValueFixes: with a variable
// unset, validate cannot know whether http://${HOST} is loopback, so it
// does not refuse it; a rule no value could satisfy is still reported, and
// plan (Load) judges the real value.
func TestValidateWithoutSecretsJudgesOnlyWhatNoValueFixes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, url string) string {
		f := filepath.Join(dir, name)
		body := "version: 1\nwebhooks:\n  - name: a\n    url: " + url + "\n    events: [thread.thread_created]\n    webhookVersion: \"2026-05-06\"\n"
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	unset := func(string) (string, bool) { return "", false }

	host := write("host.yaml", "http://${RECEIVER_HOST}:8080/plain")
	if d, ps := LoadForValidate(host, unset); d == nil || HasErrors(ps) {
		t.Errorf("http://${RECEIVER_HOST} with the variable unset was refused:\n%s", render(ps))
	}
	remote := func(k string) (string, bool) {
		if k == "RECEIVER_HOST" {
			return "hooks.example.com", true
		}
		return "", false
	}
	if _, ps := Load(host, remote); !HasErrors(ps) || !strings.Contains(render(ps), "http") {
		t.Errorf("plan accepted plain http to a non-loopback host:\n%s", render(ps))
	}

	fixed := write("fixed.yaml", "http://hooks.example.com/${PATH_TOKEN}")
	if _, ps := LoadForValidate(fixed, unset); !HasErrors(ps) || !strings.Contains(render(ps), "http") {
		t.Errorf("plain http to a literal non-loopback host passed validate:\n%s", render(ps))
	}
}
