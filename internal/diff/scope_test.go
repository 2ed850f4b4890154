package diff

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

func scoped(d *spec.Desired, globs ...string) *spec.Desired {
	for _, g := range globs {
		d.Scope = append(d.Scope, text(g, 3, 9))
	}
	d.ScopePos = pos(3, 8)
	return d
}

// Outside its scope a file sees nothing: other teams' targets are neither
// unmanaged nor deleted by prune nor counted by the guards.
func TestComputeScope(t *testing.T) {
	const ev = "thread.thread_created"
	d := scoped(desired(webhook(5, "support-crm", "https://crm.example/h", ev)), "support-*")
	live := snapshot(
		target("whTarget_00000000000000000000000001", "support-crm", "https://crm.example/h", ev),
		target("whTarget_00000000000000000000000002", "support-old", "https://old.example/h", ev),
		target("whTarget_00000000000000000000000003", "billing-crm", "https://billing.example/h", ev),
		target("whTarget_00000000000000000000000004", "manual", "https://crm.example/h", ev),
	)
	p := mustCompute(t, d, live, Options{Prune: true})
	want := []brief{
		{ActionDelete, "support-old", "whTarget_00000000000000000000000002", "", false},
		{ActionNoop, "support-crm", "whTarget_00000000000000000000000001", MatchedByDescription, false},
	}
	if got := briefs(p); !reflect.DeepEqual(got, want) {
		t.Errorf("changes = %+v, want %+v", got, want)
	}
	if p.OutOfScope != 2 || p.LiveCount != 4 || p.Managed() != 2 || !reflect.DeepEqual(p.Scope, []string{"support-*"}) {
		t.Errorf("OutOfScope %d LiveCount %d Managed %d Scope %v; want 2, 4, 2, [support-*]", p.OutOfScope, p.LiveCount, p.Managed(), p.Scope)
	}

	// A rename is never adopted from outside the scope.
	d = scoped(desired(webhook(5, "support-new", "https://billing.example/h", ev)), "support-*")
	p = mustCompute(t, d, live, Options{})
	if got := briefs(p)[0]; got.Action != ActionCreate {
		t.Errorf("a webhook took an out-of-scope target by URL: %+v", got)
	}

	// An id pin to another file's target is an error at the pin.
	w := webhook(5, "support-crm", "https://crm.example/h", ev)
	w.ID = text("whTarget_00000000000000000000000003", 9, 9)
	_, probs := Compute(scoped(desired(w), "support-*"), live, Options{})
	if len(probs) != 1 || probs[0].Pos.Line != 9 || !strings.Contains(probs[0].Message, `is named "billing-crm", outside this file's scope (support-*)`) {
		t.Errorf("problems = %v", probs)
	}
}

