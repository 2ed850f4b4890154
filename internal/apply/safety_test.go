package apply

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
)

// guardPlan deletes del and updates upd of live live targets (the rest
// are unchanged).
func guardPlan(live, del, upd int) *diff.Plan {
	p := &diff.Plan{Prune: true, LiveCount: live}
	for i := range live {
		a := diff.ActionNoop
		switch {
		case i < del:
			a = diff.ActionDelete
		case i < del+upd:
			a = diff.ActionUpdate
		}
		p.Changes = append(p.Changes, diff.Change{Action: a, Name: fmt.Sprintf("t%d", i), TargetID: fmt.Sprintf("whTarget_%026d", i)})
	}
	return p
}

func deletePlan(live, del int) *diff.Plan { return guardPlan(live, del, 0) }

var (
	defDelete = Limit{Percent: DefaultMaxDeletePercent, Source: "--max-delete-percent 30 (the default)"}
	defUpdate = Limit{Percent: DefaultMaxUpdatePercent, Source: "--max-update-percent 50 (the default)"}
	defaults  = SafetyOptions{MaxDelete: defDelete, MaxUpdate: defUpdate}
)

func withDelete(pct float64) SafetyOptions {
	o := defaults
	o.MaxDelete = Limit{Percent: pct, Source: fmt.Sprintf("guards.maxDeletePercent %g in plainsync.yaml", pct)}
	return o
}

func withUpdate(pct float64) SafetyOptions {
	o := defaults
	o.MaxUpdate = Limit{Percent: pct, Source: fmt.Sprintf("--max-update-percent %g", pct)}
	return o
}

func TestCheckSafetyThresholds(t *testing.T) {
	for _, tc := range []struct {
		name           string
		live, del, upd int
		opts           SafetyOptions
		wantErr        string // "" means allowed
	}{
		{"40% of 10 refused", 10, 4, 0, defaults,
			"refused: plan deletes 4 of 10 live targets (40%), more than 30% allowed by --max-delete-percent 30 (the default); raise --max-delete-percent or guards.maxDeletePercent, or re-run with --force to allow it once"},
		{"exactly 30% allowed", 10, 3, 0, defaults, ""},
		{"zero allows no deletes", 10, 1, 0, withDelete(0),
			"plan deletes 1 of 10 live targets (10%), more than 0% allowed by guards.maxDeletePercent 0 in plainsync.yaml"},
		// Small workspaces are covered whatever their size.
		{"all 3 of 3 refused", 3, 3, 0, defaults, "plan deletes all 3 of the live targets"},
		{"the only target refused", 1, 1, 0, defaults, "plan deletes all 1 of the live targets"},
		{"all of 4 refused even at 100%", 4, 4, 0, withDelete(100), "plan deletes all 4"},
		{"1 of 2 allowed: a single delete", 2, 1, 0, defaults, ""},
		{"2 of 4 refused: more than one and over 30%", 4, 2, 0, defaults, "plan deletes 2 of 4 live targets (50%)"},
		{"1 of 5 allowed", 5, 1, 0, defaults, ""},
		{"no deletes", 10, 0, 0, defaults, ""},
		{"custom 50 allows 5 of 10", 10, 5, 0, withDelete(50), ""},
		{"custom 50 refuses 6 of 10", 10, 6, 0, withDelete(50),
			"plan deletes 6 of 10 live targets (60%), more than 50% allowed by guards.maxDeletePercent 50 in plainsync.yaml"},
		{"fractions rounded to one decimal", 7, 2, 0, withDelete(25.5),
			"plan deletes 2 of 7 live targets (28.6%), more than 25.5% allowed"},
		{"force lifts the guards", 10, 10, 0, SafetyOptions{Force: true}, ""},
		// The update guard stands beside it.
		{"5 of 10 updates allowed at 50%", 10, 0, 5, defaults, ""},
		{"6 of 10 updates refused", 10, 0, 6, defaults,
			"plan updates 6 of 10 live targets (60%), more than 50% allowed by --max-update-percent 50 (the default); raise --max-update-percent or guards.maxUpdatePercent, or re-run with --force"},
		{"2 of 3 updates refused", 3, 0, 2, defaults, "plan updates 2 of 3"},
		{"one update always allowed", 1, 0, 1, defaults, ""},
		{"update guard from a flag", 10, 0, 3, withUpdate(20), "more than 20% allowed by --max-update-percent 20"},
		{"update 100 allows all", 4, 0, 4, withUpdate(100), ""},
		{"force lifts the update guard", 4, 0, 4, SafetyOptions{Force: true}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckSafety(guardPlan(tc.live, tc.del, tc.upd), tc.opts)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("allowed, want refusal %q", tc.wantErr)
			}
			if !errors.Is(err, ErrRefused) {
				t.Errorf("error %v does not wrap ErrRefused", err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "--force") {
				t.Errorf("error\n%q\ndoes not contain\n%q (and --force)", err, tc.wantErr)
			}
		})
	}
}

