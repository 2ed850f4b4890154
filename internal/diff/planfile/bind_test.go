package planfile

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/diff"
)

// boundFixture is a plan with a create, an update, a no-op and an
// unmanaged target, saved as plan --out writes it.
func boundFixture(t testing.TB) (*diff.Plan, []byte) {
	t.Helper()
	w := webhook(5, "crm", "https://crm.example/h?token=tok-SECRET-123", "thread.*")
	d := desired(w,
		webhook(15, "new", "https://new.example/h", "customer.customer_created"),
		webhook(25, "same", "https://same.example/h", "thread.email_sent"))
	d.Secrets.Add("CRM_TOKEN", "tok-SECRET-123")
	d.Digest = "sha256:0123"
	live := snapshot(
		target("whTarget_00000000000000000000000001", "crm", "https://crm.example/old", "thread.email_sent"),
		target("whTarget_00000000000000000000000002", "same", "https://same.example/h", "thread.email_sent"),
		target("whTarget_00000000000000000000000003", "stray", "https://s.example/h"),
	)
	live.Targets[1].Version = ""
	p, probs := diff.Compute(d, live, diff.Options{})
	if p == nil {
		t.Fatalf("compute: %v", probs)
	}
	data, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return p, data
}

// edit decodes data into a generic tree, applies f and encodes it again.
func edit(t *testing.T, data []byte, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func changeAt(m map[string]any, action string) map[string]any {
	for _, c := range m["changes"].([]any) {
		if c := c.(map[string]any); c["action"] == action {
			return c
		}
	}
	return nil
}

func TestCompareSavedAcceptsTheSamePlan(t *testing.T) {
	fresh, data := boundFixture(t)
	saved, err := Read(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := Compare(saved, fresh); err != nil {
		t.Fatal(err)
	}
}

func TestCompareSavedNamesEachEdit(t *testing.T) {
	fresh, data := boundFixture(t)
	cases := map[string]struct {
		edit func(m map[string]any)
		want []string
	}{
		"create url sends a secret elsewhere": {
			func(m map[string]any) {
				changeAt(m, "create")["after"].(map[string]any)["url"] = "https://attacker.example.net/k?key=${PLAIN_API_KEY}"
			},
			[]string{`change 1 (create "new")`, "after.url differs"},
		},
		"no-op turned into delete": {
			func(m map[string]any) { changeAt(m, "no-op")["action"] = "delete" },
			[]string{`(delete "same", whTarget_00000000000000000000000002): action differs from what the file and Plain imply (no-op "same", whTarget_00000000000000000000000002)`},
		},
		"target ids swapped": {
			func(m map[string]any) {
				u, n := changeAt(m, "update"), changeAt(m, "no-op")
				u["targetId"], n["targetId"] = n["targetId"], u["targetId"]
			},
			[]string{`(update "crm", whTarget_00000000000000000000000002): targetId differs`, `(no-op "same", whTarget_00000000000000000000000001): targetId differs`},
		},
		"change dropped": {
			func(m map[string]any) { m["changes"] = m["changes"].([]any)[1:] },
			[]string{"differs"},
		},
		"change added": {
			func(m map[string]any) {
				m["changes"] = append(m["changes"].([]any), map[string]any{"action": "delete", "name": "x", "targetId": "whTarget_00000000000000000000000009"})
			},
			[]string{`change 5 (delete "x", whTarget_00000000000000000000000009) is not in the plan`},
		},
		"live count": {
			func(m map[string]any) { m["liveCount"] = 99.0 },
			[]string{"liveCount differs"},
		},
		"prune flipped": {
			func(m map[string]any) { m["prune"] = true },
			[]string{"prune differs"},
		},
		"warning reworded": {
			func(m map[string]any) {
				m["warnings"] = []any{map[string]any{"severity": "warning", "message": "all is well"}}
			},
			[]string{"warnings differ"},
		},
		"api key variable": {
			func(m map[string]any) { m["apiKeyEnv"] = "OTHER_KEY" },
			[]string{"apiKeyEnv differs"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			saved, err := Read(edit(t, data, tc.edit))
			if err != nil {
				t.Fatalf("ReadSaved: %v", err)
			}
			err = Compare(saved, fresh)
			if err == nil {
				t.Fatal("an edited plan compared equal")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "tok-SECRET-123") {
				t.Errorf("error shows a secret: %v", err)
			}
		})
	}
}

// A saved plan is bound to its inputs, not to an API key: it holds
// nothing derived from one, and a plan in the old signed format is refused
// with a message saying to plan again.
func TestSavedPlanCarriesNoKeyAndOldSignedPlansAreRefused(t *testing.T) {
	_, data := boundFixture(t)
	if bytes.Contains(data, []byte("signature")) || bytes.Contains(data, []byte("hmac")) {
		t.Errorf("the saved plan carries a key-based tag:\n%s", data)
	}
	if bytes.Contains(data, []byte("tok-SECRET-123")) {
		t.Errorf("the saved plan holds a secret:\n%s", data)
	}
	old := edit(t, data, func(m map[string]any) { m["signature"] = "hmac-sha256:00" })
	if _, err := Read(old); err == nil || !strings.Contains(err.Error(), "make the plan again") {
		t.Errorf("old signed plan: %v", err)
	}
}

// FuzzRead feeds arbitrary bytes to the saved-plan reader. It must
// never panic, and CompareSaved may accept only a plan that is, in saved
// form, the plan computed from the file and live state.
func FuzzRead(f *testing.F) {
	fresh, data := boundFixture(f)
	f.Add(data)
	f.Add([]byte(`{"formatVersion":1}`))
	f.Add(bytes.Replace(data, []byte(`"no-op"`), []byte(`"delete"`), 1))
	f.Add(bytes.Replace(data, []byte(`whTarget_00000000000000000000000001`), []byte(`whTarget_00000000000000000000000002`), 1))
	f.Add(bytes.Replace(data, []byte(`"action"`), []byte(`"Action"`), 1))
	want, err := Marshal(fresh)
	if err != nil {
		f.Fatal(err)
	}
	canonical := func(p *diff.Plan) []byte {
		q := *p
		q.Warnings = nil
		out, err := json.Marshal(&q)
		if err != nil {
			f.Fatal(err)
		}
		return out
	}
	wantPlan, err := Read(want)
	if err != nil {
		f.Fatal(err)
	}
	wantBytes := canonical(wantPlan)
	f.Fuzz(func(t *testing.T, in []byte) {
		saved, err := Read(in)
		if err != nil {
			return
		}
		if Compare(saved, fresh) != nil {
			return
		}
		if got := canonical(saved); !bytes.Equal(got, wantBytes) {
			t.Fatalf("CompareSaved accepted a plan that differs from the recomputed one:\n got %s\nwant %s", got, wantBytes)
		}
	})
}
