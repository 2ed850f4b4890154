package diff

import (
	"testing"

	"github.com/plainsync/plainsync/internal/spec"
)

func TestProtected(t *testing.T) {
	const (
		billing = "whTarget_01HD4400VTDJQ646V6RY37SR7K"
		ledger  = "whTarget_01HD4400VTDJQ646V6RY37SR7M"
		crm     = "whTarget_01HD4400VTDJQ646V6RY37SR7N"
		audit   = "whTarget_01HD4400VTDJQ646V6RY37SR7P"
	)
	live := snapshot(
		target(billing, "billing-events", "https://billing.example.com/plain", "thread.thread_created"),
		target(ledger, "ledger", "https://ledger.example.com/in", "thread.thread_created"),
		target(crm, "crm-sync", "https://crm.example.com/plain", "thread.thread_created"),
		target(audit, "billing-audit", "https://audit.example.com/plain", "thread.thread_created"),
	)
	// billing-audit changes only its events: not guarded. crm-sync is
	// pruned but unprotected. billing-events is pruned; ledger (matched
	// by the URL rule) moves to a new URL.
	audited := webhook(1, "billing-audit", "https://audit.example.com/plain", "thread.*")
	audited.WebhookVersion = text("2025-08-06", 5, 21)
	moved := webhook(10, "ledger", "https://ledger2.example.com/in", "thread.thread_created")
	moved.WebhookVersion = text("2025-08-06", 15, 21)
	d := desired(audited, moved)
	d.Prune = true
	d.Protect = []spec.IgnoreRule{{Name: "billing-*", Pos: pos(20, 5)}, {URL: "https://ledger.example.com/*", Pos: pos(21, 5)}}
	p, probs := Compute(d, live, Options{})
	if p == nil {
		t.Fatal(probs)
	}
	got := map[string]bool{}
	for _, c := range p.Changes {
		got[c.Name] = c.Protected
	}
	want := map[string]bool{"billing-events": true, "ledger": true, "crm-sync": false, "billing-audit": false}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s protected = %v, want %v (plan %+v)", name, got[name], w, p.Changes)
		}
	}
	prot := p.Protected()
	if len(prot) != 2 || prot[0].ProtectedBy == nil || *prot[0].ProtectedBy != pos(21, 5) && *prot[0].ProtectedBy != pos(20, 5) {
		t.Errorf("Protected() = %+v", prot)
	}
}
