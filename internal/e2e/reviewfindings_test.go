package e2e

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/secret"
)

// replay shows the receiver's answer only after the whole of it was
// screened for secrets: a receiver echoing the --to Basic-auth header, or
// the HMAC secret base64-encoded or cut at the 200-byte summary limit,
// gets no secret printed.
func TestReplaySummaryEchoesNoSecret(t *testing.T) {
	const hmacSecret = "whsec_Zq8TnV4pLk2Mw"
	const password = "Rq7-yUw3-Ht9x"
	live := startRecorder(t)
	m := startMock(t, nil, "--hmac-secret", hmacSecret, "--retry-schedule", "none")
	dir := workdir(t, fmt.Sprintf(`version: 1
defaults:
  webhookVersion: "2026-02-27"
webhooks:
  - name: live-hook
    url: %s/live
    events: [thread.thread_created]
`, live.URL))
	wantCode(t, m.run(dir, "apply", "--auto-approve"), 0)
	ev := emittedEventID(t, m.emit("thread.thread_created"))
	live.wait(t, 1)

	for name, answer := range map[string]func(r *http.Request) string{
		// A debugging receiver that echoes the request's headers.
		"authorization header": func(r *http.Request) string { return "got " + r.Header.Get("Authorization") },
		// The secret, base64-encoded (e.g. a config dump).
		"base64 secret": func(*http.Request) string {
			return "expected key " + base64.StdEncoding.EncodeToString([]byte(hmacSecret))
		},
		// The secret cut by the 200-byte summary: masking misses the piece.
		"cut secret": func(*http.Request) string { return strings.Repeat("x", 190) + " " + hmacSecret },
	} {
		t.Run(name, func(t *testing.T) {
			rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = io.WriteString(w, answer(r))
			}))
			defer rcv.Close()
			to := strings.Replace(rcv.URL, "http://", "http://bob:"+password+"@", 1) + "/hook"
			for _, out := range []string{"text", "json"} {
				r := m.run(dir, "replay", ev, "--to", to, "-o", out)
				if r.code == 0 {
					t.Fatalf("the 401 answer exited 0")
				}
				for what, v := range map[string]string{"HMAC secret": hmacSecret, "--to password": password, "--to Basic credentials": base64.StdEncoding.EncodeToString([]byte("bob:" + password))} {
					if secret.Echoes(r.all(), v) {
						t.Errorf("-o %s: the output gives away the %s:\n%s", out, what, r.all())
					}
				}
			}
		})
	}
}

// However long --health-window is, the health report appended to
// $GITHUB_STEP_SUMMARY stays small (at most 61 buckets per trend, the
// Markdown within its byte budget): GitHub drops a summary over 1 MiB whole.
func TestHealthReportFitsStepSummary(t *testing.T) {
	m := startMock(t, nil)
	dir := workdir(t, `version: 1
defaults:
  webhookVersion: "2026-02-27"
webhooks:
  - name: hook
    url: https://hooks.example.com/plain
    events: [thread.thread_created]
`)
	wantCode(t, m.run(dir, "apply", "--auto-approve"), 0)
	summary := filepath.Join(t.TempDir(), "summary.md")
	if err := os.WriteFile(summary, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r := m.runEnv(dir, []string{"GITHUB_ACTIONS=true", "GITHUB_STEP_SUMMARY=" + summary}, "drift", "--health-window", "2000000h")
	if r.code != 0 && r.code != 2 {
		t.Fatalf("drift --health-window 2000000h: exit %d\n%s", r.code, r.all())
	}
	st, err := os.Stat(summary)
	if err != nil {
		t.Fatal(err)
	}
	// GitHub refuses a step summary over 1024 KiB (the limit render.MaxStepSummary names).
	if st.Size() > 1<<20 {
		t.Errorf("the step summary is %d bytes, over GitHub's 1 MiB limit", st.Size())
	}
}

// --max-silence spares a target created within the silence: one apply
// created a minute ago, which has had no event to deliver yet, is not
// SILENT and drift exits 0 (the live target's createdAt reaches the check).
func TestMaxSilenceSparesNewTargets(t *testing.T) {
	rcv := startRecorder(t)
	m := startMock(t, nil)
	dir := workdir(t, fmt.Sprintf(`version: 1
defaults:
  webhookVersion: "2026-02-27"
webhooks:
  - name: new-hook
    url: %s/new
    events: [thread.thread_created]
`, rcv.URL))
	wantCode(t, m.run(dir, "apply", "--auto-approve"), 0)
	r := m.run(dir, "drift", "--max-silence", "6h", "-o", "json")
	if r.code != 0 || strings.Contains(r.stdout, `"silent": true`) {
		t.Errorf("a target created just now is reported silent for 6h (exit %d):\n%s", r.code, r.all())
	}
}

// With a policy that does not load, validate calls no file valid: its
// rules never ran.
func TestValidateBrokenPolicyNotReportedValid(t *testing.T) {
	m := startMock(t, nil)
	dir := workdir(t, `version: 1
defaults:
  webhookVersion: "2026-02-27"
webhooks:
  - name: ops
    url: https://hooks.example.com/plain
    events: [thread.thread_created]
`)
	writeFile(t, dir, "policy/rules.yaml", "version: 1\nrules:\n  - name: no-ops\n    expr: 'webhook.name != '\n")
	r := m.run(dir, "validate", "--policy", "policy")
	wantCode(t, r, 1)
	if strings.Contains(r.stdout, "valid (") && !strings.Contains(r.stdout, "invalid") {
		t.Errorf("validate with a broken policy says the file is valid:\n%s", r.all())
	}
}
