package view

import (
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
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
