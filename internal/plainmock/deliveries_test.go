package plainmock

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

const attemptsDoc = `query Attempts($id: ID!, $filters: WebhookDeliveryAttemptFilter, $first: Int, $after: String) {
  webhookDeliveryAttempts(webhookTargetId: $id, filters: $filters, first: $first, after: $after) {
    edges { cursor node {
      id webhookTargetId publicEventId publicEventEventType attemptedAt { iso8601 } durationInMilliseconds
      result {
        __typename
        ... on WebhookDeliveryAttemptSuccessfulResult { status httpStatusCode }
        ... on WebhookDeliveryAttemptFailedResult { status httpStatusCode }
        ... on WebhookDeliveryAttemptErrorResult { status errorCode errorMessage }
        ... on WebhookDeliveryAttemptRejectedResult { status rejectedMessage }
        ... on WebhookDeliveryAttemptSchemaValidationFailedResult { status errorMessage }
      }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`

// allAttempts pages through a target's attempts with page size n.
func (m *mock) allAttempts(id string, filters map[string]any, n int) []map[string]any {
	m.t.Helper()
	var out []map[string]any
	seen := map[string]bool{}
	var after any
	for range 100 {
		r := mustOK(m.t, m.gql(attemptsDoc, map[string]any{"id": id, "filters": filters, "first": n, "after": after}))
		for _, e := range r.data("webhookDeliveryAttempts.edges").([]any) {
			node := e.(map[string]any)["node"].(map[string]any)
			if seen[node["id"].(string)] {
				m.t.Fatalf("attempt %s returned twice", node["id"])
			}
			seen[node["id"].(string)] = true
			out = append(out, node)
		}
		if r.data("webhookDeliveryAttempts.pageInfo.hasNextPage") != true {
			return out
		}
		after = r.data("webhookDeliveryAttempts.pageInfo.endCursor")
	}
	m.t.Fatal("attempt pagination does not terminate")
	return nil
}

func TestSimulatedDeliveriesHaveEveryResultKind(t *testing.T) {
	m := newMock(t, Config{Seed: 42})
	a := m.create(createInput("https://a.example.com/", "a", "thread.thread_created", "thread.email_received"))
	b := m.create(createInput("https://b.example.com/", "b"))
	m.srv.SimulateDeliveries(20)

	for _, id := range []string{a, b} {
		nodes := m.allAttempts(id, nil, 7)
		if len(nodes) != 20 {
			t.Fatalf("target %s: %d attempts, want 20", id, len(nodes))
		}
		kinds := map[string]int{}
		var times []string
		for _, n := range nodes {
			if n["webhookTargetId"] != id || n["publicEventId"] == "" {
				t.Errorf("attempt = %v", n)
			}
			res := n["result"].(map[string]any)
			kinds[res["__typename"].(string)]++
			times = append(times, n["attemptedAt"].(map[string]any)["iso8601"].(string))
			switch res["__typename"] {
			case "WebhookDeliveryAttemptSuccessfulResult":
				if code := res["httpStatusCode"].(float64); code < 200 || code > 299 || res["status"] != "SUCCESSFUL_RESPONSE" {
					t.Errorf("success = %v", res)
				}
			case "WebhookDeliveryAttemptFailedResult":
				if code := res["httpStatusCode"].(float64); code < 400 {
					t.Errorf("failed response with %v", code)
				}
			case "WebhookDeliveryAttemptErrorResult":
				if res["errorCode"] == "" || res["errorMessage"] == "" {
					t.Errorf("error result = %v", res)
				}
			case "WebhookDeliveryAttemptRejectedResult":
				if res["rejectedMessage"] == "" {
					t.Errorf("rejected result = %v", res)
				}
			case "WebhookDeliveryAttemptSchemaValidationFailedResult":
				if res["errorMessage"] == "" {
					t.Errorf("schema result = %v", res)
				}
			}
			if id == a {
				if et := n["publicEventEventType"]; et != "thread.thread_created" && et != "thread.email_received" {
					t.Errorf("attempt for an event the target does not subscribe to: %v", et)
				}
			}
		}
		if len(kinds) != 5 {
			t.Errorf("target %s: result kinds %v, want all five", id, kinds)
		}
		if kinds["WebhookDeliveryAttemptSuccessfulResult"] < 10 {
			t.Errorf("target %s: mostly successes expected, got %v", id, kinds)
		}
		if !sort.SliceIsSorted(times, func(i, j int) bool { return times[i] > times[j] }) {
			t.Errorf("attempts not newest first: %v", times)
		}
	}
}

