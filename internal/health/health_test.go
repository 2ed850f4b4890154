package health

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/plainmock"
)

const testKey = "plainApiKey_healthSECRET"

var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// newMockClient is a plain-mock on loopback and a client for it.
func newMockClient(t *testing.T) (*plainmock.Server, *api.Client) {
	t.Helper()
	srv, err := plainmock.New(plainmock.Config{Keys: map[string][]string{testKey: plainmock.AllPermissions}, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	c, err := api.New(api.Options{URL: hs.URL + plainmock.GraphQLPath, APIKey: testKey, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// FetchAttempts reads only as far back as the window needs.
func TestFetchAttemptsStopsAtTheWindow(t *testing.T) {
	mock, c := newMockClient(t)
	tg := mock.PutTarget(plain.Target{Description: "busy", URL: "https://busy.example.com/", EventTypes: []string{"thread.chat_sent"}, Enabled: true})
	var as []plain.DeliveryAttempt
	for i := 0; i < 450; i++ {
		as = append(as, plain.DeliveryAttempt{ID: fmt.Sprintf("whAttempt_%026d", i), WebhookTargetID: tg.ID, EventType: "thread.chat_sent",
			AttemptedAt: testNow.Add(-time.Duration(i) * time.Minute), Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 200})
	}
	mock.AddDeliveryAttempts(as...)
	ctx := context.Background()

	before := mock.RequestCount()
	got, truncated, err := FetchAttempts(ctx, c, tg.ID, nil, testNow.Add(-150*time.Minute+time.Second))
	if err != nil || truncated || len(got) != 150 || got[0].ID != "whAttempt_00000000000000000000000000" || got[149].ID != "whAttempt_00000000000000000000000149" {
		t.Fatalf("window: %d attempts, truncated %v, %v", len(got), truncated, err)
	}
	// Pages of 100, read once: the second reaches past the window.
	if n := mock.RequestCount() - before; n != 2 {
		t.Errorf("%d requests for a 150-attempt window, want 2", n)
	}

	before = mock.RequestCount()
	got, truncated, err = FetchAttempts(ctx, c, tg.ID, nil, time.Time{})
	if err != nil || truncated || len(got) != 450 {
		t.Fatalf("all: %d attempts, truncated %v, %v", len(got), truncated, err)
	}
	if n := mock.RequestCount() - before; n != 5 {
		t.Errorf("%d requests for 450 attempts, want 5 pages", n)
	}
	for i := 1; i < len(got); i++ {
		if got[i].AttemptedAt.After(got[i-1].AttemptedAt) {
			t.Fatalf("not newest first at %d", i)
		}
	}
}

// List filters by event glob (here, not on Plain) and by status (the
// listing only), sorts newest first across targets and caps the listing.
func TestListFiltersSortsAndCaps(t *testing.T) {
	mock, c := newMockClient(t)
	a := mock.PutTarget(plain.Target{Description: "a", URL: "https://a.example.com/", EventTypes: []string{"thread.chat_sent"}, Enabled: true})
	b := mock.PutTarget(plain.Target{Description: "", URL: "https://b.example.com/", EventTypes: []string{"thread.chat_sent"}, Enabled: true})
	at := func(m int) time.Time { return testNow.Add(-time.Duration(m) * time.Minute) }
	mock.AddDeliveryAttempts(
		plain.DeliveryAttempt{ID: "whAttempt_00000000000000000000000001", WebhookTargetID: a.ID, EventType: "thread.chat_sent", AttemptedAt: at(1), Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 200},
		plain.DeliveryAttempt{ID: "whAttempt_00000000000000000000000002", WebhookTargetID: b.ID, EventType: "thread.chat_sent", AttemptedAt: at(2), Result: plain.ResultFailedResponse, HTTPStatusCode: 500},
		plain.DeliveryAttempt{ID: "whAttempt_00000000000000000000000003", WebhookTargetID: a.ID, EventType: "customer.customer_created", AttemptedAt: at(3), Result: plain.ResultFailedResponse, HTTPStatusCode: 500},
		plain.DeliveryAttempt{ID: "whAttempt_00000000000000000000000004", WebhookTargetID: b.ID, EventType: "thread.chat_sent", AttemptedAt: at(90), Result: plain.ResultFailedResponse, HTTPStatusCode: 500},
	)
	ts := []plain.Target{a, b}
	l, err := List(context.Background(), c, ts, Query{Event: "thread.*", Status: plain.ResultFailedResponse, Since: at(60), Limit: 5}, func(s string) string { return s })
	if err != nil {
		t.Fatal(err)
	}
	if l.Matched != 1 || len(l.Attempts) != 1 || l.Attempts[0].ID != "whAttempt_00000000000000000000000002" || l.Attempts[0].Target != b.ID {
		t.Fatalf("attempts %+v (matched %d)", l.Attempts, l.Matched)
	}
	if len(l.Health) != 2 || l.Health[0].Attempts != 1 || l.Health[1].Attempts != 1 || l.Since == nil {
		t.Fatalf("health %+v", l.Health)
	}
	l, err = List(context.Background(), c, ts, Query{Limit: 2}, func(s string) string { return s })
	if err != nil || l.Matched != 4 || len(l.Attempts) != 2 || l.Attempts[0].ID != "whAttempt_00000000000000000000000001" || l.Attempts[1].ID != "whAttempt_00000000000000000000000002" {
		t.Fatalf("capped listing %+v, %v", l, err)
	}
}
