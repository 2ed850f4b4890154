package render

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/spec"
)

func TestDriftMarkdownGolden(t *testing.T) {
	for file, p := range map[string]func() *diff.Plan{"drift.md": fixture, "insync.md": inSyncFixture} {
		t.Run(file, func(t *testing.T) {
			got := render(t, DriftMarkdown, p())
			path := filepath.Join("testdata", file+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run go test -update after checking):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
			}
		})
	}
}

func TestDriftMarkdownContent(t *testing.T) {
	out := render(t, DriftMarkdown, fixture())
	for _, want := range []string{
		"### plainsync drift for `plainsync.yaml` → `Acme` (`w_01`)",
		"**Drift: 1 drifted, 1 missing, 1 unmanaged.**",
		"| 🔄 | drifted | `ingest` | `whTarget_00000000000000000000000002` | description, url, events, version, enabled |",
		"| ➕ | missing | `crm-sync` |  | in the file, not in Plain |",
		"| ❌ | unmanaged | `old-hook` | `whTarget_00000000000000000000000003` | not in the file; prune would delete it |",
		"- version: 2025-08-06\n+ version: 2026-05-06",
		"> `plainsync.yaml:4:19: warning: webhook version",
		"${CRM_TOKEN}",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("drift Markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, secretValue) || strings.Contains(out, "manual-debug") || strings.Contains(out, "steady") {
		t.Errorf("drift Markdown shows a secret, an ignored or an unchanged target:\n%s", out)
	}

	in := render(t, DriftMarkdown, inSyncFixture())
	if !strings.Contains(in, "**In sync.** Live targets match the file (1 managed target).") || strings.Contains(in, "| --- |") {
		t.Errorf("in-sync drift Markdown:\n%s", in)
	}
	// An unmanaged target without prune is listed but is not drift.
	p := inSyncFixture()
	p.Changes[1].Ignored = false
	out = render(t, DriftMarkdown, p)
	if !strings.Contains(out, "**In sync.**") || !strings.Contains(out, "not in the file; kept, since prune is off") {
		t.Errorf("unmanaged without prune:\n%s", out)
	}
}

func TestDriftMarkdownTruncation(t *testing.T) {
	p := fixture()
	base := p.Changes[1]
	for i := 0; i < 400; i++ {
		ch := base
		ch.Name = strings.Repeat("n", 60) + string(rune('a'+i%26)) + strings.Repeat("x", i)
		ch.TargetID = fmt.Sprintf("whTarget_%026d", 100+i)
		p.Changes = append(p.Changes, ch)
	}
	out := render(t, DriftMarkdown, p)
	if len(out) > MaxMarkdown {
		t.Fatalf("%d bytes, over the limit", len(out))
	}
	if !strings.Contains(out, "Truncated to fit") {
		t.Fatal("no truncation note")
	}
	if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
		t.Fatal("unbalanced <details> after truncation")
	}
	p.Warnings = nil
	for i := 0; i < 3000; i++ {
		p.Warnings = append(p.Warnings, spec.Problem{Pos: spec.Pos{File: "f", Line: i + 1, Col: 1}, Severity: spec.SeverityWarning, Message: strings.Repeat("w", 40)})
	}
	if out := render(t, DriftMarkdown, p); len(out) > MaxMarkdown {
		t.Fatalf("warnings flood: %d bytes", len(out))
	}
}

func TestDriftMarkdownErrors(t *testing.T) {
	if err := DriftMarkdown(failWriter{}, fixture()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("err = %v", err)
	}
	if err := DriftMarkdown(failWriter{}, nil); err == nil {
		t.Error("nil plan: no error")
	}
}
