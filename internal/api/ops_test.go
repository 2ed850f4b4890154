package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

func wireTargetJSON(i int) map[string]any {
	return map[string]any{
		"id":                 fmt.Sprintf("whTarget_%026d", i),
		"url":                fmt.Sprintf("https://h%d.example/hook", i),
		"description":        fmt.Sprintf("target-%d", i),
		"eventSubscriptions": []any{map[string]any{"eventType": "thread.thread_created"}, map[string]any{"eventType": "customer.customer_created"}},
		"version":            "2026-05-06",
		"isEnabled":          i%2 == 0,
		"createdAt":          map[string]any{"iso8601": "2026-01-02T03:04:05.123Z"},
		"updatedAt":          map[string]any{"iso8601": "2026-02-02T03:04:05Z"},
	}
}

// pageOf serves items [after, after+first) of n with integer cursors.
func pageOf(t *testing.T, n int, vars map[string]any, item func(int) map[string]any) map[string]any {
	first, _ := vars["first"].(float64)
	if first != PageSize {
		t.Errorf("page size %v, want %d", vars["first"], PageSize)
	}
	start := 0
	if a, ok := vars["after"].(string); ok {
		start, _ = strconv.Atoi(a)
	}
	end := min(start+int(first), n)
	edges := []any{}
	for i := start; i < end; i++ {
		edges = append(edges, map[string]any{"cursor": strconv.Itoa(i + 1), "node": item(i)})
	}
	return map[string]any{
		"edges":    edges,
		"pageInfo": map[string]any{"hasNextPage": end < n, "endCursor": strconv.Itoa(end)},
	}
}

func versionJSON(i int) map[string]any {
	return map[string]any{"version": fmt.Sprintf("v%03d", i), "isDeprecated": i > 0, "isLatest": i == 0}
}

func TestListWebhookTargetsPaginates(t *testing.T) {
	const n = 250
	fs := newFakeServer(t, func(_ int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
		if req.Op() != "ListWebhookTargets" {
			t.Errorf("unexpected operation %q", req.Op())
		}
		writeJSON(w, 200, map[string]any{"data": map[string]any{"webhookTargets": pageOf(t, n, req.Variables, wireTargetJSON)}})
	})
	c := newClient(t, fastOptions(fs.URL))
	got, err := c.ListWebhookTargets(context.Background())
	if err != nil {
		t.Fatalf("ListWebhookTargets: %v", err)
	}
	if len(got) != n {
		t.Fatalf("got %d targets, want %d", len(got), n)
	}
	seen := map[string]int{}
	for _, tg := range got {
		seen[tg.ID]++
	}
	for i := range n {
		if id := fmt.Sprintf("whTarget_%026d", i); seen[id] != 1 {
			t.Errorf("%s returned %d times", id, seen[id])
		}
	}
	if fs.hits() != 3 {
		t.Errorf("%d requests, want 3 pages", fs.hits())
	}
	want := plain.Target{
		ID: "whTarget_00000000000000000000000000", URL: "https://h0.example/hook", Description: "target-0",
		EventTypes: []string{"customer.customer_created", "thread.thread_created"},
		Version:    "2026-05-06", Enabled: true,
		CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 123e6, time.UTC),
		UpdatedAt: time.Date(2026, 2, 2, 3, 4, 5, 0, time.UTC),
	}
	if !reflect.DeepEqual(got[0], want) {
		t.Errorf("first target = %+v\nwant %+v", got[0], want)
	}
}

func TestPaginationCursorMustAdvance(t *testing.T) {
	fs := newFakeServer(t, func(_ int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"data": map[string]any{"webhookTargets": map[string]any{
			"edges":    []any{map[string]any{"node": wireTargetJSON(1)}},
			"pageInfo": map[string]any{"hasNextPage": true, "endCursor": "same"},
		}}})
	})
	c := newClient(t, fastOptions(fs.URL))
	_, err := c.ListWebhookTargets(context.Background())
	if err == nil || !strings.Contains(err.Error(), "cursor did not advance") {
		t.Fatalf("err = %v, want a stuck-cursor error", err)
	}
	if fs.hits() != 2 {
		t.Errorf("%d requests, want 2", fs.hits())
	}
}

