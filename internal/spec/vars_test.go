package spec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPublicVarsAreNotSecrets(t *testing.T) {
	f := filepath.Join(t.TempDir(), "plainsync.yaml")
	yaml := "version: 1\nvars: [TEAM, REGION]\nwebhooks:\n  - name: a\n    url: https://${TEAM}-analytics.example.com/${REGION}/in?token=${TOKEN}\n    events: [\"*\"]\n"
	if err := os.WriteFile(f, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TEAM": "support", "REGION": "eu", "TOKEN": "a-long-enough-secret"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	d, ps := Load(f, lookup)
	if d == nil || HasErrors(ps) {
		t.Fatalf("problems:\n%s", render(ps))
	}
	if strings.Join(d.Public, ",") != "TEAM,REGION" {
		t.Fatalf("Public %v", d.Public)
	}
	if got := d.Webhooks[0].URL.Value; got != "https://support-analytics.example.com/eu/in?token=a-long-enough-secret" {
		t.Fatalf("url %q", got)
	}
	if vals := d.Secrets.Values(); len(vals) != 1 || vals[0] != "a-long-enough-secret" {
		t.Fatalf("secrets %v: only TOKEN is one", vals)
	}
	if got := d.Secrets.Mask("support in eu"); got != "support in eu" {
		t.Fatalf("a public value was masked: %q", got)
	}

	// Without vars:, every variable is a secret, and the short ones are
	// refused at their reference, never quoting the value.
	yaml = strings.Replace(yaml, "vars: [TEAM, REGION]\n", "", 1)
	if err := os.WriteFile(f, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env["TEAM"] = "support-team" // long enough
	_, ps = Load(f, lookup)
	var errs []Problem
	for _, p := range ps {
		if p.Severity == SeverityError {
			errs = append(errs, p)
		}
	}
	got := render(errs)
	want := f + ":4:48: ${REGION} is a secret (every ${VAR} is, unless the file lists it in vars:), but its value is only 2 characters long"
	if !strings.HasPrefix(got, want) || strings.Count(got, "\n") != 1 {
		t.Fatalf("problems:\n%s\nwant one starting %q", got, want)
	}
	if strings.Contains(got, `"eu"`) || strings.Contains(got, " eu ") {
		t.Fatalf("the message shows the value:\n%s", got)
	}

	// validate, where the variable is unset, is not bothered.
	delete(env, "REGION")
	if _, ps := LoadForValidate(f, lookup); HasErrors(ps) {
		t.Fatalf("validate with the variable unset:\n%s", render(ps))
	}
}
