package spec

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/bad/*.want from the current output (review the diff!)")

// testEnv is the environment every loader test sees. Its values are
// distinctive so that tests can prove they never leak.
var testEnv = map[string]string{
	"CRM_WEBHOOK_TOKEN": "s3cr3t-crm-token-value",
	"OPS_HOST":          "ops.example.com",
	"EMPTY_TOKEN":       "",
	"TEAM":              "support",
	"REGION":            "eu",
}

func lookupTestEnv(k string) (string, bool) {
	v, ok := testEnv[k]
	return v, ok
}

func render(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// TestBadFiles loads every testdata/bad/*.yaml and compares the problems
// with the golden x.want next to it, line for line.
func TestBadFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("only %d bad cases; want at least 30", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			d, ps := Load(f, lookupTestEnv)
			got := render(ps)
			want := strings.TrimSuffix(f, ".yaml") + ".want"
			if *update {
				if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			wantText, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("missing golden file: %v (run go test -run TestBadFiles -update)", err)
			}
			if got != string(wantText) {
				t.Errorf("problems differ\n--- got\n%s--- want\n%s", got, wantText)
			}
			if got == "" {
				t.Error("a bad file produced no problems")
			}
			if HasErrors(ps) != (d == nil) {
				t.Errorf("HasErrors=%v but desired nil=%v", HasErrors(ps), d == nil)
			}
			for _, p := range ps {
				if p.Pos.File != f || p.Pos.Line < 1 || p.Pos.Col < 1 {
					t.Errorf("problem without a position in the file: %#v", p)
				}
			}
		})
	}
}

func TestGoodFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "good", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join("..", "..", "examples", "webhooks.yaml"))
	if len(files) < 4 {
		t.Fatalf("only %d good cases", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			d, ps := Load(f, lookupTestEnv)
			if HasErrors(ps) || d == nil {
				t.Fatalf("good file has errors:\n%s", render(ps))
			}
			if d.Version != 1 || d.File != f {
				t.Errorf("version %d file %q", d.Version, d.File)
			}
		})
	}
}
