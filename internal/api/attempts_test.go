package api

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/plainmock"
)

// attemptID is a Plain-shaped delivery attempt id (whAttempt_ and a
// 26-character Crockford ULID) numbered i.
func attemptID(t, i int) string {
	return fmt.Sprintf("whAttempt_01HD450N6X782MDTDBM%02d%03d", t, i)
}

// 30 targets in one listing: target 0 is busy (250 attempts a minute
// apart), the others have 3 each. Reading a 150-minute window takes one
// request per 25 targets, and one more for the busy target's second page
// only; every target's answer is what ListDeliveryAttempts gives for it.
func TestListDeliveryAttemptsForTargetsBatchesAndPagesPerAlias(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	srv, hs := startMock(t, plainmock.Config{Now: func() time.Time { return now }})
	var ids []string
	var as []plain.DeliveryAttempt
	for ti := range 30 {
		tg := srv.PutTarget(plain.Target{Description: fmt.Sprintf("t%02d", ti), URL: fmt.Sprintf("https://h%d.example.com/hook", ti), EventTypes: []string{"thread.chat_sent"}, Enabled: true})
		ids = append(ids, tg.ID)
		n := 3
		if ti == 0 {
			n = 250
		}
		for i := range n {
			as = append(as, plain.DeliveryAttempt{ID: attemptID(ti, i), WebhookTargetID: tg.ID, EventType: "thread.chat_sent",
				AttemptedAt: now.Add(-time.Duration(i+1) * time.Minute), Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 200})
		}
	}
	srv.AddDeliveryAttempts(as...)
	c := mockClient(t, hs, nil)
	ctx := context.Background()
	f := DeliveryFilter{Since: now.Add(-150 * time.Minute), Limit: 5000}

	before := srv.RequestCount()
	got, err := c.ListDeliveryAttemptsForTargets(ctx, append(ids, ids[3]), f) // a repeated id is asked once
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.RequestCount() - before; n != 3 {
		t.Errorf("%d requests for 30 targets (one with a second page in the window), want 3", n)
	}
	if len(got) != 30 {
		t.Fatalf("%d targets in the answer, want 30", len(got))
	}
	// Pages of 100: the busy target's second page reaches past the window.
	if n := len(got[ids[0]]); n != 200 {
		t.Errorf("busy target: %d attempts, want its first two pages (200)", n)
	}
	for _, id := range ids {
		one, err := c.ListDeliveryAttempts(ctx, id, f)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[id], one) {
			t.Fatalf("target %s: batch answer differs from ListDeliveryAttempts (%d vs %d attempts)", id, len(got[id]), len(one))
		}
	}

	// A per-target Limit, and the filters shared by every alias.
	got, err = c.ListDeliveryAttemptsForTargets(ctx, ids[:2], DeliveryFilter{Limit: 2, EventTypes: []string{"thread.chat_sent"}, ResultStatus: plain.ResultSuccessfulResponse})
	if err != nil {
		t.Fatal(err)
	}
	if len(got[ids[0]]) != 2 || len(got[ids[1]]) != 2 || got[ids[0]][0].ID != attemptID(0, 0) {
		t.Fatalf("limit 2: %d and %d attempts", len(got[ids[0]]), len(got[ids[1]]))
	}
	got, err = c.ListDeliveryAttemptsForTargets(ctx, ids[:2], DeliveryFilter{ResultStatus: plain.ResultError})
	if err != nil || len(got) != 2 || len(got[ids[0]]) != 0 || got[ids[0]] == nil {
		t.Fatalf("no matching attempts: %v %v", got, err)
	}

	// No targets: no request.
	before = srv.RequestCount()
	if got, err := c.ListDeliveryAttemptsForTargets(ctx, nil, f); err != nil || len(got) != 0 || srv.RequestCount() != before {
		t.Fatalf("no targets: %v %v, %d requests", got, err, srv.RequestCount()-before)
	}
	if _, err := c.ListDeliveryAttemptsForTargets(ctx, []string{""}, f); err == nil {
		t.Fatal("an empty target id was accepted")
	}
	if _, err := c.ListDeliveryAttemptsForTargets(ctx, ids[:1], DeliveryFilter{ResultStatus: "nope"}); err == nil {
		t.Fatal("an unknown result status was accepted")
	}
}

// A server that leaves an alias out of its answer is not behaving like
// Plain: an error, never a target silently reported without attempts.
func TestListDeliveryAttemptsForTargetsMissingAlias(t *testing.T) {
	fs := newFakeServer(t, func(n int, req gqlRequest, w http.ResponseWriter, _ *http.Request) {
		if !strings.Contains(req.Query, "t1: webhookDeliveryAttempts(webhookTargetId: $id1") {
			t.Errorf("document without alias t1:\n%s", req.Query)
		}
		writeJSON(w, 200, map[string]any{"data": map[string]any{"t0": map[string]any{"edges": []any{}, "pageInfo": map[string]any{"hasNextPage": false}}}})
	})
	c := newClient(t, fastOptions(fs.URL))
	_, err := c.ListDeliveryAttemptsForTargets(context.Background(), []string{"whTarget_01HD4400VTDJQ646V6RY37SR7K", "whTarget_01HD4400VTDJQ646V6RY37SR7M"}, DeliveryFilter{})
	if err == nil || !strings.Contains(err.Error(), `no answer for target "whTarget_01HD4400VTDJQ646V6RY37SR7M"`) {
		t.Fatalf("err = %v", err)
	}
}
