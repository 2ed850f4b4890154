package gen

import (
	"bytes"
	"path/filepath"
	"sort"
	"testing"
)

// TestDocsAreCurrent regenerates the command reference and compares it with
// the committed docs/commands and docs/man: run `make docs` after changing
// a command, a flag or a help text.
func TestDocsAreCurrent(t *testing.T) {
	tmp := t.TempDir()
	md, man := filepath.Join(tmp, "md"), filepath.Join(tmp, "man")
	if err := Write(md, man); err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]string{{md, "../../../docs/commands"}, {man, "../../../docs/man"}} {
		want, err := Files(pair[0])
		if err != nil {
			t.Fatal(err)
		}
		got, err := Files(pair[1])
		if err != nil {
			t.Fatalf("%v (run make docs)", err)
		}
		var names []string
		for n := range want {
			names = append(names, n)
		}
		for n := range got {
			if _, ok := want[n]; !ok {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			if !bytes.Equal(want[n], got[n]) {
				t.Errorf("%s/%s is stale or extra: run make docs", pair[1], n)
			}
		}
	}
	if len(mustFiles(t, md)) < 9 {
		t.Errorf("expected a page per command, got %d", len(mustFiles(t, md)))
	}
}

func mustFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	m, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
