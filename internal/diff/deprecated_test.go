package diff

import (
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

// A live target that stays on a deprecated version warns; one the plan
// moves off, or one whose file pins it (warned at that line), does not.
func TestWarnsAboutLiveTargetsOnDeprecatedVersions(t *testing.T) {
	mk := func(id, desc string) plain.Target {
		tg := target(id, desc, "https://"+desc+".example.com/", "thread.thread_created")
		tg.Version = "2024-09-18"
		return tg
	}
	live := snapshot(
		mk("whTarget_01HD4400VTDJQ646V6RY37SR7A", "kept"),
		mk("whTarget_01HD4400VTDJQ646V6RY37SR7B", "moved"),
		mk("whTarget_01HD4400VTDJQ646V6RY37SR7C", "pinned"),
		mk("whTarget_01HD4400VTDJQ646V6RY37SR7D", "stray"),
	)
	kept := webhook(3, "kept", "https://kept.example.com/", "thread.thread_created")
	moved := webhook(8, "moved", "https://moved.example.com/", "thread.thread_created")
	moved.WebhookVersion = text("2026-05-06", 12, 20)
	pinned := webhook(13, "pinned", "https://pinned.example.com/", "thread.thread_created")
	pinned.WebhookVersion = text("2024-09-18", 17, 20)
	p, problems := Compute(desired(kept, moved, pinned), live, Options{})
	if p == nil {
		t.Fatalf("problems %v", problems)
	}
	var got []string
	spec.SortProblems(p.Warnings)
	for _, w := range p.Warnings {
		if w.Severity == spec.SeverityWarning && strings.Contains(w.Message, "deprecated") {
			got = append(got, w.String())
		}
	}
	want := []string{
		`plainsync.yaml: warning: live target "stray" (whTarget_01HD4400VTDJQ646V6RY37SR7D) is pinned to webhook version "2024-09-18", which Plain marks deprecated; manage it in the file with a current version, or move it in Plain (the latest is "2026-05-06")`,
		`plainsync.yaml:3:5: warning: live target "kept" (whTarget_01HD4400VTDJQ646V6RY37SR7A) is pinned to webhook version "2024-09-18", which Plain marks deprecated; pin it to a current version in the file (the latest is "2026-05-06")`,
		`plainsync.yaml:17:20: warning: webhook version "2024-09-18" is deprecated; the latest is "2026-05-06"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
