package render

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/diff/difftest"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

// The tests of the masked copy every renderer starts from, moved here
// with it from package diff; the fixtures are difftest's.

var (
	mSnapshot = difftest.Snapshot
	mTarget   = difftest.Target
	mText     = difftest.Text
	mWebhook  = difftest.Webhook
	mDesired  = difftest.Desired
)

func mCompute(t *testing.T, d *spec.Desired, live *plain.Snapshot, o diff.Options) *diff.Plan {
	t.Helper()
	p, probs := diff.Compute(d, live, o)
	for _, pr := range probs {
		if pr.Severity == spec.SeverityError {
			t.Fatalf("unexpected problems: %v", probs)
		}
	}
	if p == nil {
		t.Fatal("nil plan without error problems")
	}
	return p
}

// maskedFixture is diff's savedFixture: a plan that exercises every string field, with a secret
// in the URL and a literal "${" in a description.
func maskedFixture(t *testing.T) *diff.Plan {
	t.Helper()
	w := mWebhook(5, "crm ${literal}", "https://crm.example/h?token=tok-SECRET-123", "thread.*")
	w.ID = mText("whTarget_00000000000000000000000001", 10, 9)
	w.WebhookVersion = mText("2024-09-18", 9, 21)
	d := mDesired(w, mWebhook(15, "new", "https://new.example/h?k=tok-SECRET-123", "customer.customer_created"))
	d.Secrets.Add("CRM_TOKEN", "tok-SECRET-123")
	live := mSnapshot(
		mTarget("whTarget_00000000000000000000000001", "crm", "https://crm.example/old", "thread.email_sent", "customer.customer_deleted"),
		mTarget("whTarget_00000000000000000000000002", "stray", "https://s.example/h"),
	)
	p := mCompute(t, d, live, diff.Options{Prune: true})
	if len(p.Warnings) == 0 {
		t.Fatal("fixture should carry a warning")
	}
	return p
}

func TestMasked(t *testing.T) {
	p := maskedFixture(t)
	m := masked(p)
	j, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(j, []byte("tok-SECRET-123")) || !bytes.Contains(j, []byte("${CRM_TOKEN}")) {
		t.Fatalf("masked plan: %s", j)
	}
	if !strings.Contains(p.Changes[0].After.URL, "tok-SECRET-123") {
		t.Fatal("Masked modified the original plan")
	}
	if m.Secrets != p.Secrets {
		t.Error("Masked dropped Secrets")
	}
	var nilPlan *diff.Plan
	if masked(nilPlan) != nil {
		t.Error("Masked(nil) != nil")
	}
}

// The masked copy keeps a live target's creation time (moved from diff's
// TestBeforeCarriesCreatedAtOutsideJSON).
func TestMaskedKeepsCreatedAt(t *testing.T) {
	created := time.Date(2026, 11, 20, 12, 29, 0, 0, time.UTC)
	managed := mTarget("whTarget_01HD4400VTDJQ646V6RY37SR7K", "ops", "https://ops.example/h", "thread.thread_created")
	managed.CreatedAt = created
	other := mTarget("whTarget_01HD4400VTDJQ646V6RY37SR7M", "other", "https://other.example/h", "thread.thread_created")
	other.CreatedAt = created
	p := mCompute(t, mDesired(mWebhook(5, "ops", "https://ops.example/h", "thread.thread_created")), mSnapshot(managed, other), diff.Options{})
	if len(p.Changes) != 2 {
		t.Fatalf("changes: %+v", p.Changes)
	}
	if m := masked(p); !m.Changes[0].Before.CreatedAt.Equal(created) {
		t.Errorf("Masked drops Before.CreatedAt")
	}
}

