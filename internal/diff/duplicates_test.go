package diff

import (
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

func aged(t plain.Target, minutes int) plain.Target {
	t.CreatedAt = time.Date(2026, 5, 6, 12, minutes, 0, 0, time.UTC)
	return t
}

// Racing or late creates leave exact copies of a managed target. Planning
// must not wedge on "2 live targets have the description": it removes the
// copies and keeps the oldest, without prune.
func TestExactDuplicatesAreRemovedKeepingTheOldest(t *testing.T) {
	d := desired(webhook(5, "crm", "https://crm.example/h", "thread.email_sent"))
	base := target("", "crm", "https://crm.example/h", "thread.email_sent")
	a, b, c := base, base, base
	a.ID, b.ID, c.ID = "whTarget_0000000000000000000000000C", "whTarget_0000000000000000000000000A", "whTarget_0000000000000000000000000B"
	live := snapshot(aged(a, 1), aged(b, 3), aged(c, 2))
	p := mustCompute(t, d, live, Options{})
	got := map[string]Change{}
	for _, ch := range p.Changes {
		got[ch.TargetID] = ch
	}
	if ch := got["whTarget_0000000000000000000000000C"]; ch.Action != ActionNoop {
		t.Errorf("the oldest copy is not kept: %+v", ch)
	}
	for _, id := range []string{"whTarget_0000000000000000000000000A", "whTarget_0000000000000000000000000B"} {
		if ch := got[id]; ch.Action != ActionDelete || ch.DuplicateOf != "whTarget_0000000000000000000000000C" || ch.Before == nil {
			t.Errorf("%s: %+v, want a delete as a duplicate of whTarget_0000000000000000000000000C", id, ch)
		}
	}
	if p.Prune {
		t.Error("duplicate removal turned prune on")
	}
}

func TestDuplicateRemovalRules(t *testing.T) {
	base := target("", "crm", "https://crm.example/h", "thread.email_sent")
	copyOf := func(id string, f func(*plain.Target)) plain.Target {
		x := base
		x.ID = id
		if f != nil {
			f(&x)
		}
		return x
	}
	for _, tc := range []struct {
		name  string
		file  *spec.Desired
		live  []plain.Target
		dups  map[string]string // removed id -> kept id
		error string
	}{
		{"no creation times: smallest id kept", desired(webhook(5, "crm", base.URL, "thread.email_sent")),
			[]plain.Target{copyOf("whTarget_00000000000000000000000002", nil), copyOf("whTarget_00000000000000000000000001", nil)}, map[string]string{"whTarget_00000000000000000000000002": "whTarget_00000000000000000000000001"}, ""},
		{"a pinned copy is kept", func() *spec.Desired {
			w := webhook(5, "crm", base.URL, "thread.email_sent")
			w.ID = text("whTarget_00000000000000000000000002", 6, 9)
			return desired(w)
		}(), []plain.Target{aged(copyOf("whTarget_00000000000000000000000001", nil), 1), aged(copyOf("whTarget_00000000000000000000000002", nil), 2)}, map[string]string{"whTarget_00000000000000000000000001": "whTarget_00000000000000000000000002"}, ""},
		{"copies that differ are not duplicates", desired(webhook(5, "crm", base.URL, "thread.email_sent")),
			[]plain.Target{copyOf("whTarget_00000000000000000000000001", nil), copyOf("whTarget_00000000000000000000000002", func(x *plain.Target) { x.Enabled = false })}, nil, "2 live targets have the description"},
		{"unmanaged copies are left alone", desired(webhook(5, "other", "https://o.example/h", "thread.email_sent")),
			[]plain.Target{copyOf("whTarget_00000000000000000000000001", nil), copyOf("whTarget_00000000000000000000000002", nil)}, nil, ""},
		{"ignored copies are left alone", func() *spec.Desired {
			d := desired(webhook(5, "crm", base.URL, "thread.email_sent"))
			d.Ignore = []spec.IgnoreRule{{URL: "https://crm.example/*", Pos: pos(2, 5)}}
			return d
		}(), []plain.Target{copyOf("whTarget_00000000000000000000000001", nil), copyOf("whTarget_00000000000000000000000002", nil)}, nil, "2 live targets have the description"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, probs := Compute(tc.file, snapshot(tc.live...), Options{})
			if tc.error != "" {
				if p != nil || len(probs) == 0 || !strings.Contains(probs[0].Message, tc.error) {
					t.Fatalf("plan %v, problems %v; want %q", p, probs, tc.error)
				}
				return
			}
			if p == nil {
				t.Fatalf("problems: %v", probs)
			}
			got := map[string]string{}
			for _, ch := range p.Changes {
				if ch.DuplicateOf != "" {
					got[ch.TargetID] = ch.DuplicateOf
				}
			}
			if len(got) != len(tc.dups) {
				t.Fatalf("duplicates %v, want %v", got, tc.dups)
			}
			for k, v := range tc.dups {
				if got[k] != v {
					t.Fatalf("duplicates %v, want %v", got, tc.dups)
				}
			}
		})
	}
}
