package diff

import (
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
)

func TestFingerprintStable(t *testing.T) {
	a := target("whTarget_00000000000000000000000001", "a", "https://a.example/h", "thread.email_sent", "thread.thread_created")
	b := target("whTarget_00000000000000000000000002", "b", "https://b.example/h", "customer.customer_created")
	b2 := b
	b2.EventTypes = []string{"customer.customer_created", "customer.customer_created"}
	a2 := a
	a2.EventTypes = []string{"thread.thread_created", "thread.email_sent"}
	f1 := Fingerprint(snapshot(a, b))
	if !strings.HasPrefix(f1, "sha256:") || len(f1) != len("sha256:")+64 {
		t.Fatalf("fingerprint %q", f1)
	}
	if f2 := Fingerprint(snapshot(b2, a2)); f2 != f1 {
		t.Errorf("target and event order or duplicates change the fingerprint")
	}
	// The catalog, permissions and timestamps do not matter.
	s := snapshot(a, b)
	s.EventTypes = nil
	s.Permissions = []string{plain.PermRead}
	s.Targets[0].UpdatedAt = s.Targets[0].UpdatedAt.AddDate(1, 0, 0)
	if Fingerprint(s) != f1 {
		t.Errorf("catalog, permissions or timestamps change the fingerprint")
	}
}

func TestFingerprintSensitive(t *testing.T) {
	base := func() *plain.Snapshot {
		return snapshot(
			target("whTarget_00000000000000000000000001", "a", "https://a.example/h", "thread.email_sent"),
			target("whTarget_00000000000000000000000002", "b", "https://b.example/h", "customer.customer_created"),
		)
	}
	f0 := Fingerprint(base())
	mutations := map[string]func(*plain.Snapshot){
		"workspace":   func(s *plain.Snapshot) { s.Workspace.ID = "w_2" },
		"id":          func(s *plain.Snapshot) { s.Targets[0].ID = "whTarget_00000000000000000000000009" },
		"url":         func(s *plain.Snapshot) { s.Targets[0].URL += "x" },
		"description": func(s *plain.Snapshot) { s.Targets[1].Description = "c" },
		"event added": func(s *plain.Snapshot) {
			s.Targets[0].EventTypes = append(s.Targets[0].EventTypes, "thread.thread_created")
		},
		"event removed": func(s *plain.Snapshot) { s.Targets[0].EventTypes = nil },
		"version":       func(s *plain.Snapshot) { s.Targets[0].Version = "2026-05-06" },
		"enabled":       func(s *plain.Snapshot) { s.Targets[1].Enabled = false },
		"target added": func(s *plain.Snapshot) {
			s.Targets = append(s.Targets, target("whTarget_00000000000000000000000003", "", ""))
		},
		"target removed": func(s *plain.Snapshot) { s.Targets = s.Targets[:1] },
		"field boundary": func(s *plain.Snapshot) {
			// "a" + "https://…" must differ from "ah" + "ttps://…".
			s.Targets[0].Description, s.Targets[0].URL = "ah", "ttps://a.example/h"
		},
	}
	for name, mutate := range mutations {
		s := base()
		mutate(s)
		if Fingerprint(s) == f0 {
			t.Errorf("%s does not change the fingerprint", name)
		}
	}
}