// TestPaginationMustMakeProgress: a server that keeps moving its cursor but
// never returns anything new must not keep plainsync paging forever.
func TestPaginationMustMakeProgress(t *testing.T) {
	const giveUp = 50 // the fake ends the list here so a failing test ends
	for _, tt := range []struct {
		name  string
		edges func(n int) []any
		list  func(c *Client) error
		key   string
	}{
		{"empty target pages", func(int) []any { return []any{} }, func(c *Client) error { _, err := c.ListWebhookTargets(context.Background()); return err }, "webhookTargets"},
		{"repeated targets", func(int) []any { return []any{map[string]any{"node": wireTargetJSON(1)}} }, func(c *Client) error { _, err := c.ListWebhookTargets(context.Background()); return err }, "webhookTargets"},
		{"empty version pages", func(int) []any { return []any{} }, func(c *Client) error { _, err := c.WebhookVersions(context.Background()); return err }, "webhookVersions"},
		{"empty delivery pages", func(int) []any { return []any{} }, func(c *Client) error {
			_, err := c.ListDeliveryAttempts(context.Background(), "whTarget_00000000000000000000000001", DeliveryFilter{})
			return err
		}, "webhookDeliveryAttempts"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeServer(t, func(n int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 200, map[string]any{"data": map[string]any{tt.key: map[string]any{
					"edges":    tt.edges(n),
					"pageInfo": map[string]any{"hasNextPage": n < giveUp, "endCursor": fmt.Sprintf("c%d", n)},
				}}})
			})
			err := tt.list(newClient(t, fastOptions(fs.URL)))
			if err == nil || !strings.Contains(err.Error(), "no progress") {
				t.Fatalf("err = %v after %d requests, want a no-progress error", err, fs.hits())
			}
		})
	}
}

// snapshotServer answers the Snapshot query and follow-up pages for
// nTargets targets and nVersions versions.
func snapshotServer(t *testing.T, nTargets, nVersions int) *fakeServer {
	return newFakeServer(t, func(_ int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
		var data map[string]any
		switch req.Op() {
		case "Snapshot":
			data = map[string]any{
				"myWorkspace":     map[string]any{"id": "w_1", "name": "Acme"},
				"myPermissions":   map[string]any{"permissions": []any{"webhookTarget:read", "webhookTarget:create", "webhookTarget:read"}},
				"webhookVersions": pageOf(t, nVersions, req.Variables, versionJSON),
				"subscriptionEventTypes": []any{
					map[string]any{"eventType": "thread.thread_created", "description": "A thread was created"},
				},
				"webhookTargets": pageOf(t, nTargets, req.Variables, wireTargetJSON),
			}
		case "ListWebhookTargets":
			data = map[string]any{"webhookTargets": pageOf(t, nTargets, req.Variables, wireTargetJSON)}
		case "WebhookVersions":
			data = map[string]any{"webhookVersions": pageOf(t, nVersions, req.Variables, versionJSON)}
		default:
			t.Errorf("unexpected operation %q", req.Op())
		}
		writeJSON(w, 200, map[string]any{"data": data})
	})
}

