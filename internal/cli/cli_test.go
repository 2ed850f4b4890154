package cli

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

// testFactory returns a Factory on buffers with the given environment.
func testFactory(env map[string]string) (*Factory, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	f := &Factory{
		IO: &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
		LookupEnv: func(k string) (string, bool) {
			v, ok := env[k]
			return v, ok
		},
	}
	return f, &out, &errOut
}

func TestVersionCommand(t *testing.T) {
	f, out, _ := testFactory(nil)
	if code := Execute(f, []string{"version"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.HasPrefix(out.String(), "plainsync ") || !strings.Contains(out.String(), runtime.Version()) {
		t.Fatalf("version output %q", out.String())
	}

	first := out.String()
	for _, flag := range []string{"--version", "-v"} {
		f, out, _ = testFactory(nil)
		if code := Execute(f, []string{flag}); code != 0 {
			t.Fatalf("%s: exit %d", flag, code)
		}
		if out.String() != first {
			t.Fatalf("%s prints %q, plainsync version %q", flag, out.String(), first)
		}
	}

	f, out, _ = testFactory(nil)
	if code := Execute(f, []string{"version", "-o", "json"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	var info map[string]string
	if err := json.Unmarshal(out.Bytes(), &info); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "commit", "goVersion"} {
		if info[k] == "" {
			t.Fatalf("version json lacks %s: %v", k, info)
		}
	}
}

func TestUnknownCommandAndFormatExitOne(t *testing.T) {
	for _, args := range [][]string{{"no-such-command"}, {"version", "-o", "yaml"}} {
		f, _, errOut := testFactory(nil)
		if code := Execute(f, args); code != 1 {
			t.Fatalf("%v: exit %d", args, code)
		}
		if !strings.HasPrefix(errOut.String(), "Error: ") {
			t.Fatalf("%v: stderr %q", args, errOut.String())
		}
	}
}
