package version

import (
	"runtime"
	"strings"
	"testing"
)

func TestStampedValuesWin(t *testing.T) {
	oldV, oldC := Version, Commit
	defer func() { Version, Commit = oldV, oldC }()
	Version, Commit = "v1.2.3", "abc123"
	got := Get()
	if got.Version != "v1.2.3" || got.Commit != "abc123" || got.GoVersion != runtime.Version() {
		t.Fatalf("Get() = %+v", got)
	}
	if ua := UserAgent(); ua != "plainsync/v1.2.3" {
		t.Fatalf("UserAgent() = %q", ua)
	}
}

func TestFallbacksAreNeverEmpty(t *testing.T) {
	oldV, oldC := Version, Commit
	defer func() { Version, Commit = oldV, oldC }()
	Version, Commit = "", ""
	got := Get()
	if got.Version == "" || got.Commit == "" || !strings.HasPrefix(got.GoVersion, "go") {
		t.Fatalf("Get() = %+v", got)
	}
}
