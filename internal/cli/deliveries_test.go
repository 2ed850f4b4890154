package cli

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/plain"
)

// seedDeliveries gives crm-sync (whose URL carries testToken) and ops a
// known history relative to testNow.
func seedDeliveries(t *testing.T, e *remoteEnv) (crm, ops plain.Target) {
	t.Helper()
	crm = e.mock.PutTarget(plain.Target{Description: "crm-sync", URL: "https://crm.example.com/hook?token=" + testToken,
		EventTypes: []string{"thread.thread_created", "customer.customer_created"}, Enabled: true})
	ops = e.mock.PutTarget(plain.Target{Description: "ops", URL: "https://ops.example.com/hook",
		EventTypes: []string{"thread.note_created"}, Enabled: true})
	at := func(d time.Duration) time.Time { return testNow.Add(-d) }
	e.mock.AddDeliveryAttempts(
		plain.DeliveryAttempt{ID: "whAttempt_00000000000000000000000001", WebhookTargetID: crm.ID, EventType: "thread.thread_created", AttemptedAt: at(1 * time.Hour), Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 200, DurationInMilliseconds: 120},
		plain.DeliveryAttempt{ID: "whAttempt_00000000000000000000000002", WebhookTargetID: crm.ID, EventType: "customer.customer_created", AttemptedAt: at(2 * time.Hour), Result: plain.ResultFailedResponse, HTTPStatusCode: 502, DurationInMilliseconds: 900},
		plain.DeliveryAttempt{ID: "whAttempt_00000000000000000000000003", WebhookTargetID: crm.ID, EventType: "thread.thread_created", AttemptedAt: at(3 * time.Hour), Result: plain.ResultError, ErrorCode: "ECONNREFUSED",
			Message: "Could not connect to https://crm.example.com/hook?token=" + testToken + ".", DurationInMilliseconds: 5},
		plain.DeliveryAttempt{ID: "whAttempt_00000000000000000000000004", WebhookTargetID: crm.ID, EventType: "thread.thread_created", AttemptedAt: at(30 * time.Hour), Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 204, DurationInMilliseconds: 80},
		plain.DeliveryAttempt{ID: "whAttempt_00000000000000000000000005", WebhookTargetID: ops.ID, EventType: "thread.note_created", AttemptedAt: at(90 * time.Minute), Result: plain.ResultRejected, Message: "The webhook target URL resolves to a private IP address."},
	)
	return crm, ops
}

type deliveriesDoc struct {
	FormatVersion int        `json:"formatVersion"`
	Since         *time.Time `json:"since"`
	Matched       int        `json:"matched"`
	Attempts      []struct {
		ID             string    `json:"id"`
		Target         string    `json:"target"`
		TargetID       string    `json:"webhookTargetId"`
		EventType      string    `json:"eventType"`
		AttemptedAt    time.Time `json:"attemptedAt"`
		Result         string    `json:"result"`
		HTTPStatusCode int       `json:"httpStatusCode"`
		Message        string    `json:"message"`
	} `json:"attempts"`
	Health []struct {
		Name        string   `json:"name"`
		Attempts    int      `json:"attempts"`
		Successful  int      `json:"successful"`
		SuccessRate *float64 `json:"successRate"`
		LastFailure *struct {
			ID     string `json:"id"`
			Result string `json:"result"`
		} `json:"lastFailure"`
	} `json:"health"`
}

func deliveriesJSONRun(t *testing.T, e *remoteEnv, args ...string) deliveriesDoc {
	t.Helper()
	r := runRead(t, e, nil, nil, append([]string{"deliveries", "-o", "json"}, args...)...)
	wantExit(t, r, 0)
	var d deliveriesDoc
	if err := json.Unmarshal([]byte(r.out), &d); err != nil {
		t.Fatalf("%v\n%s", err, r.out)
	}
	if d.FormatVersion != 1 {
		t.Fatalf("formatVersion %d", d.FormatVersion)
	}
	return d
}

func ids(d deliveriesDoc) string {
	var out []string
	for _, a := range d.Attempts {
		out = append(out, a.ID)
	}
	return strings.Join(out, ",")
}

