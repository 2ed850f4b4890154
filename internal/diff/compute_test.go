package diff

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

// brief is a compact view of one change for table assertions.
type brief struct {
	Action    Action
	Name      string
	ID        string
	MatchedBy string
	Ignored   bool
}

func briefs(p *Plan) []brief {
	var out []brief
	for _, c := range p.Changes {
		out = append(out, brief{c.Action, c.Name, c.TargetID, c.MatchedBy, c.Ignored})
	}
	return out
}

func mustCompute(t *testing.T, d *spec.Desired, live *plain.Snapshot, o Options) *Plan {
	t.Helper()
	p, probs := Compute(d, live, o)
	for _, pr := range probs {
		if pr.Severity == spec.SeverityError {
			t.Fatalf("unexpected problems: %v", probs)
		}
	}
	if p == nil {
		t.Fatal("nil plan without error problems")
	}
	return p
}

func TestComputeMatching(t *testing.T) {
	const ev = "thread.thread_created"
	pinned := func(w spec.Webhook, id string) spec.Webhook {
		w.ID = text(id, w.Pos.Line+5, 9)
		return w
	}
	cases := []struct {
		name  string
		d     *spec.Desired
		live  *plain.Snapshot
		want  []brief
		prune bool
	}{
		{
			name: "no live targets: create",
			d:    desired(webhook(5, "a", "https://a.example/h", ev)),
			live: snapshot(),
			want: []brief{{ActionCreate, "a", "", "", false}},
		},
		{
			name: "description equals name: no-op",
			d:    desired(webhook(5, "a", "https://a.example/h", ev)),
			live: snapshot(target("whTarget_00000000000000000000000001", "a", "https://a.example/h", ev)),
			want: []brief{{ActionNoop, "a", "whTarget_00000000000000000000000001", MatchedByDescription, false}},
		},
		{
			name: "id pin wins over description",
			d: desired(
				pinned(webhook(5, "new-name", "https://a.example/h", ev), "whTarget_00000000000000000000000002"),
			),
			live: snapshot(
				target("whTarget_00000000000000000000000001", "new-name", "https://other.example/h", ev),
				target("whTarget_00000000000000000000000002", "old-name", "https://a.example/h", ev),
			),
			want: []brief{
				{ActionUpdate, "new-name", "whTarget_00000000000000000000000002", MatchedByID, false},
				{ActionUnmanaged, "new-name", "whTarget_00000000000000000000000001", "", false},
			},
		},
		{
			name: "pinned target taken out of the description candidates",
			d: desired(
				pinned(webhook(5, "a", "https://a.example/h", ev), "whTarget_00000000000000000000000001"),
				webhook(15, "dup", "https://b.example/h", ev),
			),
			live: snapshot(
				target("whTarget_00000000000000000000000001", "dup", "https://a.example/h", ev),
				target("whTarget_00000000000000000000000002", "dup", "https://b.example/h", ev),
			),
			want: []brief{
				{ActionUpdate, "a", "whTarget_00000000000000000000000001", MatchedByID, false},
				{ActionNoop, "dup", "whTarget_00000000000000000000000002", MatchedByDescription, false},
			},
		},
		{
			name: "same URL, one unmatched live target: rename",
			d:    desired(webhook(5, "renamed", "https://a.example/h", ev)),
			live: snapshot(target("whTarget_00000000000000000000000001", "old", "https://a.example/h", ev)),
			want: []brief{{ActionUpdate, "renamed", "whTarget_00000000000000000000000001", MatchedByURL, false}},
		},
		{
			name: "same URL on two live targets: create, both unmanaged",
			d:    desired(webhook(5, "renamed", "https://a.example/h", ev)),
			live: snapshot(
				target("whTarget_00000000000000000000000001", "old1", "https://a.example/h", ev),
				target("whTarget_00000000000000000000000002", "old2", "https://a.example/h", ev),
			),
			want: []brief{
				{ActionCreate, "renamed", "", "", false},
				{ActionUnmanaged, "old1", "whTarget_00000000000000000000000001", "", false},
				{ActionUnmanaged, "old2", "whTarget_00000000000000000000000002", "", false},
			},
		},
		{
			name: "same URL but the live target is ignored: create",
			d: func() *spec.Desired {
				d := desired(webhook(5, "renamed", "https://a.example/h", ev))
				d.Ignore = []spec.IgnoreRule{{Name: "manual-*", Pos: pos(3, 5)}}
				return d
			}(),
			live: snapshot(target("whTarget_00000000000000000000000001", "manual-1", "https://a.example/h", ev)),
			want: []brief{
				{ActionCreate, "renamed", "", "", false},
				{ActionUnmanaged, "manual-1", "whTarget_00000000000000000000000001", "", true},
			},
		},
		{
			name: "description match takes precedence over another webhook's URL match",
			d: desired(
				webhook(5, "a", "https://shared.example/h", ev),
				webhook(15, "b", "https://b.example/h", ev),
			),
			live: snapshot(target("whTarget_00000000000000000000000001", "b", "https://shared.example/h", ev)),
			want: []brief{
				{ActionCreate, "a", "", "", false},
				{ActionUpdate, "b", "whTarget_00000000000000000000000001", MatchedByDescription, false},
			},
		},
		{
			name: "a live target is matched at most once by URL",
			d: desired(
				webhook(5, "a", "https://shared.example/h", ev),
				webhook(15, "b", "https://shared.example/h", ev),
			),
			live: snapshot(target("whTarget_00000000000000000000000001", "old", "https://shared.example/h", ev)),
			want: []brief{
				{ActionCreate, "b", "", "", false},
				{ActionUpdate, "a", "whTarget_00000000000000000000000001", MatchedByURL, false},
			},
		},
		{
			name: "unmatched live target is unmanaged without prune",
			d:    desired(),
			live: snapshot(target("whTarget_00000000000000000000000001", "stray", "https://s.example/h", ev)),
			want: []brief{{ActionUnmanaged, "stray", "whTarget_00000000000000000000000001", "", false}},
		},
		{
			name:  "unmatched live target is deleted with prune",
			d:     desired(),
			live:  snapshot(target("whTarget_00000000000000000000000001", "stray", "https://s.example/h", ev)),
			prune: true,
			want:  []brief{{ActionDelete, "stray", "whTarget_00000000000000000000000001", "", false}},
		},
		{
			name: "ignored by URL glob (star crosses slashes) survives prune",
			d: func() *spec.Desired {
				d := desired()
				d.Ignore = []spec.IgnoreRule{{URL: "https://*.ngrok-free.app/*", Pos: pos(3, 5)}}
				return d
			}(),
			live: snapshot(
				target("whTarget_00000000000000000000000001", "tunnel", "https://abc.ngrok-free.app/deep/path?x=1", ev),
				target("whTarget_00000000000000000000000002", "stray", "https://s.example/h", ev),
			),
			prune: true,
			want: []brief{
				{ActionDelete, "stray", "whTarget_00000000000000000000000002", "", false},
				{ActionUnmanaged, "tunnel", "whTarget_00000000000000000000000001", "", true},
			},
		},
		{
			name: "changes ordered creates, updates, deletes, no-ops, unmanaged, by name",
			d: func() *spec.Desired {
				d := desired(
					webhook(5, "z-create", "https://zc.example/h", ev),
					webhook(15, "a-create", "https://ac.example/h", ev),
					webhook(25, "noop", "https://n.example/h", ev),
					webhook(35, "upd", "https://u2.example/h", ev),
				)
				d.Ignore = []spec.IgnoreRule{{Name: "keep-*"}}
				return d
			}(),
			live: snapshot(
				target("whTarget_00000000000000000000000005", "keep-me", "https://k.example/h", ev),
				target("whTarget_00000000000000000000000004", "noop", "https://n.example/h", ev),
				target("whTarget_00000000000000000000000003", "upd", "https://u.example/h", ev),
				target("whTarget_00000000000000000000000002", "b-del", "https://d2.example/h", ev),
				target("whTarget_00000000000000000000000001", "a-del", "https://d1.example/h", ev),
			),
			prune: true,
			want: []brief{
				{ActionCreate, "a-create", "", "", false},
				{ActionCreate, "z-create", "", "", false},
				{ActionUpdate, "upd", "whTarget_00000000000000000000000003", MatchedByDescription, false},
				{ActionDelete, "a-del", "whTarget_00000000000000000000000001", "", false},
				{ActionDelete, "b-del", "whTarget_00000000000000000000000002", "", false},
				{ActionNoop, "noop", "whTarget_00000000000000000000000004", MatchedByDescription, false},
				{ActionUnmanaged, "keep-me", "whTarget_00000000000000000000000005", "", true},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := mustCompute(t, tc.d, tc.live, Options{Prune: tc.prune})
			if got := briefs(p); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("changes:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestComputeErrors(t *testing.T) {
	const ev = "thread.thread_created"
	cases := []struct {
		name    string
		d       func() *spec.Desired
		live    *plain.Snapshot
		wantPos spec.Pos
		want    []string // substrings of the one error's message
	}{
		{
			name: "pinned id missing",
			d: func() *spec.Desired {
				w := webhook(5, "a", "https://a.example/h", ev)
				w.ID = text("whTarget_01HD4400VTDJQ646V6RY37SR0X", 10, 9)
				return desired(w)
			},
			live:    snapshot(target("whTarget_00000000000000000000000001", "a", "https://a.example/h", ev)),
			wantPos: pos(10, 9),
			want:    []string{"whTarget_01HD4400VTDJQ646V6RY37SR0X", "does not exist", "w_1"},
		},
		{
			name: "two live targets with the name",
			d:    func() *spec.Desired { return desired(webhook(5, "dup", "https://a.example/h", ev)) },
			live: snapshot(
				target("whTarget_00000000000000000000000002", "dup", "https://a.example/h", ev),
				target("whTarget_00000000000000000000000001", "dup", "https://b.example/h", ev),
			),
			wantPos: pos(5, 11),
			want:    []string{"whTarget_00000000000000000000000001, whTarget_00000000000000000000000002", `"dup"`, "pin one with id"},
		},
		{
			name:    "unknown exact event type with a suggestion",
			d:       func() *spec.Desired { return desired(webhook(5, "a", "https://a.example/h", "thread.thread_craeted")) },
			live:    snapshot(),
			wantPos: pos(7, 14),
			want:    []string{`unknown event type "thread.thread_craeted"`, `did you mean "thread.thread_created"?`},
		},
		{
			name:    "unknown event type missing its namespace",
			d:       func() *spec.Desired { return desired(webhook(5, "a", "https://a.example/h", ev, "email_sent")) },
			live:    snapshot(),
			wantPos: pos(7, 24),
			want:    []string{`unknown event type "email_sent"`, `did you mean "thread.email_sent"?`},
		},
		{
			name:    "glob that matches nothing",
			d:       func() *spec.Desired { return desired(webhook(5, "a", "https://a.example/h", "ticket.*")) },
			live:    snapshot(),
			wantPos: pos(7, 14),
			want:    []string{`event pattern "ticket.*" matches no event type`},
		},
		{
			name: "unknown webhook version lists valid ones",
			d: func() *spec.Desired {
				w := webhook(5, "a", "https://a.example/h", ev)
				w.WebhookVersion = text("2020-01-01", 9, 21)
				return desired(w)
			},
			live:    snapshot(),
			wantPos: pos(9, 21),
			want:    []string{`unknown webhook version "2020-01-01"`, "2026-05-06 (latest)", "2025-08-06"},
		},
		{
			name: "workspace guard",
			d: func() *spec.Desired {
				d := desired(webhook(5, "a", "https://a.example/h", "no.such_event"))
				d.Workspace = text("w_other", 2, 12)
				return d
			},
			live:    snapshot(),
			wantPos: pos(2, 12),
			want:    []string{"workspace guard: file is for w_other but the API key belongs to w_1 (Acme)"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, probs := Compute(tc.d(), tc.live, Options{})
			if p != nil {
				t.Fatalf("got a plan despite an error: %+v", briefs(p))
			}
			var errs []spec.Problem
			for _, pr := range probs {
				if pr.Severity == spec.SeverityError {
					errs = append(errs, pr)
				}
			}
			if len(errs) != 1 {
				t.Fatalf("want exactly one error, got %v", probs)
			}
			if errs[0].Pos != tc.wantPos {
				t.Errorf("error at %v, want %v", errs[0].Pos, tc.wantPos)
			}
			for _, w := range tc.want {
				if !strings.Contains(errs[0].Message, w) {
					t.Errorf("error %q does not contain %q", errs[0].Message, w)
				}
			}
		})
	}
}

func TestComputeReportsEveryError(t *testing.T) {
	d := desired(
		webhook(5, "a", "https://a.example/h", "nope.one"),
		webhook(15, "b", "https://b.example/h", "nope.*"),
	)
	_, probs := Compute(d, snapshot(), Options{})
	if len(probs) != 2 || probs[0].Pos.Line != 7 || probs[1].Pos.Line != 17 {
		t.Fatalf("want two errors in file order, got %v", probs)
	}
}

func TestComputeNoSuggestionForDistantTypes(t *testing.T) {
	_, probs := Compute(desired(webhook(5, "a", "https://a.example/h", "zzzzzz")), snapshot(), Options{})
	if len(probs) != 1 || strings.Contains(probs[0].Message, "did you mean") {
		t.Fatalf("want one error without a suggestion, got %v", probs)
	}
}

func TestComputeFieldChanges(t *testing.T) {
	live := target("whTarget_00000000000000000000000001", "old", "https://old.example/h", "thread.email_sent", "thread.thread_created")
	live.Enabled = true
	w := webhook(5, "new", "https://old.example/h", "thread.thread_created", "customer.*")
	w.Enabled = false
	w.WebhookVersion = text("2026-05-06", 9, 21)
	// Renamed via URL rule, so the description changes; then flip the URL
	// via a pin to exercise every field at once.
	w.ID = text("whTarget_00000000000000000000000001", 10, 9)
	w.URL = text("https://new.example/h", 6, 10)
	p := mustCompute(t, desired(w), snapshot(live), Options{})
	if len(p.Changes) != 1 {
		t.Fatalf("changes: %+v", briefs(p))
	}
	ch := p.Changes[0]
	want := []FieldChange{
		{Field: FieldDescription, Before: "old", After: "new"},
		{Field: FieldURL, Before: "https://old.example/h", After: "https://new.example/h"},
		{Field: FieldEvents, Added: []string{"customer.customer_created", "customer.customer_deleted"}, Removed: []string{"thread.email_sent"}},
		{Field: FieldVersion, Before: "2025-08-06", After: "2026-05-06"},
		{Field: FieldEnabled, Before: "true", After: "false"},
	}
	if ch.Action != ActionUpdate || !reflect.DeepEqual(ch.Fields, want) {
		t.Fatalf("fields:\n got %+v\nwant %+v", ch.Fields, want)
	}
	if ch.Pos != w.Pos {
		t.Errorf("Pos = %v, want the webhook's %v", ch.Pos, w.Pos)
	}
	if !reflect.DeepEqual(ch.EventPatterns, []string{"thread.thread_created", "customer.*"}) {
		t.Errorf("EventPatterns = %v", ch.EventPatterns)
	}
	if ch.After.ID != "whTarget_00000000000000000000000001" || ch.Before.ID != "whTarget_00000000000000000000000001" {
		t.Errorf("before/after ids: %q %q", ch.Before.ID, ch.After.ID)
	}
}

func TestComputeEachFieldAlone(t *testing.T) {
	base := func() (spec.Webhook, plain.Target) {
		w := webhook(5, "a", "https://a.example/h", "thread.thread_created")
		w.WebhookVersion = text("2025-08-06", 9, 21)
		return w, target("whTarget_00000000000000000000000001", "a", "https://a.example/h", "thread.thread_created")
	}
	cases := []struct {
		field  string
		mutate func(*spec.Webhook, *plain.Target)
	}{
		{FieldDescription, func(w *spec.Webhook, l *plain.Target) {
			w.ID = text("whTarget_00000000000000000000000001", 10, 9)
			l.Description = "other"
		}},
		{FieldURL, func(w *spec.Webhook, l *plain.Target) { l.URL = "https://b.example/h" }},
		{FieldEvents, func(w *spec.Webhook, l *plain.Target) { l.EventTypes = []string{"thread.email_sent"} }},
		{FieldVersion, func(w *spec.Webhook, l *plain.Target) { l.Version = "2025-07-30" }},
		{FieldEnabled, func(w *spec.Webhook, l *plain.Target) { l.Enabled = false }},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			w, l := base()
			tc.mutate(&w, &l)
			p := mustCompute(t, desired(w), snapshot(l), Options{})
			ch := p.Changes[0]
			if ch.Action != ActionUpdate || len(ch.Fields) != 1 || ch.Fields[0].Field != tc.field {
				t.Fatalf("want one %s change, got %s %+v", tc.field, ch.Action, ch.Fields)
			}
		})
	}
}

func TestComputeEventsCompareAsSets(t *testing.T) {
	// Order, duplicates and globs in the file against an unsorted live list.
	w := webhook(5, "a", "https://a.example/h", "thread.email_*", "thread.thread_created", "thread.email_sent", "thread.email_sent")
	l := target("whTarget_00000000000000000000000001", "a", "https://a.example/h", "thread.thread_created", "thread.email_sent", "thread.email_received")
	p := mustCompute(t, desired(w), snapshot(l), Options{})
	if ch := p.Changes[0]; ch.Action != ActionNoop {
		t.Fatalf("want no-op, got %s %+v", ch.Action, ch.Fields)
	}
	want := []string{"thread.email_received", "thread.email_sent", "thread.thread_created"}
	if got := p.Changes[0].After.EventTypes; !slices.Equal(got, want) {
		t.Errorf("expanded events %v, want %v", got, want)
	}
}

func TestComputeStarMeansEveryEvent(t *testing.T) {
	p := mustCompute(t, desired(webhook(5, "a", "https://a.example/h", "*")), snapshot(), Options{})
	if got := len(p.Changes[0].After.EventTypes); got != len(testCatalog) {
		t.Fatalf("* expanded to %d types, want %d", got, len(testCatalog))
	}
}

func TestComputeVersionRules(t *testing.T) {
	const ev = "thread.thread_created"
	t.Run("create without version gets the latest", func(t *testing.T) {
		p := mustCompute(t, desired(webhook(5, "a", "https://a.example/h", ev)), snapshot(), Options{})
		if v := p.Changes[0].After.Version; v != "2026-05-06" {
			t.Fatalf("version %q, want latest", v)
		}
	})
	t.Run("update without version leaves the live one alone", func(t *testing.T) {
		l := target("whTarget_00000000000000000000000001", "a", "https://a.example/h", ev)
		l.Version = "2024-09-18"
		p := mustCompute(t, desired(webhook(5, "a", "https://a.example/h", ev)), snapshot(l), Options{})
		ch := p.Changes[0]
		if ch.Action != ActionNoop || ch.After.Version != "2024-09-18" {
			t.Fatalf("want no-op keeping the live version, got %s %+v after=%q", ch.Action, ch.Fields, ch.After.Version)
		}
	})
	t.Run("deprecated version warns once per position", func(t *testing.T) {
		w1 := webhook(5, "a", "https://a.example/h", ev)
		w2 := webhook(15, "b", "https://b.example/h", ev)
		// Both from defaults: same node.
		w1.WebhookVersion = text("2024-09-18", 3, 19)
		w2.WebhookVersion = text("2024-09-18", 3, 19)
		p := mustCompute(t, desired(w1, w2), snapshot(), Options{})
		if len(p.Warnings) != 1 {
			t.Fatalf("warnings: %v", p.Warnings)
		}
		wp := p.Warnings[0]
		if wp.Severity != spec.SeverityWarning || wp.Pos != pos(3, 19) || !strings.Contains(wp.Message, `"2024-09-18" is deprecated`) || !strings.Contains(wp.Message, "2026-05-06") {
			t.Fatalf("warning %+v", wp)
		}
		if p.Changes[0].After.Version != "2024-09-18" {
			t.Errorf("a deprecated version is still honoured, got %q", p.Changes[0].After.Version)
		}
	})
	t.Run("warnings come back with errors when planning fails", func(t *testing.T) {
		w := webhook(5, "a", "https://a.example/h", "nope.nope")
		w.WebhookVersion = text("2024-09-18", 9, 21)
		p, probs := Compute(desired(w), snapshot(), Options{})
		if p != nil || len(probs) != 2 || probs[0].Severity != spec.SeverityError || probs[1].Severity != spec.SeverityWarning {
			t.Fatalf("plan=%v problems=%v", p, probs)
		}
	})
}

func TestComputePlanMetadata(t *testing.T) {
	d := desired(webhook(5, "a", "https://a.example/h?token=s3cr3t", "thread.thread_created"))
	d.Secrets.Add("TOKEN", "s3cr3t")
	d.APIKeyEnv = "PLAIN_API_KEY_PROD"
	d.Prune = true
	live := snapshot(target("whTarget_00000000000000000000000001", "x", "https://x.example/h"), target("whTarget_00000000000000000000000002", "y", "https://y.example/h"))
	p := mustCompute(t, d, live, Options{})
	if p.FormatVersion != FormatVersion || p.File != "plainsync.yaml" || p.Workspace != live.Workspace {
		t.Errorf("header: %+v", p)
	}
	if p.LiveCount != 2 || !p.Prune || p.APIKeyEnv != "PLAIN_API_KEY_PROD" {
		t.Errorf("LiveCount=%d Prune=%v APIKeyEnv=%q", p.LiveCount, p.Prune, p.APIKeyEnv)
	}
	if p.Secrets != d.Secrets {
		t.Error("Secrets is not the desired file's masker")
	}
	if p.Fingerprint != Fingerprint(live) {
		t.Error("Fingerprint is not the live snapshot's")
	}
	if c := p.Counts(); c.Create != 1 || c.Delete != 2 {
		t.Errorf("counts %+v", c)
	}
}

func TestComputeMatchingWorkspaceGuardPasses(t *testing.T) {
	d := desired()
	d.Workspace = text("w_1", 2, 12)
	p := mustCompute(t, d, snapshot(), Options{})
	if p.Changes == nil || len(p.Changes) != 0 {
		t.Fatalf("want an empty, non-nil change list, got %#v", p.Changes)
	}
}

func TestComputeIsPure(t *testing.T) {
	l := target("whTarget_00000000000000000000000001", "a", "https://a.example/h", "thread.thread_created", "thread.email_sent")
	live := snapshot(l)
	before := fmt.Sprintf("%#v", live.Targets)
	p := mustCompute(t, desired(webhook(5, "a", "https://a.example/h", "thread.*")), live, Options{})
	p.Changes[0].Before.EventTypes[0] = "mutated"
	if after := fmt.Sprintf("%#v", live.Targets); after != before {
		t.Fatalf("Compute or its plan aliases the snapshot:\n%s\n%s", before, after)
	}
}

func BenchmarkCompute(b *testing.B) {
	const n = 1000
	var ws []spec.Webhook
	var ts []plain.Target
	for i := range n {
		name := fmt.Sprintf("hook-%04d", i)
		url := fmt.Sprintf("https://h%d.example/h", i)
		ws = append(ws, webhook(5+i*10, name, url, "thread.*", "customer.customer_created"))
		switch i % 4 {
		case 0: // no-op
			ts = append(ts, target(fmt.Sprintf("whTarget_%026d", i), name, url, "thread.email_received", "thread.email_sent", "thread.thread_created", "thread.thread_status_transitioned", "customer.customer_created"))
		case 1: // update events
			ts = append(ts, target(fmt.Sprintf("whTarget_%026d", i), name, url, "thread.email_sent"))
		case 2: // rename by URL
			ts = append(ts, target(fmt.Sprintf("whTarget_%026d", i), "old-"+name, url))
		case 3: // disable, plus an unmanaged live target (no creates: they
			// would exceed Plain's 25 per workspace, which Compute refuses)
			tg := target(fmt.Sprintf("whTarget_%026d", i), name, url, "thread.email_received", "thread.email_sent", "thread.thread_created", "thread.thread_status_transitioned", "customer.customer_created")
			tg.Enabled = false
			ts = append(ts, tg, target(fmt.Sprintf("whTarget_S%025d", i), "stray-"+name, url+"/stray"))
		}
	}
	d := desired(ws...)
	live := snapshot(ts...)
	b.ReportAllocs()
	for b.Loop() {
		if p, probs := Compute(d, live, Options{}); p == nil {
			b.Fatal(probs)
		}
	}
}

// A webhook that names (or pins) a live target an ignore rule protects is a
// contradiction in the file: an error, never a silent update.
func TestMatchingAnIgnoredTargetIsAnError(t *testing.T) {
	live := snapshot(target("whTarget_00000000000000000000000001", "manual-export", "https://m.example.com/x", "thread.thread_created"))
	for _, tc := range []struct {
		name string
		pin  bool
		want string
	}{
		{"by description", false, `plainsync.yaml:4:11: webhook "manual-export" matches live target whTarget_00000000000000000000000001 (by description), which the ignore rule at plainsync.yaml:2:5 protects`},
		{"by id", true, `plainsync.yaml:9:9: webhook "manual-export" matches live target whTarget_00000000000000000000000001 (by id), which the ignore rule at plainsync.yaml:2:5 protects`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := webhook(4, "manual-export", "https://m.example.com/x", "thread.thread_created")
			if tc.pin {
				w.ID = text("whTarget_00000000000000000000000001", 9, 9)
			}
			d := desired(w)
			d.Ignore = []spec.IgnoreRule{{Name: "manual-*", Pos: pos(2, 5)}}
			p, problems := Compute(d, live, Options{})
			if p != nil || len(problems) != 1 || problems[0].String() != tc.want+"; plainsync never changes ignored targets: rename the webhook or narrow the rule" {
				t.Fatalf("plan %v, problems %v", p != nil, problems)
			}
		})
	}
}