func TestSnapshotIsOneRequest(t *testing.T) {
	fs := snapshotServer(t, 40, 12)
	c := newClient(t, fastOptions(fs.URL))
	s, err := c.Snapshot(context.Background())
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	if c.RequestCount() != 1 || fs.hits() != 1 {
		t.Fatalf("Snapshot took %d requests (server saw %d), want 1", c.RequestCount(), fs.hits())
	}
	if s.Workspace != (plain.Workspace{ID: "w_1", Name: "Acme"}) {
		t.Errorf("workspace = %+v", s.Workspace)
	}
	if want := []string{"webhookTarget:create", "webhookTarget:read"}; !reflect.DeepEqual(s.Permissions, want) {
		t.Errorf("permissions = %v, want %v", s.Permissions, want)
	}
	if len(s.Versions) != 12 || s.LatestVersion() != "v000" {
		t.Errorf("versions = %d, latest %q", len(s.Versions), s.LatestVersion())
	}
	if len(s.EventTypes) != 1 || s.EventTypes[0].Description != "A thread was created" {
		t.Errorf("event types = %+v", s.EventTypes)
	}
	if len(s.Targets) != 40 {
		t.Errorf("targets = %d, want 40", len(s.Targets))
	}
}

func TestSnapshotFollowsRemainingPages(t *testing.T) {
	fs := snapshotServer(t, 250, 130)
	c := newClient(t, fastOptions(fs.URL))
	s, err := c.Snapshot(context.Background())
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	if len(s.Targets) != 250 || len(s.Versions) != 130 {
		t.Fatalf("got %d targets, %d versions; want 250, 130", len(s.Targets), len(s.Versions))
	}
	var ops []string
	for _, r := range fs.requests() {
		ops = append(ops, r.Op()+"@"+fmt.Sprint(r.Variables["after"]))
	}
	want := []string{"Snapshot@<nil>", "WebhookVersions@100", "ListWebhookTargets@100", "ListWebhookTargets@200"}
	if !reflect.DeepEqual(ops, want) {
		t.Errorf("requests = %v, want %v", ops, want)
	}
}

func TestSnapshotWithoutWorkspace(t *testing.T) {
	fs := newFakeServer(t, func(_ int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"data": map[string]any{"myWorkspace": nil, "myPermissions": map[string]any{"permissions": []any{}}}})
	})
	c := newClient(t, fastOptions(fs.URL))
	if _, err := c.Snapshot(context.Background()); err == nil || !strings.Contains(err.Error(), "no workspace") {
		t.Fatalf("err = %v, want no-workspace error", err)
	}
}

func TestSmallQueries(t *testing.T) {
	fs := newFakeServer(t, func(_ int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
		var data map[string]any
		switch req.Op() {
		case "Permissions":
			data = map[string]any{"myPermissions": map[string]any{"permissions": []any{"webhookTarget:edit", "webhookTarget:create"}}}
		case "EventTypes":
			data = map[string]any{"subscriptionEventTypes": []any{map[string]any{"eventType": "a.b", "description": "d"}}}
		case "WebhookVersions":
			data = map[string]any{"webhookVersions": pageOf(t, 3, req.Variables, versionJSON)}
		case "GetWebhookTarget":
			if req.Variables["id"] == "whTarget_00000000000000000000000007" {
				data = map[string]any{"webhookTarget": wireTargetJSON(7)}
			} else {
				data = map[string]any{"webhookTarget": nil}
			}
		}
		writeJSON(w, 200, map[string]any{"data": data})
	})
	c := newClient(t, fastOptions(fs.URL))
	ctx := context.Background()
	perms, err := c.Permissions(ctx)
	if err != nil || !reflect.DeepEqual(perms, []string{"webhookTarget:create", "webhookTarget:edit"}) {
		t.Errorf("Permissions = %v, %v", perms, err)
	}
	ets, err := c.EventTypes(ctx)
	if err != nil || !reflect.DeepEqual(ets, []plain.EventType{{EventType: "a.b", Description: "d"}}) {
		t.Errorf("EventTypes = %v, %v", ets, err)
	}
	vs, err := c.WebhookVersions(ctx)
	if err != nil || len(vs) != 3 || !vs[0].IsLatest || !vs[1].IsDeprecated {
		t.Errorf("WebhookVersions = %v, %v", vs, err)
	}
	tg, err := c.GetWebhookTarget(ctx, "whTarget_00000000000000000000000007")
	if err != nil || tg == nil || tg.ID != "whTarget_00000000000000000000000007" || tg.Enabled {
		t.Errorf("GetWebhookTarget(found) = %+v, %v", tg, err)
	}
	tg, err = c.GetWebhookTarget(ctx, "whTarget_01HD4400VTDJQ646V6RY37SR10")
	if err != nil || tg != nil {
		t.Errorf("GetWebhookTarget(missing) = %+v, %v; want nil, nil", tg, err)
	}
}

