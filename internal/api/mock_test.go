package api

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/plainmock"
)

// End-to-end tests against the local Plain stand-in.

func startMock(t *testing.T, cfg plainmock.Config) (*plainmock.Server, *httptest.Server) {
	t.Helper()
	srv, err := plainmock.New(cfg)
	if err != nil {
		t.Fatalf("plainmock.New: %v", err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return srv, hs
}

func mockClient(t *testing.T, hs *httptest.Server, mod func(*Options)) *Client {
	o := fastOptions(hs.URL + plainmock.GraphQLPath)
	o.APIKey = plainmock.DefaultKey
	if mod != nil {
		mod(&o)
	}
	return newClient(t, o)
}

func putTargets(srv *plainmock.Server, n int) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		srv.PutTarget(plain.Target{
			URL:         fmt.Sprintf("https://h%d.example/hook", i),
			Description: fmt.Sprintf("target-%03d", i),
			EventTypes:  []string{"thread.thread_created"},
			Enabled:     true,
			// Equal creation times for some targets exercise the mock's
			// id tie-break across page boundaries.
			CreatedAt: base.Add(time.Duration(i/3) * time.Second),
		})
	}
}

func ids(ts []plain.Target) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	sort.Strings(out)
	return out
}

func TestMockPaginationReturnsEachTargetOnce(t *testing.T) {
	srv, hs := startMock(t, plainmock.Config{})
	putTargets(srv, 250)
	c := mockClient(t, hs, nil)
	got, err := c.ListWebhookTargets(context.Background())
	if err != nil {
		t.Fatalf("ListWebhookTargets: %v", err)
	}
	if !reflect.DeepEqual(ids(got), ids(srv.Targets())) {
		t.Fatalf("listed %d targets, mock has %d, or ids differ", len(got), len(srv.Targets()))
	}
	if c.RequestCount() != 3 {
		t.Errorf("%d requests, want 3 pages of 100", c.RequestCount())
	}
}

func TestMockSnapshotIsOneRequest(t *testing.T) {
	srv, hs := startMock(t, plainmock.Config{})
	putTargets(srv, 60)
	c := mockClient(t, hs, nil)
	before := srv.RequestCount()
	s, err := c.Snapshot(context.Background())
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	if got := srv.RequestCount() - before; got != 1 {
		t.Fatalf("Snapshot cost %d requests at the mock, want 1", got)
	}
	if c.RequestCount() != 1 {
		t.Errorf("client counted %d requests", c.RequestCount())
	}
	if len(s.Targets) != 60 || s.Workspace.ID == "" || len(s.EventTypes) != 30 || s.LatestVersion() != "2026-05-06" {
		t.Errorf("snapshot: %d targets, workspace %+v, %d event types, latest %q", len(s.Targets), s.Workspace, len(s.EventTypes), s.LatestVersion())
	}
	if !reflect.DeepEqual(s.Permissions, plain.SortedUnique(plainmock.AllPermissions)) {
		t.Errorf("permissions = %v", s.Permissions)
	}

	putTargets(srv, 190) // 250 in all: two more pages
	before = srv.RequestCount()
	s, err = c.Snapshot(context.Background())
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	if got := srv.RequestCount() - before; got != 3 || len(s.Targets) != 250 {
		t.Errorf("Snapshot of 250 targets: %d requests, %d targets; want 3, 250", got, len(s.Targets))
	}
}

