package targetref

import (
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
)

var live = []plain.Target{
	{ID: "whTarget_01", Description: "crm-sync"},
	{ID: "whTarget_02", Description: "ops"},
	{ID: "whTarget_03", Description: "twin"},
	{ID: "whTarget_04", Description: "twin"},
	{ID: "whTarget_05", Description: "evil\x1b[2Jcrm-syncs"},
	{ID: "whTarget_06", Description: "pay\u200bments"},
}

func TestResolveByIDThenDescription(t *testing.T) {
	for ref, want := range map[string]string{"whTarget_02": "whTarget_02", "crm-sync": "whTarget_01", "ops": "whTarget_02"} {
		got, err := Resolve(live, ref)
		if err != nil || got.ID != want {
			t.Errorf("Resolve(%q) = %s, %v; want %s", ref, got.ID, err, want)
		}
	}
	// An id wins over a description that happens to equal it.
	ts := []plain.Target{{ID: "a", Description: "b"}, {ID: "b", Description: "c"}}
	if got, err := Resolve(ts, "b"); err != nil || got.ID != "b" {
		t.Errorf("id not preferred: %s, %v", got.ID, err)
	}
}

func TestResolveRefusals(t *testing.T) {
	for _, tc := range []struct{ ref, want string }{
		{"twin", `2 webhook targets have the description "twin" (whTarget_03, whTarget_04); name one by id`},
		{"unknown-target", `no webhook target has the id or description "unknown-target"`},
		{"crm_sync", `no webhook target has the id or description "crm_sync" (did you mean "crm-sync"?)`},
		{"\u0441rm-sync", `no webhook target has the id or description "сrm-sync"; whTarget_01 is described "crm-sync", which looks like it but is different text (U+0063 (Latin) where the other has U+0441 (Cyrillic)): name it by id`},
	} {
		_, err := Resolve(live, tc.ref)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Resolve(%q): %v, want %q", tc.ref, err, tc.want)
		}
	}
	// A far-off name gets no suggestion, and a description a terminal
	// would misread or that hides characters (a bidi override, a
	// zero-width space) is never one.
	for _, ref := range []string{"billing", "evil[2Jcrm-syncs", "paymentz"} {
		if _, err := Resolve(live, ref); err == nil || strings.Contains(err.Error(), "did you mean") {
			t.Errorf("Resolve(%q): %v", ref, err)
		}
	}
}

func TestNarrow(t *testing.T) {
	if got, err := Narrow(live, ""); err != nil || len(got) != len(live) {
		t.Errorf("Narrow(\"\") = %d targets, %v", len(got), err)
	}
	if got, err := Narrow(live, "ops"); err != nil || len(got) != 1 || got[0].ID != "whTarget_02" {
		t.Errorf("Narrow(ops) = %v, %v", got, err)
	}
	if got, err := Narrow(live, "nope"); err == nil || got != nil {
		t.Errorf("Narrow(nope) = %v, %v", got, err)
	}
}
