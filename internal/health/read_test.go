package health

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/plain"
)

// fakeReader answers from memory; fakeBodyReader also reads bodies.
type fakeReader struct {
	targets  []plain.Target
	attempts map[string][]plain.DeliveryAttempt
}

func (r *fakeReader) ListWebhookTargets(context.Context) ([]plain.Target, error) {
	return append([]plain.Target(nil), r.targets...), nil
}

func (r *fakeReader) ListDeliveryAttemptsForTargets(_ context.Context, ids []string, _ api.DeliveryFilter) (map[string][]plain.DeliveryAttempt, error) {
	out := map[string][]plain.DeliveryAttempt{}
	for _, id := range ids {
		out[id] = r.attempts[id]
	}
	return out, nil
}

type fakeBodyReader struct {
	*fakeReader
	body []byte
}

func (r fakeBodyReader) PublicEventRequestBody(context.Context, string) ([]byte, error) {
	return r.body, nil
}

// hideURLs stands in for view.Gate.Redactor: it hides each target's whole
// URL, so a test sees which targets the redactor was built from.
func hideURLs(ts []plain.Target) func(string) string {
	return func(s string) string {
		for _, t := range ts {
			s = strings.ReplaceAll(s, t.URL, "[redacted]")
		}
		return s
	}
}

const readEventID = "pEv_01HD450JT0RPBT7RRKS1ZQJYBA"

func readFixture() *fakeReader {
	at := time.Date(2023, 10, 21, 12, 0, 0, 0, time.UTC)
	return &fakeReader{
		targets: []plain.Target{
			{ID: "whTarget_2", Description: "ops", URL: "https://ops.example.com/hook?token=s3cr3t-token"},
			{ID: "whTarget_1", Description: "crm-sync", URL: "https://crm.example.com/hook"},
		},
		attempts: map[string][]plain.DeliveryAttempt{
			"whTarget_1": {{ID: "whAttempt_1", WebhookTargetID: "whTarget_1", PublicEventID: readEventID, EventType: "thread.thread_created", AttemptedAt: at, Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 200}},
			"whTarget_2": {{ID: "whAttempt_2", WebhookTargetID: "whTarget_2", PublicEventID: readEventID, EventType: "thread.thread_created", AttemptedAt: at, Result: plain.ResultError,
				Message: "Could not connect to https://ops.example.com/hook?token=s3cr3t-token."}},
		},
	}
}

func TestCheckEventID(t *testing.T) {
	if err := CheckEventID(readEventID); err != nil {
		t.Errorf("valid id refused: %v", err)
	}
	for id, want := range map[string]string{
		"pe_01HD450JT0RPBT7RRKS1ZQJYBA":  `"pe_01HD450JT0RPBT7RRKS1ZQJYBA" is not a Plain event id: want pEv_ and 26 Crockford base32 characters, e.g. pEv_01HD450JT0RPBT7RRKS1ZQJYBA (plainsync deliveries lists them)`,
		"pEv_01HD450JT0RPBT7RRKS1ZQJYBU": "is not a Plain event id",                // U is not Crockford
		"pEv_\x1b[31m":                   `"pEv_\x1b[31m" is not a Plain event id`, // quoted, so no raw escape
	} {
		if err := CheckEventID(id); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckEventID(%q) = %v, want %q", id, err, want)
		}
	}
}

func TestQueryCheck(t *testing.T) {
	q := Query{Status: " Failed_Response ", Limit: 0}
	if err := q.Check(24 * time.Hour); err != nil || q.Status != "failed_response" {
		t.Errorf("Check: %v, status %q", err, q.Status)
	}
	for _, tc := range []struct {
		q     Query
		since time.Duration
		want  string
	}{
		{Query{Status: "nope"}, 0, `unknown --status "nope" (want one of successful_response, failed_response, error, rejected, schema_validation_failed)`},
		{Query{Limit: -1}, 0, "--limit must not be negative, got -1"},
		{Query{}, -time.Hour, "--since must not be negative, got -1h0m0s"},
	} {
		if err := tc.q.Check(tc.since); err == nil || err.Error() != tc.want {
			t.Errorf("%+v since %s: %v, want %q", tc.q, tc.since, err, tc.want)
		}
	}
}

func TestQueryWindow(t *testing.T) {
	q := Query{Event: "thread.*", Limit: 5}.Window(testNow, 24*time.Hour)
	if !q.Now.Equal(testNow) || !q.Since.Equal(testNow.Add(-24*time.Hour)) || q.Event != "thread.*" || q.Limit != 5 {
		t.Errorf("Window: %+v", q)
	}
	if q := (Query{}).Window(testNow, 0); !q.Since.IsZero() || !q.Now.Equal(testNow) {
		t.Errorf("Window without since: %+v", q)
	}
}

// ReadEvent reads every target, sorted, redacts the URL secrets Plain's
// messages quote, and reads the body only when asked and possible.
func TestReadEvent(t *testing.T) {
	r := readFixture()
	rep, body, err := ReadEvent(context.Background(), r, readEventID, false, testNow, hideURLs)
	if err != nil || body != nil || len(rep.Attempts) != 2 || len(rep.Targets) != 2 {
		t.Fatalf("ReadEvent: %+v %q %v", rep, body, err)
	}
	for _, a := range rep.Attempts {
		if strings.Contains(a.Message, "s3cr3t-token") {
			t.Errorf("secret in %q", a.Message)
		}
	}
	if _, _, err := ReadEvent(context.Background(), r, readEventID, true, testNow, hideURLs); err == nil || err.Error() != "this client cannot read event bodies" {
		t.Errorf("without a body reader: %v", err)
	}
	_, body, err = ReadEvent(context.Background(), fakeBodyReader{r, []byte(`{"a":1}`)}, readEventID, true, testNow, hideURLs)
	if err != nil || string(body) != `{"a":1}` {
		t.Errorf("body %q, %v", body, err)
	}
}

// ReadDeliveries narrows to the target asked for, but redacts every
// target's URL secrets.
func TestReadDeliveries(t *testing.T) {
	r := readFixture()
	r.attempts["whTarget_1"][0].Message = "see https://ops.example.com/hook?token=s3cr3t-token"
	l, n, err := ReadDeliveries(context.Background(), r, "crm-sync", Query{}, hideURLs)
	if err != nil || n != 1 || len(l.Attempts) != 1 || l.Attempts[0].ID != "whAttempt_1" || strings.Contains(l.Attempts[0].Message, "s3cr3t-token") {
		t.Fatalf("ReadDeliveries(crm-sync): %+v %d %v", l, n, err)
	}
	if l, n, err = ReadDeliveries(context.Background(), r, "", Query{}, hideURLs); err != nil || n != 2 || len(l.Health) != 2 || l.Health[0].Name != "crm-sync" {
		t.Errorf("every target: %+v %d %v", l, n, err)
	}
	if _, _, err := ReadDeliveries(context.Background(), r, "billing", Query{}, hideURLs); err == nil || !strings.Contains(err.Error(), `no webhook target has the id or description "billing"`) {
		t.Errorf("unknown target: %v", err)
	}
}