func TestMockCRUDRoundTrip(t *testing.T) {
	srv, hs := startMock(t, plainmock.Config{})
	c := mockClient(t, hs, nil)
	ctx := context.Background()

	created, err := c.CreateWebhookTarget(ctx, plain.CreateInput{
		URL: "https://crm.example.com/hooks", Description: "crm-sync",
		EventTypes: []string{"thread.thread_created", "customer.customer_created", "thread.thread_created"},
		Version:    "2025-08-06", Enabled: true,
	})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if created.ID == "" || created.Version != "2025-08-06" || !created.Enabled || created.CreatedAt.IsZero() ||
		!reflect.DeepEqual(created.EventTypes, []string{"customer.customer_created", "thread.thread_created"}) {
		t.Fatalf("created = %+v", created)
	}

	got, err := c.GetWebhookTarget(ctx, created.ID)
	if err != nil || got == nil || !reflect.DeepEqual(*got, created) {
		t.Fatalf("Get = %+v, %v; want %+v", got, err, created)
	}

	desc := "crm-sync-v2"
	updated, err := c.UpdateWebhookTarget(ctx, plain.UpdateInput{ID: created.ID, Description: &desc})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if updated.Description != desc || updated.URL != created.URL || updated.Version != created.Version ||
		!reflect.DeepEqual(updated.EventTypes, created.EventTypes) || updated.Enabled != created.Enabled {
		t.Fatalf("update changed more than the description: %+v", updated)
	}

	off := false
	updated, err = c.UpdateWebhookTarget(ctx, plain.UpdateInput{ID: created.ID, Enabled: &off, EventTypes: []string{"thread.note_created"}})
	if err != nil || updated.Enabled || !reflect.DeepEqual(updated.EventTypes, []string{"thread.note_created"}) || updated.Description != desc {
		t.Fatalf("second update = %+v, %v", updated, err)
	}

	list, err := c.ListWebhookTargets(ctx)
	if err != nil || len(list) != 1 || !reflect.DeepEqual(list[0], updated) {
		t.Fatalf("List = %+v, %v", list, err)
	}

	if err := c.DeleteWebhookTarget(ctx, created.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	got, err = c.GetWebhookTarget(ctx, created.ID)
	if err != nil || got != nil {
		t.Fatalf("Get after delete = %+v, %v; want nil, nil", got, err)
	}
	if n := len(srv.Targets()); n != 0 {
		t.Fatalf("mock still has %d targets", n)
	}
}

func TestMockMutationValidationError(t *testing.T) {
	_, hs := startMock(t, plainmock.Config{})
	c := mockClient(t, hs, nil)
	_, err := c.CreateWebhookTarget(context.Background(), plain.CreateInput{
		URL: "https://a.example/h", Description: "x", EventTypes: []string{"no.such_event"}, Enabled: true,
	})
	var me *MutationError
	if !errors.As(err, &me) || len(me.Fields) == 0 || errors.Is(err, plain.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want a *MutationError with field errors", err)
	}
	if !strings.Contains(err.Error(), me.Fields[0].Field+": ") {
		t.Errorf("error %q does not render field %q", err, me.Fields[0].Field)
	}
}

func TestMockAuthErrors(t *testing.T) {
	srv, hs := startMock(t, plainmock.Config{})
	srv.AddKey("plainApiKey_readonly", []string{plain.PermRead})
	ctx := context.Background()

	bad := mockClient(t, hs, func(o *Options) { o.APIKey = testKey })
	if _, err := bad.Snapshot(ctx); !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "API key rejected") {
		t.Errorf("unknown key: err = %v", err)
	}

	ro := mockClient(t, hs, func(o *Options) { o.APIKey = "plainApiKey_readonly" })
	if _, err := ro.Snapshot(ctx); err != nil {
		t.Fatalf("read-only Snapshot: %v", err)
	}
	_, err := ro.CreateWebhookTarget(ctx, plain.CreateInput{URL: "https://a.example/h", Description: "x", EventTypes: []string{"thread.thread_created"}})
	if !errors.Is(err, ErrForbidden) || errors.Is(err, plain.ErrOutcomeUnknown) {
		t.Errorf("read-only create: err = %v, want forbidden", err)
	}
}

func TestMockHTML502(t *testing.T) {
	srv, hs := startMock(t, plainmock.Config{FailRate: 1})
	c := mockClient(t, hs, nil)
	before := srv.RequestCount()
	_, err := c.Snapshot(context.Background())
	if err == nil || !strings.Contains(err.Error(), "HTTP 502") || !strings.Contains(err.Error(), "502 Bad Gateway") || strings.Contains(err.Error(), "<") {
		t.Fatalf("err = %v, want a sanitised HTTP 502 error", err)
	}
	if got := srv.RequestCount() - before; got != 3 {
		t.Errorf("query tried %d times, want 3 (1 + MaxRetries)", got)
	}

	before = srv.RequestCount()
	_, err = c.CreateWebhookTarget(context.Background(), plain.CreateInput{URL: "https://a.example/h", Description: "x", EventTypes: []string{"thread.thread_created"}})
	if !errors.Is(err, plain.ErrOutcomeUnknown) {
		t.Errorf("create through a 502: err = %v, want outcome unknown", err)
	}
	if got := srv.RequestCount() - before; got != 1 {
		t.Errorf("create sent %d times, want 1", got)
	}
}

func TestMockFlakyGatewayIsRiddenOut(t *testing.T) {
	srv, hs := startMock(t, plainmock.Config{FailRate: 0.3, Seed: 7})
	putTargets(srv, 250)
	c := mockClient(t, hs, func(o *Options) { o.MaxRetries = 10 })
	s, err := c.Snapshot(context.Background())
	if err != nil {
		t.Fatalf("Snapshot through a flaky gateway: %v", err)
	}
	if len(s.Targets) != 250 {
		t.Fatalf("got %d targets", len(s.Targets))
	}
	if srv.RequestCount() <= 3 {
		t.Errorf("mock saw %d requests; the fault injector never fired, so this test proves nothing", srv.RequestCount())
	}
}