func TestDeliveriesAllTargetsNewestFirstWithHealth(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	seedDeliveries(t, e)
	d := deliveriesJSONRun(t, e)
	if got := ids(d); got != "whAttempt_00000000000000000000000001,whAttempt_00000000000000000000000005,whAttempt_00000000000000000000000002,whAttempt_00000000000000000000000003,whAttempt_00000000000000000000000004" {
		t.Fatalf("order %s", got)
	}
	if d.Since != nil || d.Matched != 5 {
		t.Fatalf("since %v matched %d", d.Since, d.Matched)
	}
	if d.Attempts[1].Target != "ops" || d.Attempts[2].HTTPStatusCode != 502 {
		t.Fatalf("rows: %+v", d.Attempts)
	}
	if msg := d.Attempts[3].Message; msg != "Could not connect to https://crm.example.com/hook?token=REDACTED." {
		t.Fatalf("message not redacted: %q", msg)
	}
	if len(d.Health) != 2 {
		t.Fatalf("health: %+v", d.Health)
	}
	crm, ops := d.Health[0], d.Health[1]
	if crm.Name != "crm-sync" || crm.Attempts != 4 || crm.Successful != 2 || crm.SuccessRate == nil || *crm.SuccessRate != 0.5 ||
		crm.LastFailure == nil || crm.LastFailure.ID != "whAttempt_00000000000000000000000002" {
		t.Fatalf("crm health: %+v", crm)
	}
	if ops.Attempts != 1 || *ops.SuccessRate != 0 || ops.LastFailure.Result != plain.ResultRejected {
		t.Fatalf("ops health: %+v", ops)
	}

	r := runRead(t, e, nil, nil, "deliveries", "--attempts")
	wantExit(t, r, 0)
	for _, want := range []string{
		"Delivery attempts (newest first):",
		"2026-11-20 11:00:00Z  crm-sync  thread.thread_created",
		"failed_response",
		"HTTP 502",
		"ECONNREFUSED Could not connect to https://crm.example.com/hook?token=REDACTED.",
		"\nHealth:\n",
		"50.0%",
		"2026-11-20 10:00:00Z failed_response HTTP 502",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("table lacks %q:\n%s", want, r.out)
		}
	}
}

func TestDeliveriesFilters(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	crm, _ := seedDeliveries(t, e)

	d := deliveriesJSONRun(t, e, "--since", "24h")
	if ids(d) != "whAttempt_00000000000000000000000001,whAttempt_00000000000000000000000005,whAttempt_00000000000000000000000002,whAttempt_00000000000000000000000003" || d.Since == nil || !d.Since.Equal(testNow.Add(-24*time.Hour)) {
		t.Fatalf("--since: %s since %v", ids(d), d.Since)
	}
	if h := d.Health[0]; h.Attempts != 3 || h.Successful != 1 {
		t.Fatalf("--since health: %+v", h)
	}

	// --status narrows the listing, not the health figures.
	d = deliveriesJSONRun(t, e, "--status", "error")
	if ids(d) != "whAttempt_00000000000000000000000003" || d.Health[0].Attempts != 4 {
		t.Fatalf("--status: %s %+v", ids(d), d.Health)
	}
	d = deliveriesJSONRun(t, e, "--status", "FAILED_RESPONSE")
	if ids(d) != "whAttempt_00000000000000000000000002" {
		t.Fatalf("--status upper case: %s", ids(d))
	}

	// --event takes globs (matched here) and exact types (filtered by Plain).
	d = deliveriesJSONRun(t, e, "--event", "thread.*")
	if ids(d) != "whAttempt_00000000000000000000000001,whAttempt_00000000000000000000000005,whAttempt_00000000000000000000000003,whAttempt_00000000000000000000000004" || d.Health[0].Attempts != 3 {
		t.Fatalf("--event glob: %s %+v", ids(d), d.Health)
	}
	d = deliveriesJSONRun(t, e, "--event", "customer.customer_created")
	if ids(d) != "whAttempt_00000000000000000000000002" || d.Health[1].Attempts != 0 || d.Health[1].SuccessRate != nil {
		t.Fatalf("--event exact: %s %+v", ids(d), d.Health)
	}

	// One target, by description or id.
	for _, ref := range []string{"crm-sync", crm.ID} {
		d = deliveriesJSONRun(t, e, ref)
		if ids(d) != "whAttempt_00000000000000000000000001,whAttempt_00000000000000000000000002,whAttempt_00000000000000000000000003,whAttempt_00000000000000000000000004" || len(d.Health) != 1 {
			t.Fatalf("target %s: %s", ref, ids(d))
		}
	}

	// --limit caps the listing and says so.
	d = deliveriesJSONRun(t, e, "--limit", "2")
	if ids(d) != "whAttempt_00000000000000000000000001,whAttempt_00000000000000000000000005" || d.Matched != 5 || d.Health[0].Attempts != 4 {
		t.Fatalf("--limit: %s matched %d", ids(d), d.Matched)
	}
	r := runRead(t, e, nil, nil, "deliveries", "--limit", "2")
	wantExit(t, r, 0)
	if !strings.Contains(r.out, "2 of 5 shown, raise --limit for more") {
		t.Fatalf("no truncation note:\n%s", r.out)
	}
	r = runRead(t, e, nil, nil, "deliveries", "--attempts", "--status", "rejected", "--event", "customer.*")
	wantExit(t, r, 0)
	if !strings.Contains(r.out, "No delivery attempts match.") {
		t.Fatalf("empty listing:\n%s", r.out)
	}
}

