package diff

import (
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/spec"
)

// A live target whose description only looks like a managed name is not
// matched by it: the webhook is created, the lookalike stays unmanaged (or
// is pruned), is marked with the name it looks like, and the plan warns
// at the webhook, naming the characters that differ.
func TestLookalikeLiveTargetIsAWarningNotAMatch(t *testing.T) {
	const (
		cyr  = "whTarget_01HD4400VTDJQ646V6RY37SR7K"
		nbsp = "whTarget_01HD4400VTDJQ646V6RY37SR7M"
		nfd  = "whTarget_01HD4400VTDJQ646V6RY37SR7N"
	)
	live := snapshot(
		target(cyr, "\u0441rm-sync", "https://attacker.example.net/a", "thread.thread_created"),
		target(nbsp, "ops\u00a0hook", "https://attacker.example.net/b", "thread.thread_created"),
		target(nfd, "Cafe\u0301", "https://attacker.example.net/c", "thread.thread_created"),
	)
	d := desired(
		webhook(5, "crm-sync", "https://crm.example.com/h", "thread.thread_created"),
		webhook(10, "ops hook", "https://ops.example.com/h", "thread.thread_created"),
		webhook(15, "Caf\u00e9", "https://cafe.example.com/h", "thread.thread_created"),
	)
	for _, prune := range []bool{false, true} {
		p, probs := Compute(d, live, Options{Prune: prune})
		if p == nil {
			t.Fatalf("prune=%v: %v", prune, probs)
		}
		want := map[string]string{cyr: "crm-sync", nbsp: "ops hook", nfd: "Caf\u00e9"}
		creates := 0
		for _, ch := range p.Changes {
			switch {
			case ch.Action == ActionCreate:
				creates++
			case ch.TargetID != "":
				if ch.MatchedBy != "" {
					t.Errorf("prune=%v: %s matched by %s", prune, ch.TargetID, ch.MatchedBy)
				}
				wantAction := ActionUnmanaged
				if prune {
					wantAction = ActionDelete
				}
				if ch.Action != wantAction || ch.LookalikeOf != want[ch.TargetID] {
					t.Errorf("prune=%v: %s is %s lookalikeOf %q, want %s %q", prune, ch.TargetID, ch.Action, ch.LookalikeOf, wantAction, want[ch.TargetID])
				}
			}
		}
		if creates != 3 {
			t.Errorf("prune=%v: %d creates, want 3", prune, creates)
		}
		wantWarn := []struct {
			pos  spec.Pos
			text string
		}{
			{pos(5, 11), `live target ` + cyr + ` is described "сrm-sync", which looks like this webhook's name "crm-sync" but is different text (U+0441 (Cyrillic) where the other has U+0063 (Latin)): it is not matched by description`},
			{pos(10, 11), `is described "ops\u00a0hook", which looks like this webhook's name "ops hook" but is different text (U+00A0 (a space other than U+0020) where the other has U+0020 (space))`},
			{pos(15, 11), `(U+0065 (Latin) U+0301 (combining mark) where the other has U+00E9 (Latin))`},
		}
		for _, w := range wantWarn {
			found := false
			for _, got := range p.Warnings {
				found = found || (got.Pos == w.pos && got.Severity == spec.SeverityWarning && strings.Contains(got.Message, w.text))
			}
			if !found {
				t.Errorf("prune=%v: no warning at %s containing %q in %v", prune, w.pos, w.text, p.Warnings)
			}
		}
		if prune && !strings.Contains(p.Warnings[0].Message, "this plan deletes it (prune)") {
			t.Errorf("prune: warning %q does not say the lookalike is deleted", p.Warnings[0].Message)
		}
	}
}

// An exact description still matches; a different name is no lookalike.
func TestLookalikeOnlyForConfusableText(t *testing.T) {
	live := snapshot(
		target("whTarget_01HD4400VTDJQ646V6RY37SR7K", "crm-sync", "https://crm.example.com/h", "thread.thread_created"),
		target("whTarget_01HD4400VTDJQ646V6RY37SR7M", "crm-sync-old", "https://old.example.com/h", "thread.thread_created"),
	)
	p, probs := Compute(desired(webhook(5, "crm-sync", "https://crm.example.com/h", "thread.thread_created")), live, Options{})
	if p == nil {
		t.Fatal(probs)
	}
	for _, ch := range p.Changes {
		if ch.LookalikeOf != "" {
			t.Errorf("%s marked lookalikeOf %q", ch.TargetID, ch.LookalikeOf)
		}
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %v", p.Warnings)
	}
}

// A rename matched by URL that changes only lookalike characters is
// pointed out; so is a lookalike outside the file's scope, which the plan
// otherwise leaves out.
func TestLookalikeRenameAndOutOfScope(t *testing.T) {
	live := snapshot(
		target("whTarget_01HD4400VTDJQ646V6RY37SR7K", "support-\u0441rm", "https://crm.example.com/h", "thread.thread_created"),
		target("whTarget_01HD4400VTDJQ646V6RY37SR7M", "\u0455upport-ops", "https://other.example.com/h", "thread.thread_created"),
	)
	d := desired(
		webhook(5, "support-crm", "https://crm.example.com/h", "thread.thread_created"),
		webhook(10, "support-ops", "https://ops.example.com/h", "thread.thread_created"),
	)
	d.Scope = []spec.Text{text("support-*", 2, 9)}
	p, probs := Compute(d, live, Options{})
	if p == nil {
		t.Fatal(probs)
	}
	var msgs []string
	for _, w := range p.Warnings {
		msgs = append(msgs, w.String())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		`plainsync.yaml:5:5: warning: webhook "support-crm" renames live target whTarget_01HD4400VTDJQ646V6RY37SR7K from "support-сrm", which looks the same but is different text (U+0441 (Cyrillic) where the other has U+0063 (Latin))`,
		`plainsync.yaml:10:11: warning: live target whTarget_01HD4400VTDJQ646V6RY37SR7M, outside this file's scope, is described "ѕupport-ops", which looks like this webhook's name "support-ops"`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
}
