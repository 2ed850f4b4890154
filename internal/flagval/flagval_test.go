package flagval

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestOptionalInt(t *testing.T) {
	var n int
	var given bool
	fs := (&cobra.Command{Use: "x"}).Flags()
	fs.Var(OptionalInt{N: &n, Given: &given}, "workers", "how many at once")
	if usage := fs.FlagUsages(); strings.Contains(usage, "default") || !strings.Contains(usage, "--workers int") {
		t.Errorf("usage %q", usage)
	}
	if err := fs.Parse(nil); err != nil || given || n != 0 {
		t.Fatalf("not given: %v %v %d", err, given, n)
	}
	if err := fs.Parse([]string{"--workers", "3"}); err != nil || !given || n != 3 || fs.Lookup("workers").Value.String() != "3" {
		t.Fatalf("given: %v %v %d", err, given, n)
	}
	err := fs.Parse([]string{"--workers", "x"})
	if err == nil || err.Error() != `invalid argument "x" for "--workers" flag: not a whole number` {
		t.Errorf("bad value: %v", err)
	}
}
