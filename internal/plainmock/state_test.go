package plainmock

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

func TestStatePersistsAcrossServers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	a := newMock(t, Config{StatePath: path})
	mustOK(t, a.gql(snapshotDoc, map[string]any{"first": 100}))
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a read-only run created the state file (err %v)", err)
	}
	id := a.create(createInput("https://a.example.com/", "first", "thread.thread_created"))
	gone := a.create(createInput("https://b.example.com/", "second"))
	mustOK(t, a.gql(deleteDoc, map[string]any{"id": gone}))

	b := newMock(t, Config{StatePath: path})
	got := b.srv.Targets()
	if len(got) != 1 || got[0].ID != id || got[0].Description != "first" ||
		got[0].Version != "2026-05-06" || !got[0].CreatedAt.Equal(a.srv.Targets()[0].CreatedAt) {
		t.Fatalf("second server sees %+v", got)
	}
	r := mustOK(t, b.gql(`query($id: ID!) { webhookTarget(webhookTargetId: $id) { description } }`, map[string]any{"id": id}))
	if r.data("webhookTarget.description") != "first" {
		t.Errorf("second server over HTTP: %s", r.Raw)
	}

	var st map[string]any
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatalf("state file is not JSON: %v", err)
	}
	for _, k := range []string{"workspace", "targets", "deliveryAttempts"} {
		if _, ok := st[k]; !ok {
			t.Errorf("state file lacks %q: %s", k, raw)
		}
	}
	// No temporary files are left next to it.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("state dir holds %d entries, want only the state file", len(entries))
	}
}

const handWrittenState = `{
  "workspace": {"id": "w_handwritten", "name": "Hand Written"},
  "keys": {"plainApiKey_ci": ["webhookTarget:read"], "plainApiKey_admin": ["webhookTarget:read", "webhookTarget:create", "webhookTarget:edit", "webhookTarget:delete"]},
  "targets": [
    {"id": "whTarget_01HD4400VTDJQ646V6RY37SR07", "url": "https://a.example.com/", "description": "a",
     "eventTypes": ["thread.thread_created"], "version": "2025-08-06", "enabled": true,
     "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-02T00:00:00Z"}
  ],
  "deliveryAttempts": [
    {"id": "whAttempt_00000000000000000000000001", "webhookTargetId": "whTarget_01HD4400VTDJQ646V6RY37SR07", "publicEventId": "pEv_00000000000000000000000001",
     "eventType": "thread.thread_created", "attemptedAt": "2026-01-03T00:00:00Z", "durationInMilliseconds": 120,
     "result": "failed_response", "httpStatusCode": 503}
  ]
}
`

func TestReadOnlyRequestsLeaveStateFileByteIdentical(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte(handWrittenState), 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(path)
	m := newMock(t, Config{StatePath: path})
	admin := func(doc string, vars map[string]any) response {
		return m.post("plainApiKey_admin", map[string]any{"query": doc, "variables": vars})
	}
	mustOK(t, admin(snapshotDoc, map[string]any{"first": 100}))
	mustOK(t, admin(`{ webhookDeliveryAttempts(webhookTargetId: "whTarget_01HD4400VTDJQ646V6RY37SR07") { edges { node { id } } } }`, nil))
	// Mutations that change nothing: invalid, not found, forbidden, no-op.
	mustOK(t, admin(createDoc, map[string]any{"input": createInput("bad", "")}))
	mustOK(t, admin(deleteDoc, map[string]any{"id": "whTarget_01HD4400VTDJQ646V6RY37SR10"}))
	m.post("plainApiKey_ci", map[string]any{"query": deleteDoc, "variables": map[string]any{"id": "whTarget_01HD4400VTDJQ646V6RY37SR07"}})
	mustOK(t, admin(updateDoc, map[string]any{"input": map[string]any{"webhookTargetId": "whTarget_01HD4400VTDJQ646V6RY37SR07", "description": map[string]any{"value": "a"}}}))
	m.gql(wsQuery, nil) // 401: the default key is off when the file has keys

	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != handWrittenState {
		t.Errorf("read-only traffic rewrote the state file:\n%s", after)
	}
	if st, _ := os.Stat(path); !st.ModTime().Equal(before.ModTime()) {
		t.Error("read-only traffic touched the state file")
	}
}

func TestStateFileKeysWorkspaceAndAttempts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte(handWrittenState), 0o644); err != nil {
		t.Fatal(err)
	}
	m := newMock(t, Config{StatePath: path})
	if r := m.gql(wsQuery, nil); r.Status != 401 {
		t.Errorf("default key accepted although the state file names keys: %d", r.Status)
	}
	r := mustOK(t, m.post("plainApiKey_ci", map[string]any{"query": `{ myWorkspace { id name } myPermissions { permissions } }`}))
	if r.data("myWorkspace.id") != "w_handwritten" || r.data("myWorkspace.name") != "Hand Written" {
		t.Errorf("workspace = %v", r.data("myWorkspace"))
	}
	if strings.Join(toStrings(r.data("myPermissions.permissions")), ",") != plain.PermRead {
		t.Errorf("permissions = %v", r.data("myPermissions.permissions"))
	}
	r = mustOK(t, m.post("plainApiKey_ci", map[string]any{"query": attemptsDoc, "variables": map[string]any{"id": "whTarget_01HD4400VTDJQ646V6RY37SR07"}}))
	node := r.data("webhookDeliveryAttempts.edges").([]any)[0].(map[string]any)["node"].(map[string]any)
	res := node["result"].(map[string]any)
	if node["id"] != "whAttempt_00000000000000000000000001" || res["__typename"] != "WebhookDeliveryAttemptFailedResult" || res["httpStatusCode"] != float64(503) || res["status"] != "FAILED_RESPONSE" {
		t.Errorf("seeded attempt = %v", node)
	}

	// Config keys add to the file's keys and are not written back.
	m2 := newMock(t, Config{StatePath: path, Keys: map[string][]string{"plainApiKey_flag": AllPermissions}})
	mustOK(t, m2.post("plainApiKey_flag", map[string]any{"query": wsQuery}))
	mustOK(t, m2.post("plainApiKey_ci", map[string]any{"query": wsQuery}))
	m2.srv.PutTarget(plain.Target{URL: "https://n.example.com/", Description: "n"})
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), "plainApiKey_flag") || !strings.Contains(string(raw), "plainApiKey_ci") {
		t.Errorf("keys in the rewritten state file: %s", raw)
	}
}

