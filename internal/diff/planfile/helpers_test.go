package planfile

import (
	"testing"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/diff/difftest"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

// The shared fixtures (see difftest), under the short names the tests use.
var (
	snapshot = difftest.Snapshot
	target   = difftest.Target
	pos      = difftest.Pos
	text     = difftest.Text
	webhook  = difftest.Webhook
	desired  = difftest.Desired
	envOf    = difftest.EnvOf
)

func mustCompute(t *testing.T, d *spec.Desired, live *plain.Snapshot, o diff.Options) *diff.Plan {
	t.Helper()
	p, probs := diff.Compute(d, live, o)
	if spec.HasErrors(probs) || p == nil {
		t.Fatalf("unexpected problems: %v", probs)
	}
	return p
}

// savedFixture is a plan that exercises every string field, with a secret
// in the URL and a literal "${" in a description.
func savedFixture(t *testing.T) *diff.Plan {
	t.Helper()
	w := webhook(5, "crm ${literal}", "https://crm.example/h?token=tok-SECRET-123", "thread.*")
	w.ID = text("whTarget_00000000000000000000000001", 10, 9)
	w.WebhookVersion = text("2024-09-18", 9, 21)
	d := desired(w, webhook(15, "new", "https://new.example/h?k=tok-SECRET-123", "customer.customer_created"))
	d.Secrets.Add("CRM_TOKEN", "tok-SECRET-123")
	live := snapshot(
		target("whTarget_00000000000000000000000001", "crm", "https://crm.example/old", "thread.email_sent", "customer.customer_deleted"),
		target("whTarget_00000000000000000000000002", "stray", "https://s.example/h"),
	)
	p := mustCompute(t, d, live, diff.Options{Prune: true})
	if len(p.Warnings) == 0 {
		t.Fatal("fixture should carry a warning")
	}
	return p
}
