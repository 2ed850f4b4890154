package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plain"
)

// targetIDRE is a webhook target id as Plain's docs show one
// (whTarget_01HD4400VTDJQ646V6RY37SR7K): the id pattern of Plain's payload
// schema with the target prefix.
var targetIDRE = regexp.MustCompile(`^whTarget_[0123456789ABCDEFGHJKMNPQRSTVWXYZ]{26}$`)

// A workspace as Plain has them: ids minted by plain-mock in Plain's
// shape, two targets sharing a description and one without any. export
// pins each by id, the file validates, a saved plan of it applies, and
// completion offers the ids (issue 19: export used to abort with "the
// exported file would not validate").
func TestExportPinsPlainShapedIDs(t *testing.T) {
	t.Parallel()
	st := ws()
	hook := func(desc, url string) plain.Target {
		return plain.Target{Description: desc, URL: url, EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true}
	}
	st.Targets = []plain.Target{ // no ids: plain-mock mints them
		hook("crm-sync", "https://crm.example.com/a"),
		hook("crm-sync", "https://crm.example.com/b"),
		hook("", "https://misc.example.com/"),
		hook("billing", "https://billing.example.com/"),
	}
	m := startMock(t, st)
	dir := t.TempDir()

	r := m.run(dir, "targets", "-o", "json")
	wantCode(t, r, 0)
	var listed struct {
		Targets []plain.Target `json:"targets"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed.Targets) != 4 {
		t.Fatalf("targets -o json (%v):\n%s", err, r.stdout)
	}
	byURL := map[string]string{}
	var ids []string
	for _, tg := range listed.Targets {
		if !targetIDRE.MatchString(tg.ID) {
			t.Fatalf("plain-mock minted %q, not an id of Plain's shape", tg.ID)
		}
		byURL[tg.URL] = tg.ID
		ids = append(ids, tg.ID)
	}

	r = m.run(dir, "export", "--out", "plainsync.yaml")
	wantCode(t, r, 0)
	data, err := os.ReadFile(filepath.Join(dir, "plainsync.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	file := string(data)
	first, second := byURL["https://crm.example.com/a"], byURL["https://crm.example.com/b"]
	if first > second {
		first, second = second, first
	}
	nameless := byURL["https://misc.example.com/"]
	wantContains(t, file, "id: "+first, "id: "+second, "id: "+nameless,
		"name: crm-sync\n", "name: crm-sync-"+second+"\n", "name: unnamed-"+nameless+"\n", "name: billing\n")
	if strings.Contains(file, "id: "+byURL["https://billing.example.com/"]) {
		t.Errorf("billing has a unique description and needs no pin:\n%s", file)
	}
	wantCode(t, m.run(dir, "validate"), 0)

	// The plan is the two renames export announced; saved and applied.
	p := m.planJSON(dir)
	if p.count("update") != 2 || p.count("create") != 0 || p.count("delete") != 0 {
		t.Fatalf("plan of the exported file: %+v", p.Changes)
	}
	for _, name := range []string{"crm-sync-" + second, "unnamed-" + nameless} {
		if c := p.byName(t, name); c.MatchedBy != "id" || !targetIDRE.MatchString(c.TargetID) {
			t.Errorf("%s: matched by %q, target %q", name, c.MatchedBy, c.TargetID)
		}
	}
	wantCode(t, m.run(dir, "plan", "--out", "plan.json"), 0)
	r = m.run(dir, "apply", "plan.json", "--auto-approve")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "("+second+")", "("+nameless+")")
	r = m.run(dir, "plan", "--detailed-exitcode")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "No changes.")

	// Completion offers names and ids; a target is found by its id.
	r = m.run(dir, "__complete", "targets", "whTarget_")
	wantCode(t, r, 0)
	got := strings.Split(strings.TrimSuffix(r.stdout, "\n:4\n"), "\n")
	slices.Sort(ids)
	if !slices.Equal(got, ids) {
		t.Errorf("completion of whTarget_ = %q, want %q", got, ids)
	}
	r = m.run(dir, "targets", second)
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "crm-sync-"+second)
}

// An id pin validates exactly when it has Plain's shape with the target
// prefix; anything else is refused with a real id as the example.
func TestIDPinsInPlainsShape(t *testing.T) {
	t.Parallel()
	m := startMock(t, ws())
	pin := func(id string) string {
		return "version: 1\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n  - name: crm\n    id: " + id + "\n    url: https://crm.example.com/\n    events: [\"*\"]\n"
	}
	wantCode(t, m.run(workdir(t, pin("whTarget_01HD4400VTDJQ646V6RY37SR7K")), "validate"), 0)
	for id, why := range map[string]string{
		"wht_01HD4400VTDJQ646V6RY37SR7K":       "wht_ is not a webhook target's prefix",
		"whAttempt_01HD450N6X782MDTDBMS6Z14DJ": "whAttempt_ is not a webhook target's prefix",
		"whTarget_01HD4400VTDJQ646V6RY37SR7":   "a webhook target id is whTarget_ and a 26-character ULID",
	} {
		r := m.run(workdir(t, pin(id)), "validate")
		wantCode(t, r, 1)
		wantContains(t, r.stderr+r.stdout, "plainsync.yaml:6:9: invalid id \""+id+"\": "+why, "e.g. whTarget_01HD4400VTDJQ646V6RY37SR7K")
	}
}
