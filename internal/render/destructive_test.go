package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
)

// bigDestructivePlan is 25 creates subscribed to a large catalog ("*")
// and 5 deletes, the shape that used to lose its deletes to the cut.
func bigDestructivePlan() *diff.Plan {
	var catalog []string
	for i := 0; i < 120; i++ {
		catalog = append(catalog, fmt.Sprintf("namespace%02d.something_happened_%03d", i%12, i))
	}
	p := &diff.Plan{FormatVersion: diff.FormatVersion, File: "plainsync.yaml", Workspace: plain.Workspace{ID: "w_01"}, Prune: true, LiveCount: 5}
	for i := 0; i < 25; i++ {
		p.Changes = append(p.Changes, diff.Change{Action: diff.ActionCreate, Name: fmt.Sprintf("new-%02d", i), EventPatterns: []string{"*"},
			After: &diff.TargetState{Description: fmt.Sprintf("new-%02d", i), URL: "https://new.example.com/h", EventTypes: catalog, Version: "2026-05-06", Enabled: true}})
	}
	for i := 0; i < 5; i++ {
		p.Changes = append(p.Changes, diff.Change{Action: diff.ActionDelete, Name: fmt.Sprintf("old-%d", i), TargetID: fmt.Sprintf("whTarget_01D%023d", i),
			Before: &diff.TargetState{ID: fmt.Sprintf("whTarget_01D%023d", i), Description: fmt.Sprintf("old-%d", i), URL: fmt.Sprintf("https://old%d.example.com/h", i),
				EventTypes: catalog[:40], Version: "2025-08-06", Enabled: true}})
	}
	return p
}

func TestMarkdownShowsEveryDeleteFirstAndInFull(t *testing.T) {
	p := bigDestructivePlan()
	out := render(t, Markdown, p)
	if len(out) > MaxMarkdown {
		t.Fatalf("%d bytes, over GitHub's limit", len(out))
	}
	banner := strings.Index(out, "> [!CAUTION]\n> **This plan deletes 5 webhook targets:** `old-0`, `old-1`, `old-2`, `old-3`, `old-4`.")
	table := strings.Index(out, "| --- |")
	if banner < 0 || table < 0 || banner > table {
		t.Fatalf("no delete banner above the table:\n%s", out[:min(len(out), 2000)])
	}
	// The table starts with the five deletes, then the creates.
	rows := strings.Split(out[table:], "\n")[1:]
	for i := 0; i < 5; i++ {
		if !strings.HasPrefix(rows[i], fmt.Sprintf("| ❌ | delete | `old-%d` |", i)) {
			t.Fatalf("table row %d is %q, want delete old-%d", i, rows[i], i)
		}
	}
	if !strings.HasPrefix(rows[5], "| ➕ | create |") {
		t.Fatalf("row 6 %q", rows[5])
	}
	// Every delete keeps its full details, with every event type, before
	// any create's details.
	firstCreate := strings.Index(out, "<details><summary>➕ create")
	for i := 0; i < 5; i++ {
		d := strings.Index(out, fmt.Sprintf("<details><summary>❌ delete <code>old-%d</code></summary>", i))
		if d < 0 || (firstCreate >= 0 && d > firstCreate) {
			t.Fatalf("delete old-%d has no details before the creates'", i)
		}
		end := strings.Index(out[d:], "</details>")
		block := out[d : d+end]
		wantContains(t, block, fmt.Sprintf("- url: https://old%d.example.com/h", i), "namespace03.something_happened_039", "- version: 2025-08-06")
	}
	wantContains(t, out, "> [!NOTE]\n> Truncated to fit GitHub's 65536-character limit: 30 of 30 changes listed in the table,", "(every delete in full)")

	// Unlimited (the plan-markdown file): every create's details too.
	var full strings.Builder
	if err := MarkdownLimit(&full, p, 0); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(full.String(), "<details><summary>"); n != 30 {
		t.Fatalf("the full Markdown has %d details blocks, want 30", n)
	}
	if strings.Contains(full.String(), "Truncated") || len(full.String()) <= MaxMarkdown {
		t.Fatalf("the full Markdown is truncated (%d bytes)", len(full.String()))
	}

	// The step summary's 1 MiB holds this plan whole.
	var summary strings.Builder
	if err := MarkdownLimit(&summary, p, MaxStepSummary); err != nil {
		t.Fatal(err)
	}
	if summary.String() != full.String() {
		t.Fatalf("within the step summary's %d bytes the plan (%d bytes) is cut", MaxStepSummary, len(full.String()))
	}

	// Text lists the deletes first too, under a warning.
	text := render(t, textR(false), p)
	warn := strings.Index(text, "WARNING: this plan deletes 5 webhook targets: \"old-0\", \"old-1\", \"old-2\", \"old-3\", \"old-4\".")
	del := strings.Index(text, "- delete \"old-0\"")
	create := strings.Index(text, "+ create \"new-00\"")
	if warn < 0 || del < warn || create < del {
		t.Fatalf("text order: warning %d, first delete %d, first create %d", warn, del, create)
	}
}

func TestNoBannerWithoutDeletes(t *testing.T) {
	p := bigDestructivePlan()
	p.Changes = p.Changes[:3]
	if out := render(t, Markdown, p); strings.Contains(out, "[!CAUTION]") || strings.Contains(out, "deletes") {
		t.Fatalf("a plan without deletes has a delete banner:\n%s", out)
	}
	if out := render(t, textR(false), p); strings.Contains(out, "WARNING: this plan deletes") {
		t.Fatalf("text:\n%s", out)
	}
}

func wantContains(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Fatalf("lacks %q:\n%s", sub, s[:min(len(s), 3000)])
		}
	}
}