func TestCreateSendsInput(t *testing.T) {
	tests := []struct {
		name string
		in   plain.CreateInput
		want map[string]any
	}{
		{
			name: "without version",
			in:   plain.CreateInput{URL: "https://a.example/h", Description: "d", EventTypes: []string{"b.x", "a.y", "b.x"}, Enabled: true},
			want: map[string]any{"url": "https://a.example/h", "description": "d", "isEnabled": true,
				"eventSubscriptions": []any{map[string]any{"eventType": "a.y"}, map[string]any{"eventType": "b.x"}}},
		},
		{
			name: "with version, disabled",
			in:   plain.CreateInput{URL: "https://a.example/h", Description: "d", EventTypes: []string{"a.y"}, Version: "2025-08-06"},
			want: map[string]any{"url": "https://a.example/h", "description": "d", "isEnabled": false, "version": "2025-08-06",
				"eventSubscriptions": []any{map[string]any{"eventType": "a.y"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeServer(t, func(_ int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(createOK))
			})
			c := newClient(t, fastOptions(fs.URL))
			got, err := c.CreateWebhookTarget(context.Background(), tt.in)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if !reflect.DeepEqual(got.EventTypes, []string{"a.y", "b.x"}) || got.ID != "whTarget_00000000000000000000000001" {
				t.Errorf("target = %+v", got)
			}
			req := fs.requests()[0]
			if req.Op() != "CreateWebhookTarget" {
				t.Errorf("op = %q", req.Op())
			}
			if !reflect.DeepEqual(req.Variables["input"], tt.want) {
				t.Errorf("input = %#v\nwant %#v", req.Variables["input"], tt.want)
			}
		})
	}
}

func TestUpdateSendsOnlySetFields(t *testing.T) {
	url, desc, ver, off := "https://n.example/h", "new", "2025-07-30", false
	tests := []struct {
		name string
		in   plain.UpdateInput
		want map[string]any
	}{
		{
			name: "url only",
			in:   plain.UpdateInput{ID: "whTarget_00000000000000000000000001", URL: &url},
			want: map[string]any{"webhookTargetId": "whTarget_00000000000000000000000001", "url": map[string]any{"value": url}},
		},
		{
			name: "everything",
			in:   plain.UpdateInput{ID: "whTarget_00000000000000000000000001", URL: &url, Description: &desc, EventTypes: []string{"z.z", "a.a"}, Version: &ver, Enabled: &off},
			want: map[string]any{
				"webhookTargetId": "whTarget_00000000000000000000000001",
				"url":             map[string]any{"value": url},
				"description":     map[string]any{"value": desc},
				"eventSubscriptions": []any{
					map[string]any{"eventType": "a.a"}, map[string]any{"eventType": "z.z"},
				},
				"version":   map[string]any{"value": ver},
				"isEnabled": map[string]any{"value": false},
			},
		},
		{
			name: "empty event list is a change",
			in:   plain.UpdateInput{ID: "whTarget_00000000000000000000000001", EventTypes: []string{}},
			want: map[string]any{"webhookTargetId": "whTarget_00000000000000000000000001", "eventSubscriptions": []any{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeServer(t, func(_ int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 200, map[string]any{"data": map[string]any{"updateWebhookTarget": map[string]any{
					"webhookTarget": wireTargetJSON(1), "error": nil,
				}}})
			})
			c := newClient(t, fastOptions(fs.URL))
			got, err := c.UpdateWebhookTarget(context.Background(), tt.in)
			if err != nil || got.ID != "whTarget_00000000000000000000000001" {
				t.Fatalf("Update = %+v, %v", got, err)
			}
			if in := fs.requests()[0].Variables["input"]; !reflect.DeepEqual(in, tt.want) {
				t.Errorf("input = %#v\nwant %#v", in, tt.want)
			}
		})
	}
}

func TestMutationErrorsRenderEveryField(t *testing.T) {
	fs := newFakeServer(t, func(_ int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
		var typ = "VALIDATION"
		if req.Op() == "DeleteWebhookTarget" {
			typ = "FORBIDDEN"
		}
		writeJSON(w, 200, map[string]any{"data": map[string]any{
			"createWebhookTarget": map[string]any{"webhookTarget": nil, "error": map[string]any{
				"message": "Input is invalid", "type": typ, "code": "input_validation",
				"fields": []any{
					map[string]any{"field": "url", "message": "must be https", "type": "VALIDATION"},
					map[string]any{"field": "eventSubscriptions", "message": "unknown event type", "type": "VALIDATION"},
				},
			}},
			"deleteWebhookTarget": map[string]any{"error": map[string]any{
				"message": "Missing permission", "type": typ, "code": "forbidden", "fields": []any{},
			}},
		}})
	})
	c := newClient(t, fastOptions(fs.URL))
	_, err := c.CreateWebhookTarget(context.Background(), createIn)
	var me *MutationError
	if !errors.As(err, &me) || len(me.Fields) != 2 {
		t.Fatalf("err = %v, want a *MutationError with 2 fields", err)
	}
	for _, want := range []string{"create webhook target: ", "Input is invalid", "VALIDATION input_validation", "url: must be https", "eventSubscriptions: unknown event type"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if errors.Is(err, plain.ErrOutcomeUnknown) {
		t.Errorf("a mutation error means nothing was applied, not outcome unknown")
	}
	err = c.DeleteWebhookTarget(context.Background(), "whTarget_00000000000000000000000001")
	if !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), "Missing permission") {
		t.Errorf("delete err = %v, want forbidden", err)
	}
	if fs.hits() != 2 {
		t.Errorf("%d requests, want 2 (mutation errors are not retried)", fs.hits())
	}
}

