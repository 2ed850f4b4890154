package version

import "testing"

func TestLine(t *testing.T) {
	info := Info{Version: "v1.2.3", Commit: "abc123", GoVersion: "go1.26.0"}
	if got, want := info.Line(), "plainsync v1.2.3 (commit abc123, go1.26.0)"; got != want {
		t.Errorf("Line() = %q, want %q", got, want)
	}
}
