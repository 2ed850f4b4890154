package view

import (
	"strings"
	"testing"
)

func env(kv ...string) func(string) string {
	return func(name string) string {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == name {
				return kv[i+1]
			}
		}
		return ""
	}
}

// --show-secrets: one target, a terminal, and never inside GitHub Actions.
func TestCheckReveal(t *testing.T) {
	const why = "--show-secrets prints a full webhook URL, credentials included"
	for _, tc := range []struct {
		reveal bool
		nargs  int
		env    func(string) string
		tty    bool
		want   string
	}{
		{false, 0, env(), false, ""},
		{true, 1, env(), true, ""},
		{true, 1, env("CI", "true"), true, ""},
		{true, 0, env(), true, why + ": name the one target to show (plainsync targets TARGET --show-secrets)"},
		{true, 1, env("GITHUB_ACTIONS", "true"), true, why + ", so it is refused inside GitHub Actions, whose logs are kept; run it by hand in a terminal"},
		{true, 1, env(), false, why + ", so it runs only with stdout on a terminal, not into a pipe or a file"},
	} {
		err := CheckReveal(tc.reveal, tc.nargs, tc.env, tc.tty)
		if (tc.want == "" && err != nil) || (tc.want != "" && (err == nil || err.Error() != tc.want)) {
			t.Errorf("%+v: %v, want %q", tc, err, tc.want)
		}
	}
}

// A body is printed only to a terminal, outside CI, and never in JSON.
func TestBodyToTerminal(t *testing.T) {
	for _, tc := range []struct {
		env    func(string) string
		tty    bool
		output string
		want   string
	}{
		{env(), true, "table", ""},
		{env("GITHUB_ACTIONS", "true"), true, "table", "refusing to print an event body in CI"},
		{env("CI", "true"), true, "table", "refusing to print an event body in CI"},
		{env("CI", "1"), true, "table", ""},
		{env(), false, "table", "stdout is not a terminal"},
		{env(), true, "json", "-o json never carries an event body"},
	} {
		err := BodyToTerminal(tc.env, tc.tty, tc.output)
		if (tc.want == "" && err != nil) || (tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want))) {
			t.Errorf("%+v: %v, want %q", tc, err, tc.want)
		}
	}
}