func TestDeleteSendsID(t *testing.T) {
	fs := newFakeServer(t, func(_ int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"data": map[string]any{"deleteWebhookTarget": map[string]any{"error": nil}}})
	})
	c := newClient(t, fastOptions(fs.URL))
	if err := c.DeleteWebhookTarget(context.Background(), "whTarget_00000000000000000000000009"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	want := map[string]any{"webhookTargetId": "whTarget_00000000000000000000000009"}
	if got := fs.requests()[0].Variables["input"]; !reflect.DeepEqual(got, want) {
		t.Errorf("input = %#v", got)
	}
}

func TestEmptyIDsRejectedWithoutRequest(t *testing.T) {
	fs := newFakeServer(t, func(_ int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s", req.Op())
	})
	c := newClient(t, fastOptions(fs.URL))
	ctx := context.Background()
	errs := []error{
		func() error { _, err := c.GetWebhookTarget(ctx, ""); return err }(),
		func() error { _, err := c.UpdateWebhookTarget(ctx, plain.UpdateInput{}); return err }(),
		c.DeleteWebhookTarget(ctx, ""),
		func() error { _, err := c.ListDeliveryAttempts(ctx, "", DeliveryFilter{}); return err }(),
		func() error {
			_, err := c.ListDeliveryAttempts(ctx, "whTarget_00000000000000000000000001", DeliveryFilter{ResultStatus: "great"})
			return err
		}(),
		func() error {
			_, err := c.ListDeliveryAttempts(ctx, "whTarget_00000000000000000000000001", DeliveryFilter{Limit: -1})
			return err
		}(),
	}
	for i, err := range errs {
		if err == nil {
			t.Errorf("case %d: want an error", i)
		}
	}
}

