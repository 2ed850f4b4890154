package e2e

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readmeBlock returns the first ```sh block under the README heading.
func readmeBlock(t *testing.T, heading string) string {
	t.Helper()
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	in, code := false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !in && line == heading:
			in = true
		case in && !code && strings.HasPrefix(line, "## "):
			t.Fatalf("README section %q has no sh block", heading)
		case in && !code && line == "```sh":
			code = true
		case code && line == "```":
			return b.String()
		case code:
			b.WriteString(line + "\n")
		}
	}
	t.Fatalf("README has no section %q with a sh block", heading)
	return ""
}

// TestReadmeQuickstart runs the README's Quickstart exactly as written, in
// an empty directory with the built binaries on PATH: the first commands a
// newcomer types must work.
func TestReadmeQuickstart(t *testing.T) {
	t.Parallel()
	script := readmeBlock(t, "## Quickstart")
	dir := t.TempDir()
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"), "NO_COLOR=1")
	cmd.Env = withoutEnv(cmd.Env, "PLAIN_API_URL", "PLAIN_API_KEY", "GITHUB_ACTIONS")
	timer := time.AfterFunc(2*time.Minute, func() {
		if cmd.Process != nil {
			cmd.Process.Kill()
		}
	})
	defer timer.Stop()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("README Quickstart failed: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{"1 created", "In sync.", "name: crm-sync"} {
		if !strings.Contains(text, want) {
			t.Errorf("Quickstart output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "tok_3fa9c1d27b8e4455") {
		t.Errorf("Quickstart output shows the secret value:\n%s", text)
	}
	if _, err := os.Stat(filepath.Join(dir, "plainsync.yaml")); err != nil {
		t.Errorf("Quickstart wrote no plainsync.yaml: %v", err)
	}
}

// withoutEnv drops the named variables from env.
func withoutEnv(env []string, names ...string) []string {
	out := env[:0:0]
next:
	for _, kv := range env {
		for _, n := range names {
			if strings.HasPrefix(kv, n+"=") {
				continue next
			}
		}
		out = append(out, kv)
	}
	return out
}
