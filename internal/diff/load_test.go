package diff

import (
	"reflect"
	"testing"

	"github.com/plainsync/plainsync/internal/spec"
)

// TestComputeFromLoadedFile runs the real loader, so that positions and
// interpolated values are what users get.
func TestComputeFromLoadedFile(t *testing.T) {
	env := envOf(map[string]string{"CRM_WEBHOOK_TOKEN": "tok-SECRET-9"})
	d, probs := spec.Load("testdata/plainsync.yaml", env)
	if d == nil {
		t.Fatalf("load: %v", probs)
	}
	live := snapshot(
		target("whTarget_00000000000000000000000001", "old-ops", "https://ops.example.com/plain", "thread.email_sent"),
		target("whTarget_00000000000000000000000002", "manual-x", "https://m.example.com/h"),
	)

	_, probs = Compute(d, live, Options{})
	if len(probs) != 2 {
		t.Fatalf("problems: %v", probs)
	}
	want := spec.Problem{Pos: spec.Pos{File: "testdata/plainsync.yaml", Line: 18, Col: 14}, Severity: spec.SeverityError,
		Message: `unknown event type "thread.thread_craeted" (did you mean "thread.thread_created"?)`}
	// In file order: the deprecated version (line 15) before the typo.
	if probs[1] != want {
		t.Errorf("error:\n got %+v\nwant %+v", probs[1], want)
	}
	if probs[0].Severity != spec.SeverityWarning || probs[0].Pos.Line != 15 {
		t.Errorf("deprecation warning: %+v", probs[0])
	}

	d.Webhooks = d.Webhooks[:2]
	p, probs := Compute(d, live, Options{Prune: true})
	if p == nil {
		t.Fatalf("compute: %v", probs)
	}
	got := briefs(p)
	wantB := []brief{
		{ActionCreate, "crm-sync", "", "", false},
		{ActionUpdate, "renamed", "whTarget_00000000000000000000000001", MatchedByURL, false},
		{ActionUnmanaged, "manual-x", "whTarget_00000000000000000000000002", "", true},
	}
	if !reflect.DeepEqual(got, wantB) {
		t.Fatalf("changes %+v, want %+v", got, wantB)
	}
	if u := p.Changes[0].After.URL; u != "https://crm.example.com/hooks/plain?token=tok-SECRET-9&x=${literal}" {
		t.Errorf("create URL %q", u)
	}
	if p.Changes[0].Pos.Line != 9 {
		t.Errorf("create Pos %v", p.Changes[0].Pos)
	}

}