func attemptJSON(i int) map[string]any {
	results := []map[string]any{
		{"__typename": "WebhookDeliveryAttemptSuccessfulResult", "httpStatusCode": 200},
		{"__typename": "WebhookDeliveryAttemptFailedResult", "httpStatusCode": 503},
		{"__typename": "WebhookDeliveryAttemptErrorResult", "errorCode": "TIMEOUT", "errorMessage": "timed out"},
		{"__typename": "WebhookDeliveryAttemptRejectedResult", "rejectedMessage": "blocked host"},
		{"__typename": "WebhookDeliveryAttemptSchemaValidationFailedResult", "errorMessage": "bad payload"},
	}
	return map[string]any{
		"id": fmt.Sprintf("whAttempt_%026d", i), "webhookTargetId": "whTarget_00000000000000000000000001", "publicEventId": fmt.Sprintf("ev_%d", i),
		"publicEventEventType": "thread.thread_created", "attemptedAt": map[string]any{"iso8601": "2026-05-01T00:00:00Z"},
		"durationInMilliseconds": 10 + i, "result": results[i%len(results)],
	}
}

func TestListDeliveryAttempts(t *testing.T) {
	const n = 230
	fs := newFakeServer(t, func(_ int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
		vars := req.Variables
		if vars["targetId"] != "whTarget_00000000000000000000000001" {
			t.Errorf("targetId = %v", vars["targetId"])
		}
		first := int(vars["first"].(float64))
		start := 0
		if a, ok := vars["after"].(string); ok {
			start, _ = strconv.Atoi(a)
		}
		end := min(start+first, n)
		var edges []any
		for i := start; i < end; i++ {
			edges = append(edges, map[string]any{"node": attemptJSON(i)})
		}
		writeJSON(w, 200, map[string]any{"data": map[string]any{"webhookDeliveryAttempts": map[string]any{
			"edges": edges, "pageInfo": map[string]any{"hasNextPage": end < n, "endCursor": strconv.Itoa(end)},
		}}})
	})
	c := newClient(t, fastOptions(fs.URL))
	ctx := context.Background()

	all, err := c.ListDeliveryAttempts(ctx, "whTarget_00000000000000000000000001", DeliveryFilter{})
	if err != nil || len(all) != n {
		t.Fatalf("all attempts: %d, %v", len(all), err)
	}
	want := []plain.DeliveryAttempt{
		{Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 200},
		{Result: plain.ResultFailedResponse, HTTPStatusCode: 503},
		{Result: plain.ResultError, ErrorCode: "TIMEOUT", Message: "timed out"},
		{Result: plain.ResultRejected, Message: "blocked host"},
		{Result: plain.ResultSchemaValidationFailed, Message: "bad payload"},
	}
	for i, w := range want {
		w.ID, w.WebhookTargetID, w.PublicEventID = fmt.Sprintf("whAttempt_%026d", i), "whTarget_00000000000000000000000001", fmt.Sprintf("ev_%d", i)
		w.EventType, w.AttemptedAt, w.DurationInMilliseconds = "thread.thread_created", time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), 10+i
		if !reflect.DeepEqual(all[i], w) {
			t.Errorf("attempt %d = %+v\nwant %+v", i, all[i], w)
		}
	}
	if reqs := fs.requests(); len(reqs) != 3 || reqs[0].Variables["filters"] != nil {
		t.Errorf("unfiltered listing: %d requests, filters %v", len(reqs), reqs[0].Variables["filters"])
	}

	before := fs.hits()
	some, err := c.ListDeliveryAttempts(ctx, "whTarget_00000000000000000000000001", DeliveryFilter{Limit: 130, ResultStatus: "failed_response", EventTypes: []string{"thread.thread_created"}})
	if err != nil || len(some) != 130 {
		t.Fatalf("limited: %d, %v", len(some), err)
	}
	reqs := fs.requests()[before:]
	if len(reqs) != 2 || reqs[0].Variables["first"] != float64(100) || reqs[1].Variables["first"] != float64(30) {
		t.Errorf("limited listing asked for pages %v", reqs)
	}
	wantFilters := map[string]any{"resultStatus": "FAILED_RESPONSE", "eventTypes": []any{"thread.thread_created"}}
	if !reflect.DeepEqual(reqs[0].Variables["filters"], wantFilters) {
		t.Errorf("filters = %#v", reqs[0].Variables["filters"])
	}
}

