package cli

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/version"
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

// A version string a packager set (-ldflags) is text in both forms: no
// terminal escape, and no template action for --version's template.
func TestVersionIsTextInBothForms(t *testing.T) {
	saved := version.Version
	t.Cleanup(func() { version.Version = saved })
	version.Version = "v1{{.Name}}\x1b[2J"
	var outs []string
	for _, args := range [][]string{{"version"}, {"--version"}} {
		f, out, errOut := testFactory(nil)
		if code := Execute(f, args); code != 0 {
			t.Fatalf("%v: exit %d, %s", args, code, errOut)
		}
		if s := out.String(); strings.Contains(s, "\x1b") || !strings.Contains(s, "v1{{.Name}}") {
			t.Errorf("%v printed %q", args, s)
		}
		outs = append(outs, out.String())
	}
	if outs[0] != outs[1] {
		t.Errorf("--version %q differs from version %q", outs[1], outs[0])
	}
}
