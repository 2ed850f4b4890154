package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestActionsValidateAnnotations(t *testing.T) {
	yaml := "version: 1\nwebhooks:\n  - name: a\n    url: http://example.com/?t=${TOKEN}\n    events: [thread.thread_created]\n"
	e := newRemoteEnv(t, yaml)
	file := filepath.Join(e.dir, "plainsync.yaml")
	r := e.runGHA("true", "validate")
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	want := "::warning col=5,file=" + file + ",line=3::pinning a webhookVersion is recommended: without one here or in defaults, new targets get Plain's latest version\n" +
		"::error col=10,file=" + file + ",line=4::url \"http://example.com/?t=${TOKEN}\" must use https: http is only allowed for loopback hosts (localhost, 127.0.0.0/8, ::1)\n"
	if !strings.HasPrefix(r.stderr, want) {
		t.Fatalf("stderr:\n%s\nwant annotations first:\n%s", r.stderr, want)
	}
	// The usual FILE:LINE:COL lines are still there for people.
	if !strings.Contains(r.stderr, file+":4:10: url ") || !strings.Contains(r.stderr, file+":3:5: warning: ") {
		t.Fatalf("plain problem lines missing:\n%s", r.stderr)
	}
	if r.outputs != "" || r.exitcode != "1" {
		t.Fatalf("validate wrote outputs: %q, exitcode %q", r.outputs, r.exitcode)
	}

	// A valid file with a secret: the secret is masked, nothing annotated.
	e = newRemoteEnv(t, testYAML)
	r = e.runGHA("true", "validate", "-o", "json")
	if r.code != 0 || r.stderr != "::add-mask::"+testToken+"\n" {
		t.Fatalf("valid file: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestActionsPlanErrorsAreAnnotated(t *testing.T) {
	e := newRemoteEnv(t, strings.Replace(testYAML, "events: [thread.thread_created]", "events: [thread.no_such_event]", 1))
	r := e.runGHA("true", "plan")
	if r.code != 1 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	file := filepath.Join(e.dir, "plainsync.yaml")
	if !strings.HasPrefix(r.stderr, masks) || !strings.Contains(r.stderr, "::error col=14,file="+file+",line=7::") {
		t.Fatalf("stderr lacks the masks and the plan-time annotation:\n%s", r.stderr)
	}
	if r.outputs != "" || r.summary != "" || r.exitcode != "1" {
		t.Fatalf("a failed plan wrote outputs %q or a summary %q; exitcode %q", r.outputs, r.summary, r.exitcode)
	}
}
