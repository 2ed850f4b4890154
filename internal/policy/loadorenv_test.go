package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadOrEnv: the paths win; without them $PLAINSYNC_POLICY lists the
// files (separated like PATH, empty entries skipped); with neither, a nil
// set and no problems.
func TestLoadOrEnv(t *testing.T) {
	dir := t.TempDir()
	write := func(name, rule string) string {
		p := filepath.Join(dir, name)
		body := "version: 1\nrules:\n  - name: " + rule + "\n    expr: 'true'\n    message: m\n"
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b := write("a.yaml", "rule-a"), write("b.yaml", "rule-b")
	env := func(v string) func(string) (string, bool) {
		return func(k string) (string, bool) { return v, k == EnvPolicy }
	}

	if set, probs := LoadOrEnv(nil, noEnv); set != nil || probs != nil {
		t.Errorf("no paths, no env: %v %v", set, probs)
	}
	if set, probs := LoadOrEnv(nil, env(string(filepath.ListSeparator))); set != nil || probs != nil {
		t.Errorf("only empty entries: %v %v", set, probs)
	}
	set, probs := LoadOrEnv(nil, env(a+string(filepath.ListSeparator)+string(filepath.ListSeparator)+b))
	if len(probs) != 0 || set.Rules() != 2 || strings.Join(set.Files, ",") != a+","+b {
		t.Errorf("from env: %+v %v", set, probs)
	}
	set, probs = LoadOrEnv([]string{a}, env(b))
	if len(probs) != 0 || set.Rules() != 1 || strings.Join(set.Files, ",") != a {
		t.Errorf("the flag wins: %+v %v", set, probs)
	}
}