// A response without webhookTargets (non-null in Plain's schema) is an
// error, never an empty workspace: planning against "no targets" would
// create every target again.
func TestMissingWebhookTargetsIsAnError(t *testing.T) {
	fs := newFakeServer(t, func(_ int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"data": map[string]any{
			"myWorkspace":   map[string]any{"id": "w_1", "name": "Acme"},
			"myPermissions": map[string]any{"permissions": []any{}},
		}})
	})
	c := newClient(t, fastOptions(fs.URL))
	if _, err := c.Snapshot(context.Background()); err == nil || !strings.Contains(err.Error(), "no webhookTargets") {
		t.Fatalf("Snapshot: err = %v, want a missing-webhookTargets error", err)
	}
	if ts, err := c.ListWebhookTargets(context.Background()); err == nil || !strings.Contains(err.Error(), "no webhookTargets") {
		t.Fatalf("ListWebhookTargets: %d targets, err = %v, want a missing-webhookTargets error", len(ts), err)
	}
}

// TestPaginationIsBounded: a server that keeps returning new items and
// claiming more must be cut off at a cap that names itself, not read until
// memory runs out.
func TestPaginationIsBounded(t *testing.T) {
	for _, tt := range []struct {
		name      string
		perPage   int
		pad       int // bytes of padding per description
		limit     listingLimit
		want      string
		wantPages int
	}{
		{"pages", 1, 0, listingLimit{pages: 100, items: 10_000, bytes: 64 << 20}, "still more after 100 pages", 100},
		{"targets", 100, 0, listingLimit{pages: 1000, items: 1_000, bytes: 64 << 20}, "more than 1000 of them", 11},
		{"bytes", 10, 100_000, listingLimit{pages: 1000, items: 10_000, bytes: 4 << 20}, "more than 4 MiB of responses", 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			saved := targetLimit
			targetLimit = tt.limit
			defer func() { targetLimit = saved }()
			fs := newFakeServer(t, func(n int, req gqlRequest, w http.ResponseWriter, r *http.Request) {
				edges := []any{}
				for i := 0; i < tt.perPage; i++ {
					node := wireTargetJSON(n*tt.perPage + i)
					node["description"] = strings.Repeat("d", tt.pad) + fmt.Sprint(n*tt.perPage+i)
					edges = append(edges, map[string]any{"node": node})
				}
				writeJSON(w, 200, map[string]any{"data": map[string]any{"webhookTargets": map[string]any{
					"edges":    edges,
					"pageInfo": map[string]any{"hasNextPage": n < 100_000, "endCursor": fmt.Sprintf("c%d", n)},
				}}})
			})
			_, err := newClient(t, fastOptions(fs.URL)).ListWebhookTargets(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "listing webhook targets") {
				t.Fatalf("err = %v after %d requests, want %q", err, fs.hits(), tt.want)
			}
			if fs.hits() != tt.wantPages {
				t.Errorf("%d requests, want %d", fs.hits(), tt.wantPages)
			}
		})
	}
	// The production caps sit far above Plain's 25 targets per workspace.
	if targetLimit.pages != 100 || targetLimit.items != 10_000 {
		t.Errorf("target caps %+v", targetLimit)
	}
}
