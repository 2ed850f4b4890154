package apply

import (
	"errors"
	"testing"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/spec"
)

func TestCheckProtected(t *testing.T) {
	by := spec.Pos{File: "plainsync.yaml", Line: 4, Col: 5}
	p := &diff.Plan{Changes: []diff.Change{
		{Action: diff.ActionDelete, Name: "billing-events", TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR7K", Protected: true, ProtectedBy: &by},
		{Action: diff.ActionUpdate, Name: "billing it's", TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR7M", Protected: true},
		{Action: diff.ActionDelete, Name: "crm-sync", TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR7N"},
	}}
	for _, tc := range []struct {
		name  string
		allow []string
		want  string // "" means allowed
	}{
		{"none allowed", nil, `refused: the plan would delete protected target "billing-events" (protect rule at plainsync.yaml:4:5), and change the URL of protected target "billing it's"; re-run with --allow-destroy billing-events --allow-destroy 'billing it'\''s' if this is intended (--force does not override protection)`},
		{"one allowed", []string{"billing-events"}, `refused: the plan would change the URL of protected target "billing it's"; re-run with --allow-destroy 'billing it'\''s' if this is intended (--force does not override protection)`},
		{"globs are not names", []string{"billing-*", "billing it's"}, `refused: the plan would delete protected target "billing-events" (protect rule at plainsync.yaml:4:5); re-run with --allow-destroy billing-events if this is intended (--force does not override protection)`},
		{"all allowed", []string{"billing-events", "billing it's"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckProtected(p, tc.allow)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || err.Error() != tc.want || !errors.Is(err, ErrRefused) {
				t.Fatalf("got %v\nwant %s", err, tc.want)
			}
		})
	}
	if err := CheckProtected(&diff.Plan{Changes: p.Changes[2:]}, nil); err != nil {
		t.Errorf("unprotected plan refused: %v", err)
	}
}
