package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestDebugOutputIsRedacted(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	e.run("", false, "apply", "--auto-approve")
	code, _, errOut := e.run("", false, "plan", "--debug")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "Bearer [REDACTED]") || !strings.Contains(errOut, "Snapshot") {
		t.Fatalf("debug output lacks the redacted request:\n%s", errOut)
	}
	// e.run already fails the test if the key or the token appears.
}

func TestColourOnlyOnATerminalWithoutNoColor(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	for _, tc := range []struct {
		terminal bool
		noColor  *string
		want     bool
	}{
		{terminal: true, want: true},
		{terminal: true, noColor: ptr("1"), want: false},
		{terminal: true, noColor: ptr(""), want: true}, // set but empty does not count
		{terminal: false, want: false},
	} {
		env := map[string]string{"PLAIN_API_KEY": testKey, "PLAIN_API_URL": e.url, "TOKEN": testToken}
		if tc.noColor != nil {
			env["NO_COLOR"] = *tc.noColor
		}
		f, out, errOut := testFactory(env)
		f.IO.OutIsTerminal = tc.terminal
		if code := Execute(f, []string{"plan", "-f", filepath.Join(e.dir, "plainsync.yaml")}); code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		if got := strings.Contains(out.String(), "\x1b["); got != tc.want {
			t.Errorf("terminal=%v NO_COLOR=%v: colour %v, want %v", tc.terminal, tc.noColor != nil, got, tc.want)
		}
	}
}