func TestSimulatedDeliveriesAreDeterministic(t *testing.T) {
	run := func() string {
		m := newMock(t, Config{Seed: 3})
		m.srv.PutTarget(plain.Target{ID: "whTarget_01HD4400VTDJQ646V6RY37SR0W", URL: "https://a.example.com/", Description: "a", EventTypes: []string{"thread.thread_created"}})
		m.srv.SimulateDeliveries(10)
		var out string
		for _, n := range m.allAttempts("whTarget_01HD4400VTDJQ646V6RY37SR0W", nil, 100) {
			out += fmt.Sprint(n) + "\n"
		}
		return out
	}
	if a, b := run(), run(); a != b {
		t.Errorf("same seed and clock gave different deliveries:\n%s\n---\n%s", a, b)
	}
}

func TestDeliveryAttemptFilters(t *testing.T) {
	m := newMock(t, Config{})
	id := m.create(createInput("https://a.example.com/", "a", "thread.thread_created", "thread.email_received"))
	base := m.clock.Now().Add(-time.Hour)
	var attempts []plain.DeliveryAttempt
	for i := range 12 {
		kind := []string{plain.ResultSuccessfulResponse, plain.ResultFailedResponse, plain.ResultError}[i%3]
		et := []string{"thread.thread_created", "thread.email_received"}[i%2]
		attempts = append(attempts, plain.DeliveryAttempt{
			WebhookTargetID: id, EventType: et, Result: kind, HTTPStatusCode: 200 + 300*(i%3),
			AttemptedAt: base.Add(time.Duration(i) * time.Minute), Message: "m", ErrorCode: "E",
		})
	}
	attempts = append(attempts, plain.DeliveryAttempt{WebhookTargetID: "whTarget_01HD4400VTDJQ646V6RY37SR14", EventType: "thread.thread_created", Result: plain.ResultRejected, Message: "no"})
	m.srv.AddDeliveryAttempts(attempts...)

	if got := m.allAttempts(id, nil, 5); len(got) != 12 {
		t.Errorf("unfiltered: %d, want 12", len(got))
	}
	failed := m.allAttempts(id, map[string]any{"resultStatus": "FAILED_RESPONSE"}, 100)
	if len(failed) != 4 {
		t.Errorf("FAILED_RESPONSE: %d, want 4", len(failed))
	}
	for _, n := range failed {
		if n["result"].(map[string]any)["__typename"] != "WebhookDeliveryAttemptFailedResult" {
			t.Errorf("filter let through %v", n["result"])
		}
	}
	emails := m.allAttempts(id, map[string]any{"eventTypes": []any{"thread.email_received"}}, 100)
	if len(emails) != 6 {
		t.Errorf("eventTypes filter: %d, want 6", len(emails))
	}
	both := m.allAttempts(id, map[string]any{"eventTypes": []any{"thread.email_received"}, "resultStatus": "ERROR"}, 100)
	if len(both) != 2 {
		t.Errorf("combined filter: %d, want 2", len(both))
	}
	for _, n := range both {
		if n["publicEventEventType"] != "thread.email_received" || n["result"].(map[string]any)["status"] != "ERROR" {
			t.Errorf("combined filter let through %v", n)
		}
	}
	if got := m.allAttempts("whTarget_01HD4400VTDJQ646V6RY37SR16", nil, 100); len(got) != 0 {
		t.Errorf("unknown target has %d attempts", len(got))
	}

	// Deleting the target removes its attempts.
	mustOK(t, m.gql(deleteDoc, map[string]any{"id": id}))
	if got := m.allAttempts(id, nil, 100); len(got) != 0 {
		t.Errorf("attempts of a deleted target remain: %d", len(got))
	}
}

func TestAddDeliveryAttemptsRejectsUnknownResult(t *testing.T) {
	m := newMock(t, Config{})
	defer func() {
		if recover() == nil {
			t.Error("an unknown result kind was accepted")
		}
	}()
	m.srv.AddDeliveryAttempts(plain.DeliveryAttempt{WebhookTargetID: "x", Result: "ok"})
}