func TestDeliveriesErrors(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	seedDeliveries(t, e)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"deliveries", "--status", "ok"}, "unknown --status"},
		{[]string{"deliveries", "--limit", "-1"}, "--limit"},
		{[]string{"deliveries", "--since", "-1h"}, "--since"},
		{[]string{"deliveries", "nope"}, `no webhook target has the id or description "nope"`},
		{[]string{"deliveries", "-o", "yaml"}, "unknown output format"},
	} {
		r := runRead(t, e, nil, nil, tc.args...)
		wantExit(t, r, 1)
		if !strings.Contains(r.errOut, tc.want) {
			t.Errorf("%v: stderr %q lacks %q", tc.args, r.errOut, tc.want)
		}
	}
}

func TestDeliveriesEmptyWorkspace(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	r := runRead(t, e, nil, nil, "deliveries")
	wantExit(t, r, 0)
	if !strings.Contains(r.out, "No webhook targets.") {
		t.Fatalf("%s", r.out)
	}
}

// Flags map to DeliveriesOptions, and flag-only mistakes are refused,
// with no Plain involved.
func TestDeliveriesFlagsToOptions(t *testing.T) {
	cases := []struct {
		args    []string
		want    DeliveriesOptions
		wantErr string
	}{
		{args: nil, want: DeliveriesOptions{output: "table", query: health.Query{Limit: defaultDeliveryLimit}}},
		{args: []string{"crm", "--status", " Failed_Response ", "--event", "thread.*", "--since", "24h", "--limit", "0", "-o", "json"},
			want: DeliveriesOptions{target: "crm", output: "json", since: 24 * time.Hour, query: health.Query{Status: "failed_response", Event: "thread.*"}}},
		{args: []string{"--attempts"}, want: DeliveriesOptions{output: "table", attempts: true, query: health.Query{Limit: defaultDeliveryLimit}}},
		{args: []string{"--status", "nope"}, wantErr: `unknown --status "nope"`},
		{args: []string{"--limit", "-1"}, wantErr: "--limit must not be negative"},
		{args: []string{"--since", "-1h"}, wantErr: "--since must not be negative"},
		{args: []string{"-o", "yaml"}, wantErr: `unknown output format "yaml"`},
	}
	for _, tc := range cases {
		f, _, _ := testFactory(nil)
		var got *DeliveriesOptions
		cmd := NewCmdDeliveries(f, func(o *DeliveriesOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		err := cmd.Execute()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || got != nil {
				t.Errorf("%v: err %v, want %q and no run", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got == nil {
			t.Fatalf("%v: err %v", tc.args, err)
		}
		if got.target != tc.want.target || got.output != tc.want.output || got.since != tc.want.since || got.query != tc.want.query || got.attempts != tc.want.attempts {
			t.Errorf("%v: options %+v, want %+v", tc.args, *got, tc.want)
		}
	}
}

// The default view is one line per event with its outcome; JSON carries
// events (with outcome) beside attempts, and health counts events
// delivered beside attempts, with a trend.
func TestDeliveriesEventsView(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	crm := e.mock.PutTarget(plain.Target{Description: "crm-sync", URL: "https://crm.example.com/hook", EventTypes: []string{"thread.thread_created"}, Enabled: true})
	const ev = "pEv_01HD450JT0RPBT7RRKS1ZQJYBA"
	at := func(d time.Duration) time.Time { return testNow.Add(-time.Hour + d) }
	e.mock.AddDeliveryAttempts(
		plain.DeliveryAttempt{ID: "whAttempt_01HD450N6X782MDTDBMS6Z14D1", WebhookTargetID: crm.ID, PublicEventID: ev, EventType: "thread.thread_created", AttemptedAt: at(0), Result: plain.ResultFailedResponse, HTTPStatusCode: 500},
		plain.DeliveryAttempt{ID: "whAttempt_01HD450N6X782MDTDBMS6Z14D2", WebhookTargetID: crm.ID, PublicEventID: ev, EventType: "thread.thread_created", AttemptedAt: at(10 * time.Second), Result: plain.ResultFailedResponse, HTTPStatusCode: 503},
		plain.DeliveryAttempt{ID: "whAttempt_01HD450N6X782MDTDBMS6Z14D3", WebhookTargetID: crm.ID, PublicEventID: ev, EventType: "thread.thread_created", AttemptedAt: at(40 * time.Second), Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 200},
	)
	r := runRead(t, e, nil, nil, "deliveries", "-o", "json", "--since", "6h")
	wantExit(t, r, 0)
	var d struct {
		EventsMatched int `json:"eventsMatched"`
		Events        []struct {
			EventID        string `json:"eventId"`
			Outcome        string `json:"outcome"`
			Attempts       int    `json:"attempts"`
			DeliveredAfter int    `json:"deliveredAfter"`
			LastFailure    struct {
				HTTPStatusCode int `json:"httpStatusCode"`
			} `json:"lastFailure"`
		} `json:"events"`
		Attempts []json.RawMessage `json:"attempts"`
		Health   []struct {
			Attempts        int `json:"attempts"`
			Events          int `json:"events"`
			EventsDelivered int `json:"eventsDelivered"`
			Trend           struct {
				Width   string `json:"width"`
				Buckets []struct {
					Attempts, Successful int
				} `json:"buckets"`
			} `json:"trend"`
		} `json:"health"`
	}
	if err := json.Unmarshal([]byte(r.out), &d); err != nil {
		t.Fatalf("%v\n%s", err, r.out)
	}
	if d.EventsMatched != 1 || len(d.Events) != 1 || d.Events[0].EventID != ev || d.Events[0].Outcome != "delivered" ||
		d.Events[0].Attempts != 3 || d.Events[0].DeliveredAfter != 3 || d.Events[0].LastFailure.HTTPStatusCode != 503 || len(d.Attempts) != 3 {
		t.Fatalf("events %+v, %d attempts", d.Events, len(d.Attempts))
	}
	h := d.Health[0]
	if h.Attempts != 3 || h.Events != 1 || h.EventsDelivered != 1 || h.Trend.Width != "1h" || len(h.Trend.Buckets) != 7 ||
		h.Trend.Buckets[5].Attempts != 3 || h.Trend.Buckets[5].Successful != 1 {
		t.Fatalf("health %+v", h)
	}
	r = runRead(t, e, nil, nil, "deliveries", "crm-sync")
	wantExit(t, r, 0)
	for _, want := range []string{ev, "delivered after 3 attempts", "failed_response HTTP 503", "EVENTS DELIVERED", "1/1", "33.3%"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("text lacks %q:\n%s", want, r.out)
		}
	}
}
