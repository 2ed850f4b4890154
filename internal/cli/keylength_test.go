package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// A key of a few characters is no Plain key, and masking it would blank
// those characters in every line ("list w***bhook targ***ts"): plan,
// targets and the other remote commands refuse it before anything is
// masked or sent, without printing it.
func TestShortAPIKeyIsRefused(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	for _, key := range []string{"e", "k3y-short", "0123456789abcde"} {
		for _, args := range [][]string{{"plan", "-f", filepath.Join(e.dir, "plainsync.yaml")}, {"targets"}, {"events"}} {
			f, out, errOut := testFactory(map[string]string{"PLAIN_API_KEY": key, "PLAIN_API_URL": e.url, "TOKEN": testToken})
			code := Execute(f, args)
			msg := errOut.String()
			if code != 1 || !strings.Contains(msg, "$PLAIN_API_KEY holds ") || !strings.Contains(msg, "refuses keys shorter than 16 characters") {
				t.Fatalf("%q %v: exit %d\nstdout:\n%s\nstderr:\n%s", key, args, code, out.String(), msg)
			}
			if strings.Contains(msg, "***") || (len(key) > 1 && strings.Contains(msg+out.String(), key)) {
				t.Errorf("%q %v: the key or its mask is in the output:\n%s", key, args, msg)
			}
		}
	}
	if n := e.mock.RequestCount(); n != 0 {
		t.Errorf("%d requests reached Plain with a short key", n)
	}
	// Sixteen characters are enough.
	f, _, errOut := testFactory(map[string]string{"PLAIN_API_KEY": testKey, "PLAIN_API_URL": e.url, "TOKEN": testToken})
	if code := Execute(f, []string{"events"}); code != 0 {
		t.Fatalf("events with the real key: exit %d\n%s", code, errOut.String())
	}
}
