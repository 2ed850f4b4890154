package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/spec"
)

// protectedPlan deletes an unprotected target and a protected one, and
// re-points another protected one.
func protectedPlan() *diff.Plan {
	p := bigDestructivePlan()
	rule := spec.Pos{File: "plainsync.yaml", Line: 4, Col: 5}
	p.Changes = append(p.Changes,
		diff.Change{Action: diff.ActionDelete, Name: "billing-events", TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR7K", Protected: true, ProtectedBy: &rule,
			Before: &diff.TargetState{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7K", Description: "billing-events", URL: "https://billing.example.com/h", Enabled: true}},
		diff.Change{Action: diff.ActionUpdate, Name: "billing-ledger", TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR7M", Protected: true, ProtectedBy: &rule,
			Before: &diff.TargetState{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7M", Description: "billing-ledger", URL: "https://ledger.example.com/h", Enabled: true},
			After:  &diff.TargetState{Description: "billing-ledger", URL: "https://ledger2.example.com/h", Enabled: true},
			Fields: []diff.FieldChange{{Field: diff.FieldURL, Before: "https://ledger.example.com/h", After: "https://ledger2.example.com/h"}}},
	)
	return p
}

func TestMarkdownShowsProtectedFirst(t *testing.T) {
	out := render(t, Markdown, protectedPlan())
	banner := strings.Index(out, "> [!IMPORTANT]\n> **This plan deletes or re-points 2 webhook targets that the file protects:** `billing-events`, `billing-ledger`.")
	caution := strings.Index(out, "> [!CAUTION]")
	if banner < 0 || caution < 0 || banner > caution {
		t.Fatalf("no protection banner first:\n%s", out[:min(len(out), 1500)])
	}
	if !strings.Contains(out[banner:caution], "--allow-destroy NAME") {
		t.Errorf("banner does not name --allow-destroy")
	}
	table := strings.Index(out, "| --- |")
	rows := strings.Split(out[table:], "\n")[1:]
	if !strings.HasPrefix(rows[0], "| ❌ | delete | `billing-events` |") || !strings.Contains(rows[0], "🔒 protected: whole target") ||
		!strings.HasPrefix(rows[1], "| 🔄 | update | `billing-ledger` |") || !strings.Contains(rows[1], "🔒 protected: url") ||
		!strings.HasPrefix(rows[2], "| ❌ | delete | `old-0`") {
		t.Errorf("protected rows not first:\n%s", strings.Join(rows[:4], "\n"))
	}
	// Protected details are kept like deletes', before any create's.
	d := strings.Index(out, "<details><summary>🔄 update <code>billing-ledger</code>")
	if c := strings.Index(out, "<details><summary>➕ create"); d < 0 || c >= 0 && d > c {
		t.Errorf("protected update's details missing or after the creates'")
	}
}

func TestTextAndJSONMarkProtected(t *testing.T) {
	var b bytes.Buffer
	if err := Text(&b, protectedPlan(), Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	want := `- delete "billing-events" (whTarget_01HD4400VTDJQ646V6RY37SR7K) (protected: apply needs --allow-destroy "billing-events")`
	i, j := strings.Index(out, want), strings.Index(out, `delete "old-0"`)
	if i < 0 || j < 0 || i > j {
		t.Errorf("text lacks %q before the other deletes:\n%s", want, out)
	}
	var jp struct {
		Changes []struct {
			Name        string    `json:"name"`
			Protected   bool      `json:"protected"`
			ProtectedBy *spec.Pos `json:"protectedBy"`
		} `json:"changes"`
	}
	b.Reset()
	if err := JSON(&b, protectedPlan()); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b.Bytes(), &jp); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range jp.Changes {
		if c.Protected {
			n++
			if c.ProtectedBy == nil || c.ProtectedBy.Line != 4 {
				t.Errorf("%s: protectedBy %v", c.Name, c.ProtectedBy)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d protected changes in JSON, want 2", n)
	}
}
