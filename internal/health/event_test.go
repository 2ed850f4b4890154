package health

import (
	"context"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

func TestEventTime(t *testing.T) {
	// 01HD450JT0… is 2023-10-21 (the id's 48-bit millisecond prefix).
	at, ok := EventTime("pEv_01HD450JT0RPBT7RRKS1ZQJYBA", testNow)
	if !ok || at.Year() != 2023 || at.Month() != time.October {
		t.Errorf("EventTime = %s %v", at, ok)
	}
	for _, id := range []string{"pEv_short", "pEv_ZZZZZZZZZZZZZZZZZZZZZZZZZZ", "pEv_7ZZZZZZZZZZZZZZZZZZZZZZZ"} {
		if _, ok := EventTime(id, testNow); ok {
			t.Errorf("EventTime(%s) accepted", id)
		}
	}
}

// FindEvent gathers one event's attempts from every target, oldest first,
// and its outcome per target; other events are left out.
func TestFindEventAcrossTargets(t *testing.T) {
	mock, c := newMockClient(t)
	a := mock.PutTarget(plain.Target{Description: "a", URL: "https://a.example.com/", EventTypes: []string{"thread.chat_sent"}, Enabled: true})
	b := mock.PutTarget(plain.Target{Description: "b", URL: "https://b.example.com/", EventTypes: []string{"thread.chat_sent"}, Enabled: true})
	const ev, other = "pEv_01HD450JT0RPBT7RRKS1ZQJYBA", "pEv_01HD450JT0RPBT7RRKS1ZQJYBB"
	occurred, _ := EventTime(ev, testNow)
	at := func(s int) time.Time { return occurred.Add(time.Duration(s) * time.Second) }
	mock.AddDeliveryAttempts(
		plain.DeliveryAttempt{ID: "whAttempt_01HD450N6X782MDTDBMS6Z14D1", WebhookTargetID: a.ID, PublicEventID: ev, EventType: "thread.chat_sent", AttemptedAt: at(1), Result: plain.ResultFailedResponse, HTTPStatusCode: 500},
		plain.DeliveryAttempt{ID: "whAttempt_01HD450N6X782MDTDBMS6Z14D2", WebhookTargetID: b.ID, PublicEventID: ev, EventType: "thread.chat_sent", AttemptedAt: at(1), Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 200},
		plain.DeliveryAttempt{ID: "whAttempt_01HD450N6X782MDTDBMS6Z14D3", WebhookTargetID: a.ID, PublicEventID: ev, EventType: "thread.chat_sent", AttemptedAt: at(11), Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 200},
		plain.DeliveryAttempt{ID: "whAttempt_01HD450N6X782MDTDBMS6Z14D4", WebhookTargetID: a.ID, PublicEventID: other, EventType: "thread.chat_sent", AttemptedAt: at(12), Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 200},
	)
	r, err := FindEvent(context.Background(), c, []plain.Target{a, b}, ev, testNow, func(s string) string { return s })
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Attempts) != 3 || r.Attempts[0].ID[len(r.Attempts[0].ID)-1] != '1' || r.Attempts[2].ID[len(r.Attempts[2].ID)-1] != '3' || r.EventType != "thread.chat_sent" || r.OccurredAt == nil {
		t.Fatalf("attempts %+v", r.Attempts)
	}
	if len(r.Targets) != 2 {
		t.Fatalf("targets %+v", r.Targets)
	}
	for _, e := range r.Targets {
		want := map[string]int{"a": 2, "b": 1}[e.Target]
		if e.Outcome != OutcomeDelivered || e.DeliveredAfter != want {
			t.Errorf("%s: %+v, want delivered after %d", e.Target, e, want)
		}
	}
}
