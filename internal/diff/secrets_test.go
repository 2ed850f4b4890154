package diff

import (
	"testing"

	"github.com/plainsync/plainsync/internal/secret"
)

func TestWithSecrets(t *testing.T) {
	own := &secret.Masker{}
	own.Add("CRM_TOKEN", "tok-123-secret")
	run := &secret.Masker{}
	run.Add("PLAIN_API_KEY", "plainApiKey_SECRET123")
	p := &Plan{File: "a.yaml", Secrets: own}
	q := p.WithSecrets(run)
	if q == p || q.File != "a.yaml" || p.Secrets != own {
		t.Fatalf("p changed or not copied: %+v", q)
	}
	if got := q.Secrets.Mask("tok-123-secret plainApiKey_SECRET123"); got != "${CRM_TOKEN} ${PLAIN_API_KEY}" {
		t.Errorf("masked %q", got)
	}
	if got := p.Secrets.Mask("plainApiKey_SECRET123"); got != "plainApiKey_SECRET123" {
		t.Errorf("p's masker learnt the run's secrets: %q", got)
	}
}