func TestMockDropAfterCommitIsOutcomeUnknown(t *testing.T) {
	srv, hs := startMock(t, plainmock.Config{DropAfterCommit: 1})
	c := mockClient(t, hs, nil)
	_, err := c.CreateWebhookTarget(context.Background(), plain.CreateInput{
		URL: "https://a.example/h", Description: "dropped", EventTypes: []string{"thread.thread_created"}, Enabled: true,
	})
	if !errors.Is(err, plain.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want outcome unknown", err)
	}
	// Committed exactly once: the client did not create again.
	ts := srv.Targets()
	if len(ts) != 1 || ts[0].Description != "dropped" {
		t.Fatalf("mock has %+v, want exactly the one committed target", ts)
	}
	// Queries are unaffected by drop-after-commit and see the target.
	list, err := c.ListWebhookTargets(context.Background())
	if err != nil || len(list) != 1 {
		t.Fatalf("List = %v, %v", list, err)
	}
}

// TestMock429StormIsRiddenOut: the mock counts requests in fixed one-minute
// windows. Both sides share a clock shifted so that the window ends about
// two seconds after the test starts, so the storm's reset is near. The
// mock's latency keeps every request in flight before the first answer
// (and its x-ratelimit-remaining) arrives, so the client cannot spread them
// out in advance and the storm is certain.
func TestMock429StormIsRiddenOut(t *testing.T) {
	real := time.Now()
	offset := real.Truncate(time.Minute).Add(58 * time.Second).Sub(real)
	if offset < 0 {
		offset += time.Minute
	}
	clock := func() time.Time { return time.Now().Add(offset) }
	srv, hs := startMock(t, plainmock.Config{RateLimit: 5, Now: clock, Latency: 300 * time.Millisecond})
	c := mockClient(t, hs, func(o *Options) { o.MaxRateLimitWait = 10 * time.Second })
	c.tr.clock = shiftedClock{offset}
	c.tr.limiter.clock = c.tr.clock

	const n = 9 // 5 in the first window, 4 after its reset: within the next window's 5
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Workspace(context.Background())
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("request %d: %v", i, err)
		}
	}
	if srv.RequestCount() <= n {
		t.Errorf("mock saw %d requests for %d calls: no 429 happened, so this test proves nothing", srv.RequestCount(), n)
	}
}

func TestMockDeliveryAttempts(t *testing.T) {
	srv, hs := startMock(t, plainmock.Config{})
	tg := srv.PutTarget(plain.Target{URL: "https://a.example/h", Description: "d", EventTypes: []string{"thread.thread_created"}, Enabled: true})
	base := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	seeded := []plain.DeliveryAttempt{
		{Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 200},
		{Result: plain.ResultFailedResponse, HTTPStatusCode: 500},
		{Result: plain.ResultError, ErrorCode: "ECONNREFUSED", Message: "connection refused"},
		{Result: plain.ResultRejected, Message: "rejected by policy"},
		{Result: plain.ResultSchemaValidationFailed, Message: "payload invalid"},
	}
	for i := range seeded {
		seeded[i].WebhookTargetID = tg.ID
		seeded[i].EventType = "thread.thread_created"
		seeded[i].DurationInMilliseconds = 100 + i
		seeded[i].AttemptedAt = base.Add(-time.Duration(i) * time.Minute) // newest first
		seeded[i].ID = fmt.Sprintf("whAttempt_%026d", i)
		seeded[i].PublicEventID = fmt.Sprintf("pEv_%026d", i)
	}
	srv.AddDeliveryAttempts(seeded...)
	c := mockClient(t, hs, nil)
	got, err := c.ListDeliveryAttempts(context.Background(), tg.ID, DeliveryFilter{})
	if err != nil {
		t.Fatalf("ListDeliveryAttempts: %v", err)
	}
	if !reflect.DeepEqual(got, seeded) {
		t.Fatalf("attempts =\n%+v\nwant\n%+v", got, seeded)
	}
	failed, err := c.ListDeliveryAttempts(context.Background(), tg.ID, DeliveryFilter{ResultStatus: plain.ResultFailedResponse})
	if err != nil || len(failed) != 1 || failed[0].HTTPStatusCode != 500 {
		t.Fatalf("filtered = %+v, %v", failed, err)
	}
}
