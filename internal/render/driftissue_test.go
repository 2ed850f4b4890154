package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/health"
)

func TestDriftIssueMarkdown(t *testing.T) {
	hostile := "evil</code><img src=x onerror=alert(1)> ``` @octocat"
	p := &diff.Plan{FormatVersion: diff.FormatVersion, File: "prod.yaml", Prune: true, Changes: []diff.Change{
		{Action: diff.ActionCreate, Name: "crm-sync", After: &diff.TargetState{Description: "crm-sync", URL: "https://crm.example.com/h", Enabled: true}},
		{Action: diff.ActionDelete, Name: hostile, TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR7K",
			Before: &diff.TargetState{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7K", Description: hostile, URL: "https://evil.example.com/h", Enabled: true}},
	}}
	rate := 0.5
	healthy := false
	hr := &health.Report{Window: "24h0m0s", MinSuccessRate: 0.95, Unhealthy: 1, Targets: []health.TargetHealth{
		{TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR7M", Name: "ops ```\n# injected", Attempts: 4, SuccessRate: &rate, Healthy: &healthy}}}
	var b bytes.Buffer
	if err := DriftIssueMarkdown(&b, p, hr); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	del, create := strings.Index(out, "| ❌ | unmanaged |"), strings.Index(out, "| ➕ | missing |")
	if del < 0 || create < 0 || del > create {
		t.Errorf("deletes are not first:\n%s", out)
	}
	// Parsed as GitHub parses it: no link, image, HTML or mention from the
	// hostile names, and the health name cannot start a heading.
	checkGFM(t, "drift issue", out)
	if strings.Contains(out, "\n# injected") {
		t.Errorf("live text starts a heading:\n%s", out)
	}
	h := strings.Index(out, "#### Delivery health\n\n````text\n")
	if h < 0 || !strings.Contains(out[h:], "below the minimum success rate") {
		t.Errorf("no fenced health section:\n%s", out)
	}
	if len(out) > MaxMarkdown {
		t.Errorf("%d bytes", len(out))
	}
}