func TestHandWrittenTargetsGetIDsAndTimestampsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	const minimal = `{"workspace": {"id": "w_1", "name": "One"}, "targets": [
  {"url": "https://a.example.com/", "description": "a", "eventTypes": ["thread.thread_created", "customer.customer_created"], "enabled": true},
  {"url": "https://b.example.com/", "description": "b", "eventTypes": []}
]}`
	if err := os.WriteFile(path, []byte(minimal), 0o644); err != nil {
		t.Fatal(err)
	}
	a := newMock(t, Config{StatePath: path})
	got := a.srv.Targets()
	if len(got) != 2 || got[0].Description != "a" || got[1].Description != "b" {
		t.Fatalf("targets = %+v (file order must be kept)", got)
	}
	for _, tg := range got {
		if !targetIDPattern.MatchString(tg.ID) || tg.CreatedAt.IsZero() || tg.UpdatedAt.IsZero() || tg.Version != "2026-05-06" {
			t.Errorf("not filled in: %+v", tg)
		}
	}
	if strings.Join(got[0].EventTypes, ",") != "customer.customer_created,thread.thread_created" {
		t.Errorf("event types not normalised: %v", got[0].EventTypes)
	}
	// The filled-in values were written, so a second server agrees.
	b := newMock(t, Config{StatePath: path})
	again := b.srv.Targets()
	if len(again) != 2 || again[0].ID != got[0].ID || again[1].ID != got[1].ID {
		t.Errorf("ids changed between loads: %v vs %v", got, again)
	}
	raw, _ := os.ReadFile(path)
	if !strings.Contains(string(raw), `"createdAt"`) {
		t.Errorf("state file not completed: %s", raw)
	}
}

func TestBadStateFilesAreRejected(t *testing.T) {
	cases := map[string]string{
		"not json":      `{`,
		"unknown field": `{"workspace": {"id": "w"}, "targets": [{"url": "https://a", "descripton": "typo"}]}`,
		"bad result":    `{"deliveryAttempts": [{"webhookTargetId": "x", "result": "great"}]}`,
		"duplicate id":  `{"targets": [{"id": "whTarget_00000000000000000000000001", "url": "https://a"}, {"id": "whTarget_00000000000000000000000001", "url": "https://b"}]}`,
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := New(Config{StatePath: path})
			if err == nil {
				t.Fatal("New accepted the file")
			}
			if !strings.Contains(err.Error(), "state") {
				t.Errorf("error does not say it is about the state file: %v", err)
			}
		})
	}
}

func TestPutTargetPersistsAndReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "state.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	m := newMock(t, Config{StatePath: path})
	tg := m.srv.PutTarget(plain.Target{URL: "https://a.example.com/", Description: "a", EventTypes: []string{"b", "a", "a"}})
	if !targetIDPattern.MatchString(tg.ID) || strings.Join(tg.EventTypes, ",") != "a,b" {
		t.Errorf("PutTarget = %+v", tg)
	}
	m.clock.Advance(time.Hour)
	tg.Description = "renamed"
	tg.UpdatedAt = time.Time{}
	re := m.srv.PutTarget(tg)
	if !re.CreatedAt.Equal(tg.CreatedAt) || !re.UpdatedAt.After(tg.CreatedAt) {
		t.Errorf("replace kept createdAt %v, updatedAt %v", re.CreatedAt, re.UpdatedAt)
	}
	b := newMock(t, Config{StatePath: path})
	if got := b.srv.Targets(); len(got) != 1 || got[0].Description != "renamed" {
		t.Errorf("persisted = %+v", got)
	}
}

func toStrings(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// TestStateFileIsPrivate: the state file holds API keys (its "keys") and
// webhook URLs with their tokens, so a write must not leave it readable by
// other users, whatever mode the file had before.
func TestStateFileIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte(handWrittenState), 0o600); err != nil {
		t.Fatal(err)
	}
	m := newMock(t, Config{StatePath: path})
	r := mustOK(t, m.post("plainApiKey_admin", map[string]any{"query": createDoc, "variables": map[string]any{
		"input": createInput("https://b.example.com/?token=t0k3n", "b", "thread.thread_created")}}))
	if r.data("createWebhookTarget.webhookTarget.id") == nil {
		t.Fatalf("create failed: %s", r.Raw)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("state file mode after a change is %v, want no access for group or others", perm)
	}
}
