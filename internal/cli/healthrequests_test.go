package cli

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// Delivery health costs a constant number of requests: drift
// --health-window over 20 targets reads the workspace once and every
// target's attempts in one more request (plus one for the one target
// whose window spans a second page), and deliveries lists the targets and
// then their attempts the same way.
func TestHealthOverTwentyTargetsInAtMostThreeRequests(t *testing.T) {
	var y strings.Builder
	y.WriteString("version: 1\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n")
	for i := range 20 {
		fmt.Fprintf(&y, "  - name: hook-%02d\n    url: https://h%d.example.com/hook\n    events: [thread.thread_created]\n", i, i)
	}
	e := newRemoteEnv(t, y.String())
	if code, _, errOut := e.run("", false, "apply", "--auto-approve"); code != 0 {
		t.Fatalf("apply: %s", errOut)
	}
	var as []plain.DeliveryAttempt
	for _, tg := range e.mock.Targets() {
		n := 2
		if tg.Description == "hook-00" {
			n = 150 // a busy target: its 24h window spans two pages
		}
		for j := range n {
			r := plain.ResultSuccessfulResponse
			if j == 0 && tg.Description == "hook-01" {
				r = plain.ResultFailedResponse
			}
			as = append(as, plain.DeliveryAttempt{WebhookTargetID: tg.ID, EventType: "thread.thread_created",
				AttemptedAt: testNow.Add(-time.Duration(j+1) * time.Minute), Result: r, HTTPStatusCode: 200})
		}
	}
	e.mock.AddDeliveryAttempts(as...)

	before := e.mock.RequestCount()
	r := runDrift(t, e, "--health-window", "24h", "--min-success-rate", "0.4")
	wantExit(t, r, 0)
	if n := e.mock.RequestCount() - before; n > 3 {
		t.Errorf("drift --health-window over 20 targets made %d requests, want at most 3", n)
	}
	for _, want := range []string{"ok  hook-00  150       100.0%", "ok  hook-01  2         50.0%", "ok  hook-19  2         100.0%"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("drift output lacks %q:\n%s", want, r.out)
		}
	}

	before = e.mock.RequestCount()
	r = runRead(t, e, nil, nil, "deliveries", "--since", "24h", "--limit", "5")
	wantExit(t, r, 0)
	if n := e.mock.RequestCount() - before; n > 3 {
		t.Errorf("deliveries over 20 targets made %d requests, want at most 3", n)
	}
	if !strings.Contains(r.out, "hook-19") {
		t.Errorf("deliveries output lacks hook-19:\n%s", r.out)
	}
}