// Ignored and out-of-scope targets are not the file's: the guards divide
// by the targets it may change.
func TestCheckSafetyCountsManagedOnly(t *testing.T) {
	p := deletePlan(2, 1)
	p.Scope = []string{"t*"}
	p.Changes = append(p.Changes, diff.Change{Action: diff.ActionUnmanaged, Ignored: true, Name: "kept", TargetID: "whTarget_0000000000000000000000000K"})
	p.OutOfScope = 10
	p.Changes[1].Action = diff.ActionDelete
	err := CheckSafety(p, defaults)
	if err == nil || !strings.Contains(err.Error(), "plan deletes all 2 of the live targets in scope") {
		t.Fatalf("err = %v", err)
	}
}

func TestCheckSafetyEmptyFileWithPrune(t *testing.T) {
	p := deletePlan(2, 2)
	err := CheckSafety(p, SafetyOptions{EmptyFile: true})
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "lists no webhooks and prune is on") ||
		!strings.Contains(err.Error(), "--force") {
		t.Fatalf("err = %v", err)
	}
	if err := CheckSafety(p, SafetyOptions{EmptyFile: true, Force: true}); err != nil {
		t.Fatalf("force did not lift the empty-file guard: %v", err)
	}
	p.Prune = false
	p.Changes = nil
	if err := CheckSafety(p, SafetyOptions{EmptyFile: true}); err != nil {
		t.Fatalf("an empty file without prune deletes nothing and must be allowed: %v", err)
	}
}

func TestCheckSafetyInvalidInput(t *testing.T) {
	err := CheckSafety(deletePlan(10, 1), SafetyOptions{MaxDelete: Limit{Percent: -1}})
	if err == nil || errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "invalid --max-delete-percent -1") {
		t.Fatalf("err = %v", err)
	}
	err = CheckSafety(deletePlan(10, 1), SafetyOptions{MaxDelete: defDelete, MaxUpdate: Limit{Percent: 101}})
	if err == nil || !strings.Contains(err.Error(), "invalid --max-update-percent 101") {
		t.Fatalf("err = %v", err)
	}
	if err := CheckSafety(nil, SafetyOptions{}); err == nil {
		t.Fatal("nil plan accepted")
	}
}

func planWith(creates, updates, deletes int) *diff.Plan {
	p := &diff.Plan{}
	add := func(n int, a diff.Action) {
		for i := range n {
			p.Changes = append(p.Changes, diff.Change{Action: a, Name: fmt.Sprintf("%s-%d", a, i)})
		}
	}
	add(creates, diff.ActionCreate)
	add(updates, diff.ActionUpdate)
	add(deletes, diff.ActionDelete)
	add(2, diff.ActionNoop)
	add(1, diff.ActionUnmanaged)
	return p
}

func TestRequiredPermissions(t *testing.T) {
	for _, tc := range []struct {
		c, u, d int
		want    []string
	}{
		{0, 0, 0, nil},
		{1, 0, 0, []string{plain.PermCreate}},
		{0, 1, 0, []string{plain.PermEdit}},
		{0, 0, 1, []string{plain.PermDelete}},
		{2, 0, 3, []string{plain.PermCreate, plain.PermDelete}},
		{1, 1, 1, []string{plain.PermCreate, plain.PermEdit, plain.PermDelete}},
	} {
		got := RequiredPermissions(planWith(tc.c, tc.u, tc.d))
		if !slices.Equal(got, tc.want) {
			t.Errorf("plan %d/%d/%d needs %v, want %v", tc.c, tc.u, tc.d, got, tc.want)
		}
	}
	if RequiredPermissions(nil) != nil {
		t.Error("nil plan needs permissions")
	}
}

func TestPreflight(t *testing.T) {
	all := []string{plain.PermRead, plain.PermCreate, plain.PermEdit, plain.PermDelete}
	if err := Preflight(planWith(1, 1, 1), all); err != nil {
		t.Fatalf("every permission held, got %v", err)
	}
	// Only what the plan needs is checked: a delete-only plan runs with a
	// key that may only delete.
	if err := Preflight(planWith(0, 0, 2), []string{plain.PermDelete}); err != nil {
		t.Fatalf("delete-only plan refused: %v", err)
	}
	if err := Preflight(planWith(0, 0, 0), nil); err != nil {
		t.Fatalf("plan without changes refused: %v", err)
	}

	err := Preflight(planWith(2, 1, 1), []string{plain.PermRead, plain.PermEdit})
	var mp *MissingPermissionsError
	if !errors.As(err, &mp) {
		t.Fatalf("err = %v, want *MissingPermissionsError", err)
	}
	if !slices.Equal(mp.Missing, []string{plain.PermCreate, plain.PermDelete}) {
		t.Fatalf("missing = %v", mp.Missing)
	}
	if !errors.Is(err, ErrRefused) {
		t.Error("missing permissions are not a refusal")
	}
	want := "the API key lacks permissions this plan needs: webhookTarget:create (needed by 2 changes), " +
		"webhookTarget:delete (needed by 1 change); grant them to the key or narrow the plan"
	if err.Error() != want {
		t.Fatalf("message\n%q\nwant\n%q", err, want)
	}
	if strings.Contains(err.Error(), plain.PermEdit) {
		t.Fatal("a held permission is named as missing")
	}
}
