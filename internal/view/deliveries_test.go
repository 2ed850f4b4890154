package view

import (
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
)

func TestURLRedactor(t *testing.T) {
	masked := false
	redact := URLRedactor([]plain.Target{
		{URL: "https://user:p4ssw0rd@x.example.com/hooks/AbCdEfGh12345678ZZ?token=s%2Fecret&v=1"},
		{URL: "::not a url"},
	}, func(s string) string { masked = true; return s })
	got := redact("to https://user:p4ssw0rd@x.example.com/hooks/AbCdEfGh12345678ZZ?token=s%2Fecret and s/ecret, v=1")
	for _, s := range []string{"p4ssw0rd", "AbCdEfGh12345678ZZ", "s%2Fecret", "s/ecret"} {
		if strings.Contains(got, s) {
			t.Errorf("%q survives: %s", s, got)
		}
	}
	if !masked {
		t.Error("the caller's masker did not run")
	}
	if !strings.Contains(got, "v=1") {
		t.Errorf("short values should stay: %s", got)
	}
}

// The gate's Redactor hides the targets' URL secrets and the run's ${VAR}
// values, which the commands hand package health.
func TestGateRedactor(t *testing.T) {
	m := &secret.Masker{}
	m.Add("CRM_TOKEN", "run-secret-value")
	redact := Gate{Secrets: m}.Redactor([]plain.Target{{URL: "https://x.example.com/hook?token=url-secret-value"}})
	got := redact("failed: https://x.example.com/hook?token=url-secret-value, auth run-secret-value")
	for _, s := range []string{"url-secret-value", "run-secret-value"} {
		if strings.Contains(got, s) {
			t.Errorf("%q survives: %s", s, got)
		}
	}
}
