package planfile

import (
	"testing"

	"github.com/plainsync/plainsync/internal/diff"
)

func TestSameChanges(t *testing.T) {
	d := desired(webhook(5, "crm-sync", "https://crm.example.com/hook", "thread.thread_created"))
	a := mustCompute(t, d, snapshot(target("whTarget_01HD4400VTDJQ646V6RY37SR7K", "crm-sync", "https://old.example.com/hook", "thread.thread_created")), diff.Options{})
	// Another target appeared out of the way: the fingerprint moves, this
	// file's change does not.
	b := mustCompute(t, d, snapshot(
		target("whTarget_01HD4400VTDJQ646V6RY37SR7K", "crm-sync", "https://old.example.com/hook", "thread.thread_created"),
	), diff.Options{})
	b.Fingerprint = "sha256:other"
	if !SameChanges(a, b) {
		t.Error("plans with the same changes are not the same")
	}
	// The live target's URL moved again: the update is not the one shown.
	c := mustCompute(t, d, snapshot(target("whTarget_01HD4400VTDJQ646V6RY37SR7K", "crm-sync", "https://other.example.com/hook", "thread.thread_created")), diff.Options{})
	if SameChanges(a, c) {
		t.Error("a change with another before-state counts as the same")
	}
	if SameChanges(a, nil) || SameChanges(a, &diff.Plan{}) {
		t.Error("a missing or empty plan counts as the same")
	}
}