func TestComputeWorkspaceLimit(t *testing.T) {
	const ev = "thread.thread_created"
	var targets []plain.Target
	for i := range 24 {
		targets = append(targets, target(fmt.Sprintf("whTarget_%026d", i), fmt.Sprintf("t%02d", i), fmt.Sprintf("https://x.example/%d", i), ev))
	}
	targets = append(targets, target("whTarget_01HD4400VTDJQ646V6RY37SR14", "other-team", "https://o.example/", ev))
	var ws []spec.Webhook
	for i := range 22 {
		ws = append(ws, webhook(5+i*5, fmt.Sprintf("t%02d", i), fmt.Sprintf("https://x.example/%d", i), ev))
	}
	ws = append(ws, webhook(200, "new-1", "https://n.example/1", ev), webhook(205, "new-2", "https://n.example/2", ev))
	d := desired(ws...)
	d.WebhooksPos = pos(4, 1)

	// 25 live + 2 creates = 27: 2 over; t22, t23 and other-team are unmanaged.
	_, probs := Compute(d, snapshot(targets...), Options{})
	if len(probs) != 1 || probs[0].Pos != pos(4, 1) {
		t.Fatalf("problems = %v", probs)
	}
	msg := probs[0].Message
	for _, want := range []string{"would hold 27 webhook targets, 2 over Plain's limit of 25", `"t22" (whTarget_00000000000000000000000022)`, `"other-team" (whTarget_01HD4400VTDJQ646V6RY37SR14)`, "--prune"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	// With prune the three unmanaged go: 25 + 2 − 3 = 24 fits.
	mustCompute(t, d, snapshot(targets...), Options{Prune: true})

	// Out-of-scope targets count too: a scoped file cannot push the
	// workspace over by ignoring other teams' targets.
	sd := scoped(desired(webhook(5, "s-1", "https://s.example/1", ev)), "s-*")
	if _, probs := Compute(sd, snapshot(targets...), Options{Prune: true}); len(probs) != 1 || !strings.Contains(probs[0].Message, "would hold 26") {
		t.Errorf("scoped: problems = %v", probs)
	}
}

func TestComputeAmbiguousRenameNote(t *testing.T) {
	const ev = "thread.thread_created"
	d := desired(webhook(5, "crm", "https://crm.example/h", ev))
	p := mustCompute(t, d, snapshot(
		target("whTarget_0000000000000000000000000B", "crm (old)", "https://crm.example/h", ev),
		target("whTarget_0000000000000000000000000A", "crm copy", "https://crm.example/h", ev),
	), Options{})
	if briefs(p)[0].Action != ActionCreate || len(p.Warnings) != 1 {
		t.Fatalf("changes %+v warnings %v", briefs(p), p.Warnings)
	}
	w := p.Warnings[0]
	if w.Pos != pos(6, 10) || !strings.Contains(w.Message, "2 unmanaged live targets (whTarget_0000000000000000000000000A, whTarget_0000000000000000000000000B) have its URL") || !strings.Contains(w.Message, "pin one with id:") {
		t.Errorf("warning = %v", w)
	}
}

func TestComputeNotesStaleSnapshot(t *testing.T) {
	const ev = "thread.thread_created"
	live := snapshot()
	p := mustCompute(t, desired(webhook(5, "a", "https://a.example/h", ev)), live, Options{})
	if len(p.Warnings) != 0 {
		t.Errorf("a catalog the snapshot covers gave warnings: %v", p.Warnings)
	}
	live.EventTypes = append(live.EventTypes, plain.EventType{EventType: "thread.brand_new"})
	p = mustCompute(t, desired(webhook(5, "a", "https://a.example/h", "thread.brand_new")), live, Options{})
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0].Message, "1 event types that plainsync's offline snapshot") || !strings.Contains(p.Warnings[0].Message, "thread.brand_new") {
		t.Errorf("warnings = %v", p.Warnings)
	}
}

func TestCheckSharedLive(t *testing.T) {
	const ev = "thread.thread_created"
	a := scoped(desired(webhook(5, "support-crm", "https://a/", ev)), "support-*")
	a.File = "a.yaml"
	b := scoped(desired(webhook(5, "billing-crm", "https://b/", ev)), "*-crm")
	b.File = "b.yaml"
	live := snapshot(target("whTarget_00000000000000000000000001", "billing-crm", "https://b/", ev))
	probs := CheckShared([]*spec.Desired{a, b}, []*plain.Snapshot{live, live})
	// support-crm is declared in a and matched by b's *-crm: the offline rule.
	if len(probs) != 1 || !strings.Contains(probs[0].Message, `"support-crm" is also in the scope of b.yaml`) {
		t.Fatalf("problems = %v", probs)
	}
	b.Scope = []spec.Text{text("billing-*", 3, 9)}
	live.Targets = append(live.Targets, target("whTarget_00000000000000000000000002", "support-billing-x", "https://c/", ev))
	a.Scope = []spec.Text{text("support-*", 3, 9)}
	live.Targets[1].Description = "billing-support-x"
	a.Scope = append(a.Scope, text("*-support-*", 3, 20))
	probs = CheckShared([]*spec.Desired{a, b}, []*plain.Snapshot{live, live})
	if len(probs) != 1 || !strings.Contains(probs[0].Message, `live target whTarget_00000000000000000000000002 ("billing-support-x") is in the scope of both a.yaml`) {
		t.Fatalf("problems = %v", probs)
	}
	// Other workspaces are never compared.
	other := snapshot()
	other.Workspace.ID = "w_2"
	if probs := CheckShared([]*spec.Desired{a, b}, []*plain.Snapshot{live, other}); len(probs) != 0 {
		t.Errorf("different workspaces: %v", probs)
	}
}

func TestCheckSharedLimit(t *testing.T) {
	mk := func(file string, live, creates int) *Plan {
		p := &Plan{File: file, Workspace: plain.Workspace{ID: "w_1"}, LiveCount: live}
		for range creates {
			p.Changes = append(p.Changes, Change{Action: ActionCreate})
		}
		return p
	}
	if probs := CheckSharedLimit([]*Plan{mk("a.yaml", 20, 3), mk("b.yaml", 20, 2)}); len(probs) != 0 {
		t.Errorf("25 fits: %v", probs)
	}
	probs := CheckSharedLimit([]*Plan{mk("a.yaml", 20, 3), mk("b.yaml", 20, 3)})
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "would leave 26 webhook targets in workspace w_1, 1 over") {
		t.Errorf("problems = %v", probs)
	}
}