// A ${VAR} value in a live URL's path, kept as written, is masked (moved
// from diff's TestLiveURLKeepsThePathAsWrittenSoSecretsStayMaskable).
func TestMaskedLiveURLPathStaysMaskable(t *testing.T) {
	const tok = "tok|en^1234 é"
	d := mDesired(mWebhook(5, "crm", "https://crm.example.com/h/"+tok+"?sig=1", "thread.thread_created"))
	d.Secrets.Add("CRM_TOKEN", tok)
	p, problems := diff.Compute(d, mSnapshot(mTarget("whTarget_00000000000000000000000001", "crm", "https://crm.example.com/h/"+tok+"?sig=0", "thread.thread_created")), diff.Options{})
	if p == nil {
		t.Fatalf("problems: %v", problems)
	}
	m := masked(p)
	if got := m.Changes[0].Before.URL; got != "https://crm.example.com/h/${CRM_TOKEN}?sig=REDACTED" {
		t.Errorf("masked live URL = %q", got)
	}
}

// A live query value spelled otherwise than in the file is redacted, not
// printed encoded (moved from diff's
// TestLiveURLKeepsOnlyQueryValuesSpelledAsInTheFile).
func TestMaskedLiveQueryValueSpelledOtherwise(t *testing.T) {
	const tok = "a|b-secret"
	d := mDesired(mWebhook(5, "crm", "https://crm.example.com/new?token="+tok, "thread.thread_created"))
	d.Secrets.Add("CRM_TOKEN", tok)
	live := "https://crm.example.com/old?token=" + url.QueryEscape(tok)
	p, problems := diff.Compute(d, mSnapshot(mTarget("whTarget_00000000000000000000000001", "crm", live, "thread.thread_created")), diff.Options{})
	if p == nil {
		t.Fatalf("problems: %v", problems)
	}
	if got := masked(p).Changes[0].Before.URL; got != "https://crm.example.com/old?token=REDACTED" {
		t.Errorf("masked live URL = %q", got)
	}
}

// A rotated token shows neither the old nor the new value once masked
// (moved from diff's TestRotatedTokenIsASensitiveURLChange).
func TestMaskedRotatedToken(t *testing.T) {
	const oldTok, newTok = "OLDxxxxxxxxxxxxxxxxxxxx1", "NEWyyyyyyyyyyyyyyyyyyyy2"
	d := mDesired(mWebhook(5, "slack", "https://hooks.slack.com/services/T0/B0/"+newTok, "thread.thread_created"))
	d.Webhooks[0].URL.Secret = true
	d.Secrets.Add("SLACK_TOKEN", newTok)
	p, problems := diff.Compute(d, mSnapshot(mTarget("whTarget_00000000000000000000000001", "slack", "https://hooks.slack.com/services/T0/B0/"+oldTok, "thread.thread_created")), diff.Options{})
	if p == nil {
		t.Fatalf("problems: %v", problems)
	}
	m := masked(p).Changes[0]
	if got := m.Fields[0].After; got != "https://hooks.slack.com/services/T0/B0/(sensitive value changed)" {
		t.Errorf("masked after = %q", got)
	}
	if got := m.Fields[0].Before; got != "https://hooks.slack.com/services/T0/B0/REDACTED" {
		t.Errorf("masked before = %q", got)
	}
	if got := m.After.URL; got != "https://hooks.slack.com/services/T0/B0/${SLACK_TOKEN}" {
		t.Errorf("masked after state = %q", got)
	}
	data, _ := json.Marshal(m)
	for _, tok := range []string{oldTok, newTok} {
		if strings.Contains(string(data), tok) {
			t.Errorf("masked plan shows %s: %s", tok, data)
		}
	}

	// A literal token in the file is redacted like a live one.
	d = mDesired(mWebhook(5, "slack", "https://hooks.slack.com/services/T0/B0/"+newTok, "thread.thread_created"))
	p, _ = diff.Compute(d, mSnapshot(), diff.Options{})
	if got := masked(p).Changes[0].After.URL; got != "https://hooks.slack.com/services/T0/B0/REDACTED" {
		t.Errorf("literal token shown: %q", got)
	}
}
