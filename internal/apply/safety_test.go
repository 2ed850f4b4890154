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

// deletePlan deletes del of live live targets (the rest are unchanged).
func deletePlan(live, del int) *diff.Plan {
	p := &diff.Plan{Prune: true, LiveCount: live}
	for i := range live {
		a := diff.ActionNoop
		if i < del {
			a = diff.ActionDelete
		}
		p.Changes = append(p.Changes, diff.Change{Action: a, Name: fmt.Sprintf("t%d", i), TargetID: fmt.Sprintf("wht_%d", i)})
	}
	return p
}

func TestCheckSafetyDeleteThreshold(t *testing.T) {
	def := SafetyOptions{MaxDeletePercent: DefaultMaxDeletePercent}
	for _, tc := range []struct {
		name      string
		live, del int
		opts      SafetyOptions
		wantErr   string // "" means allowed
	}{
		{"40% of 10 refused", 10, 4, def,
			"refused: plan deletes 4 of 10 live targets (40%), more than --max-delete-percent 30; re-run with --force if this is intended"},
		{"exactly 30% allowed", 10, 3, def, ""},
		{"zero allows no deletes", 10, 1, SafetyOptions{},
			"plan deletes 1 of 10 live targets (10%), more than --max-delete-percent 0"},
		{"zero still allows deletes below the guard's size", 4, 1, SafetyOptions{}, ""},
		{"every target of 4 allowed: too few live", 4, 4, def, ""},
		{"2 of 5 refused: guard starts at 5", 5, 2, def,
			"plan deletes 2 of 5 live targets (40%), more than --max-delete-percent 30"},
		{"1 of 5 allowed", 5, 1, def, ""},
		{"no deletes", 10, 0, def, ""},
		{"custom 50 allows 5 of 10", 10, 5, SafetyOptions{MaxDeletePercent: 50}, ""},
		{"custom 50 refuses 6 of 10", 10, 6, SafetyOptions{MaxDeletePercent: 50},
			"plan deletes 6 of 10 live targets (60%), more than --max-delete-percent 50"},
		{"fractions rounded to one decimal", 7, 2, SafetyOptions{MaxDeletePercent: 25.5},
			"plan deletes 2 of 7 live targets (28.6%), more than --max-delete-percent 25.5"},
		{"force lifts the guard", 10, 10, SafetyOptions{Force: true}, ""},
		{"100 allows everything", 10, 10, SafetyOptions{MaxDeletePercent: 100}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckSafety(deletePlan(tc.live, tc.del), tc.opts)
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
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error\n%q\ndoes not contain\n%q", err, tc.wantErr)
			}
		})
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
	err := CheckSafety(deletePlan(10, 1), SafetyOptions{MaxDeletePercent: -1})
	if err == nil || errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "invalid --max-delete-percent -1") {
		t.Fatalf("err = %v", err)
	}
	if err := CheckSafety(nil, SafetyOptions{}); err == nil {
		t.Fatal("nil plan accepted")
	}
}

// A plan made without LiveCount (older saved plan, hand-built) falls back
// to counting the entries that name a live target.
func TestCheckSafetyLiveCountFallback(t *testing.T) {
	p := deletePlan(10, 4)
	p.LiveCount = 0
	p.Changes = append(p.Changes, diff.Change{Action: diff.ActionCreate, Name: "new"})
	err := CheckSafety(p, SafetyOptions{})
	if err == nil || !strings.Contains(err.Error(), "4 of 10 live targets") {
		t.Fatalf("err = %v", err)
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
