package health

import (
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

const (
	tgA = "whTarget_01HD4400VTDJQ646V6RY37SR7K"
	tgB = "whTarget_01HD4400VTDJQ646V6RY37SR7M"
	evA = "pEv_01HD450JT0RPBT7RRKS1ZQJYBA"
	evB = "pEv_01HD450JT0RPBT7RRKS1ZQJYBB"
)

// row is attempt i of an event to a target, at t0+offset.
func row(target, event string, i int, offset time.Duration, result string) DeliveryRow {
	a := plain.DeliveryAttempt{
		ID:              "whAttempt_01HD450N6X782MDTDBMS6Z14D" + string("0123456789ABCDEFGHJKMNPQRS"[i]),
		WebhookTargetID: target, PublicEventID: event, EventType: "thread.thread_created",
		AttemptedAt: testNow.Add(offset), Result: result,
	}
	switch result {
	case plain.ResultSuccessfulResponse:
		a.HTTPStatusCode = 200
	case plain.ResultFailedResponse:
		a.HTTPStatusCode = 500
	default:
		a.ErrorCode, a.Message = "ECONNREFUSED", "Connection refused by the webhook target."
	}
	return DeliveryRow{DeliveryAttempt: a, Target: "crm-sync"}
}

func TestGroupEvents(t *testing.T) {
	fail, ok := plain.ResultFailedResponse, plain.ResultSuccessfulResponse
	exhausted := []DeliveryRow{}
	off := time.Duration(0)
	for i := 0; i < MaxAttemptsPerEvent; i++ {
		exhausted = append(exhausted, row(tgA, evA, i, off, fail))
		if i < len(RetrySchedule) {
			off += RetrySchedule[i]
		}
	}
	tests := []struct {
		name     string
		rows     []DeliveryRow
		outcome  string
		attempts int
		after    int
		next     time.Duration // from testNow; 0: none
		failure  int           // HTTP status of the last failure; 0: none
	}{
		{"first try", []DeliveryRow{row(tgA, evA, 0, 0, ok)}, OutcomeDelivered, 1, 1, 0, 0},
		{"failed twice then delivered, newest first", []DeliveryRow{
			row(tgA, evA, 2, 40*time.Second, ok), row(tgA, evA, 1, 10*time.Second, fail), row(tgA, evA, 0, 0, fail)},
			OutcomeDelivered, 3, 3, 0, 500},
		{"one failure: retried after 10 s", []DeliveryRow{row(tgA, evA, 0, 0, fail)}, OutcomeRetrying, 1, 0, 10 * time.Second, 500},
		{"two failures: retried 30 s after the second", []DeliveryRow{
			row(tgA, evA, 0, 0, fail), row(tgA, evA, 1, 10*time.Second, plain.ResultError)},
			OutcomeRetrying, 2, 0, 40 * time.Second, 0},
		{"13 failures: retries exhausted", exhausted, OutcomeFailed, 13, 0, 0, 500},
		{"schema validation failure is not retried", []DeliveryRow{row(tgA, evA, 0, 0, plain.ResultSchemaValidationFailed)}, OutcomeFailed, 1, 0, 0, 0},
		{"rejected is not retried", []DeliveryRow{row(tgA, evA, 0, 0, plain.ResultRejected)}, OutcomeFailed, 1, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := GroupEvents(tt.rows)
			if len(es) != 1 {
				t.Fatalf("%d events, want 1", len(es))
			}
			e := es[0]
			if e.Outcome != tt.outcome || e.Attempts != tt.attempts || e.DeliveredAfter != tt.after || e.EventID != evA || e.TargetID != tgA {
				t.Errorf("got %+v", e)
			}
			if !e.FirstAttemptAt.Equal(testNow) {
				t.Errorf("first attempt %s, want %s", e.FirstAttemptAt, testNow)
			}
			switch {
			case tt.next == 0 && e.NextAttemptAt != nil:
				t.Errorf("next attempt %s, want none", e.NextAttemptAt)
			case tt.next != 0 && (e.NextAttemptAt == nil || !e.NextAttemptAt.Equal(testNow.Add(tt.next))):
				t.Errorf("next attempt %v, want %s", e.NextAttemptAt, testNow.Add(tt.next))
			}
			if tt.failure != 0 && (e.LastFailure == nil || e.LastFailure.HTTPStatusCode != tt.failure) {
				t.Errorf("last failure %+v, want HTTP %d", e.LastFailure, tt.failure)
			}
		})
	}
}

// One event to two targets is two rows; two events to one target too.
func TestGroupEventsKeysByTargetAndEvent(t *testing.T) {
	ok, fail := plain.ResultSuccessfulResponse, plain.ResultFailedResponse
	es := GroupEvents([]DeliveryRow{
		row(tgA, evA, 0, 0, ok), row(tgB, evA, 1, time.Second, fail), row(tgA, evB, 2, 2*time.Second, ok),
	})
	var got []string
	for _, e := range es {
		got = append(got, e.TargetID[len(e.TargetID)-1:]+":"+e.EventID[len(e.EventID)-1:]+":"+e.Outcome)
	}
	if want := "K:B:delivered M:A:retrying K:A:delivered"; strings.Join(got, " ") != want {
		t.Errorf("events %v, want %s (newest first)", got, want)
	}
	c := CountEvents(es)
	if c != (EventCounts{Events: 3, Delivered: 2, Retrying: 1}) {
		t.Errorf("counts %+v", c)
	}
}

// Summarize counts events beside attempts.
func TestSummarizeCountsEventsDelivered(t *testing.T) {
	var as []plain.DeliveryAttempt
	for _, r := range []DeliveryRow{
		row(tgA, evA, 2, 40*time.Second, plain.ResultSuccessfulResponse),
		row(tgA, evA, 1, 10*time.Second, plain.ResultFailedResponse),
		row(tgA, evA, 0, 0, plain.ResultFailedResponse),
	} {
		as = append(as, r.DeliveryAttempt)
	}
	h := Summarize(tgA, "crm-sync", as, false, func(s string) string { return s })
	if h.Attempts != 3 || h.Successful != 1 || h.Events != 1 || h.Delivered != 1 {
		t.Errorf("health %+v: want 3 attempts, 1 successful, 1 of 1 events delivered", h)
	}
	if h.LastSuccessAt == nil || !h.LastSuccessAt.Equal(testNow.Add(40*time.Second)) {
		t.Errorf("last success %v", h.LastSuccessAt)
	}
	// render.TestHealthTableCountsEventsDelivered prints this health.
}
