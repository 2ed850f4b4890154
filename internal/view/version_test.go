package view

import (
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/version"
)

func TestVersion(t *testing.T) {
	info := version.Info{Version: "v1.2.3", Commit: "abc123", GoVersion: "go1.26.0"}
	for _, tc := range []struct{ output, want string }{
		{"text", "plainsync v1.2.3 (commit abc123, go1.26.0)\n"},
		{"", "plainsync v1.2.3 (commit abc123, go1.26.0)\n"},
		{"json", "{\n  \"version\": \"v1.2.3\",\n  \"commit\": \"abc123\",\n  \"goVersion\": \"go1.26.0\"\n}\n"},
	} {
		var b strings.Builder
		if err := (Gate{}).Version(&b, info, tc.output); err != nil || b.String() != tc.want {
			t.Errorf("%q: %q %v, want %q", tc.output, b.String(), err, tc.want)
		}
	}
	var b strings.Builder
	if err := (Gate{}).Version(&b, info, "yaml"); err == nil || err.Error() != `unknown output format "yaml" (want text or json)` || b.Len() != 0 {
		t.Errorf("yaml: %v, wrote %q", err, b.String())
	}
	// A version string a packager set is text: no escape reaches the
	// terminal, no line starts a workflow command.
	hostile := version.Info{Version: "v1\x1b[2J", Commit: "::warning::x", GoVersion: "go1.26.0"}
	for _, output := range []string{"text", "json"} {
		var b strings.Builder
		if err := (Gate{}).Version(&b, hostile, output); err != nil || strings.Contains(b.String(), "\x1b") || strings.Contains(b.String(), "\n::") || strings.HasPrefix(b.String(), "::") {
			t.Errorf("%s: %q %v", output, b.String(), err)
		}
	}
}
