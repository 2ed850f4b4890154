package reconcile

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/diff/planfile"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/policy"
	"github.com/plainsync/plainsync/internal/spec"
)

// A saved plan applies only while its file and the live workspace are as
// they were: LoadSaved recomputes it, and refuses a stale one before
// sending anything.
func TestLoadSavedBindsToFileAndLiveState(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "team.yaml")
	yaml := "version: 1\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n  - name: crm\n    url: https://crm.example/h\n    events: [" + ev + "]\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(string) (string, bool) { return "", false }
	d, probs := spec.Load(file, env)
	if spec.HasErrors(probs) {
		t.Fatal(probs)
	}
	c := &fakeClient{live: workspace(allPerms)}
	plans := plan(t, d, c, false, &recorder{})
	data, err := planfile.Marshal(plans[0].Plan)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	req := &SavedRequest{
		Path: path, LookupEnv: env,
		Learn:      func(*spec.Desired) error { return nil },
		Connect:    func(string) (Client, error) { return c, nil },
		LoadPolicy: func() (*policy.Set, []spec.Problem) { return nil, nil },
		Saved:      func(p *diff.Plan) *diff.Plan { return p },
	}
	pl, err := LoadSaved(context.Background(), req, &recorder{})
	if err != nil || pl.Plan == nil || pl.Plan.Counts().Create != 1 {
		t.Fatalf("LoadSaved = %+v, %v", pl, err)
	}
	// Another run created the target meanwhile: the plan is stale.
	c.live.Targets = append(c.live.Targets, plain.Target{ID: idCRM, Description: "crm", URL: "https://crm.example/h", EventTypes: []string{ev}, Version: "2026-05-06", Enabled: true})
	if _, err := LoadSaved(context.Background(), req, &recorder{}); err == nil || !strings.Contains(err.Error(), "refusing to apply a stale plan") {
		t.Fatalf("stale plan: %v", err)
	}
	if s := c.sent(); len(s) != 0 {
		t.Errorf("sent %q", s)
	}
}
