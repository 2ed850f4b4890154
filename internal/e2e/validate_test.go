package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// validateEnv matches the environment internal/spec's golden files were
// made with.
var validateEnv = []string{
	"CRM_WEBHOOK_TOKEN=s3cr3t-crm-token-value",
	"OPS_HOST=ops.example.com",
	"EMPTY_TOKEN=",
}

func runValidate(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return runValidateEnv(t, dir, validateEnv, args...)
}

// runValidateEnv runs validate with exactly env (plus PATH), and no API key.
func runValidateEnv(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "plainsync"), append([]string{"validate"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "NO_COLOR=1"}, env...) // no API key: validate is offline
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(r.all(), "s3cr3t-crm-token-value") {
		t.Errorf("validate %v printed a secret", args)
	}
	return r
}

// Every bad case of internal/spec, through the built binary: exit 1 (0 when
// the case holds only warnings) and exactly the golden FILE:LINE:COL lines.
func TestValidateBinaryOnEveryBadCase(t *testing.T) {
	t.Parallel()
	specDir := filepath.Join("..", "spec")
	files, err := filepath.Glob(filepath.Join(specDir, "testdata", "bad", "*.yaml"))
	if err != nil || len(files) < 30 {
		t.Fatalf("bad cases: %d, %v", len(files), err)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(specDir, f)
		t.Run(filepath.Base(f), func(t *testing.T) {
			golden, err := os.ReadFile(strings.TrimSuffix(f, ".yaml") + ".want")
			if err != nil {
				t.Fatal(err)
			}
			// The golden files are what plan's loader reports; validate
			// runs without secrets, so it drops exactly the complaints
			// about unset or empty variables.
			var want strings.Builder
			wantCode := 0
			for _, line := range strings.SplitAfter(string(golden), "\n") {
				if line == "" || strings.HasSuffix(line, " is not set\n") || strings.HasSuffix(line, " is set but empty\n") {
					continue
				}
				want.WriteString(line)
				if !strings.Contains(line, ": warning: ") {
					wantCode = 1
				}
			}
			r := runValidate(t, specDir, "-f", rel)
			if r.code != wantCode {
				t.Fatalf("exit %d, want %d\n%s", r.code, wantCode, r.all())
			}
			if r.stderr != want.String() {
				t.Fatalf("stderr differs\n--- got\n%s--- want\n%s", r.stderr, want.String())
			}
		})
	}
}

func TestValidateBinaryOnGoodFilesAndExample(t *testing.T) {
	t.Parallel()
	r := runValidate(t, filepath.Join("..", ".."), "-f", "examples/webhooks.yaml", "-f", "examples/demo/plainsync.yaml", "-f", "internal/spec/testdata/good")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.all())
	}
	wantContains(t, r.stdout, "examples/webhooks.yaml: valid")
	r = runValidate(t, t.TempDir(), "-f", "missing.yaml")
	if r.code != 1 || !strings.Contains(r.stderr, "missing.yaml") {
		t.Fatalf("missing file: exit %d\n%s", r.code, r.all())
	}
}
