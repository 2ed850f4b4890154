package validate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const good = `version: 1
defaults:
  webhookVersion: "2026-05-06"
webhooks:
  - name: crm-sync
    url: https://crm.example.com/hook?token=${CRM_TOKEN}&h=${CRM_HOST}
    events: ["*"]
`

// TestRun: every named path has an entry, sorted, loaded or not; the
// expanded files keep their order; variables and their unset ones are
// the file's; secrets are learnt; problems are sorted and decide Valid.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	g := write(t, dir, "b-good.yaml", good)
	bad := write(t, dir, "a-bad.yaml", "version: 2\nwebhooks: []\n")
	missing := filepath.Join(dir, "0-missing.yaml")
	env := func(k string) (string, bool) { return "tok-123-secret", k == "CRM_TOKEN" }

	r := Run([]string{g, missing, bad}, nil, env)
	if r.Valid || r.PolicyBroken {
		t.Errorf("valid %v, policy broken %v", r.Valid, r.PolicyBroken)
	}
	if strings.Join(r.Expanded, ",") != g+","+bad {
		t.Errorf("expanded %v", r.Expanded)
	}
	var names []string
	for _, f := range r.Files {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != missing+","+bad+","+g {
		t.Errorf("files %v", names)
	}
	if f := r.Files[0]; f.Loaded || f.Webhooks != 0 {
		t.Errorf("missing file %+v", f)
	}
	if f := r.Files[2]; !f.Loaded || f.Webhooks != 1 || strings.Join(f.Variables, ",") != "CRM_HOST,CRM_TOKEN" || strings.Join(f.Unset, ",") != "CRM_HOST" {
		t.Errorf("good file %+v", f)
	}
	if len(r.Problems) != 2 || r.Problems[0].Pos.File != missing || r.Problems[1].Pos.File != bad {
		t.Errorf("problems %v", r.Problems)
	}
	if got := r.Secrets.Mask("x tok-123-secret"); got != "x ${CRM_TOKEN}" {
		t.Errorf("masked %q", got)
	}

	if r := Run([]string{g}, nil, env); !r.Valid || len(r.Problems) != 0 {
		t.Errorf("good alone: %v %v", r.Valid, r.Problems)
	}
}

// TestRunPolicy: offline rules run (from the flag or $PLAINSYNC_POLICY);
// a policy that does not load is reported as such.
func TestRunPolicy(t *testing.T) {
	dir := t.TempDir()
	g := write(t, dir, "good.yaml", good)
	pol := write(t, dir, "policy.yaml", "version: 1\nrules:\n  - name: no-wildcards\n    expr: '!(\"*\" in webhook.events)'\n    message: never *\n")
	broken := write(t, dir, "broken.yaml", "version: 1\nrules:\n  - name: broken\n    expr: 'webhook.url.startsWith('\n")
	noEnv := func(string) (string, bool) { return "", false }

	r := Run([]string{g}, []string{pol}, noEnv)
	if r.Valid || r.PolicyBroken || len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Message, "no-wildcards") {
		t.Errorf("policy: %v %v %v", r.Valid, r.PolicyBroken, r.Problems)
	}
	env := func(k string) (string, bool) { return pol, k == "PLAINSYNC_POLICY" }
	if r := Run([]string{g}, nil, env); r.Valid {
		t.Errorf("$PLAINSYNC_POLICY not read: %v", r.Problems)
	}
	if r := Run([]string{g}, []string{broken}, noEnv); r.Valid || !r.PolicyBroken {
		t.Errorf("broken policy: %v %v", r.Valid, r.PolicyBroken)
	}
}
