package reconcile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/apply"
	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// Plain-shaped ids (prefix, "_", a 26-character Crockford ULID).
const (
	idCRM   = "whTarget_01HD4400VTDJQ646V6RY37SR7K"
	idOld   = "whTarget_01HD4400VTDJQ646V6RY37SR7M"
	idOther = "whTarget_01HD4400VTDJQ646V6RY37SR7N"
	ev      = "thread.thread_created"
)

// fakeClient is a workspace in memory that records every call.
type fakeClient struct {
	mu    sync.Mutex
	calls []string
	live  *plain.Snapshot
	// afterFirstSnapshot, if set, changes the workspace once it has been
	// read once: another run applying while this one waits.
	afterFirstSnapshot func(*plain.Snapshot)
	snapshots          int
}

func (c *fakeClient) record(format string, args ...any) {
	c.calls = append(c.calls, fmt.Sprintf(format, args...))
}

func (c *fakeClient) Snapshot(context.Context) (*plain.Snapshot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("snapshot")
	c.snapshots++
	if c.snapshots == 2 && c.afterFirstSnapshot != nil {
		c.afterFirstSnapshot(c.live)
	}
	s := *c.live
	s.Targets, s.Leases = slices.Clone(c.live.Targets), slices.Clone(c.live.Leases)
	return &s, nil
}

func (c *fakeClient) CreateWebhookTarget(_ context.Context, in plain.CreateInput) (plain.Target, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("create %s", in.Description)
	t := plain.Target{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7P", Description: in.Description, URL: in.URL, EventTypes: in.EventTypes, Version: in.Version, Enabled: in.Enabled}
	if strings.HasPrefix(in.Description, plain.LeasePrefix) {
		// Plain lists a lease like any target; plainsync's snapshot
		// keeps leases apart.
		t.ID = "whTarget_01HD4400VTDJQ646V6RY37SR7Q"
		c.live.Leases = append(c.live.Leases, t)
		return t, nil
	}
	c.live.Targets = append(c.live.Targets, t)
	return t, nil
}

func (c *fakeClient) UpdateWebhookTarget(_ context.Context, in plain.UpdateInput) (plain.Target, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("update %s", in.ID)
	return plain.Target{ID: in.ID}, nil
}

func (c *fakeClient) DeleteWebhookTarget(_ context.Context, id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("delete %s", id)
	c.live.Leases = slices.DeleteFunc(c.live.Leases, func(t plain.Target) bool { return t.ID == id })
	return nil
}

func (c *fakeClient) ListWebhookTargets(context.Context) ([]plain.Target, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("list targets")
	return slices.Clone(c.live.Targets), nil
}

func (c *fakeClient) ListLeases(context.Context) ([]plain.Target, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.record("list leases")
	return slices.Clone(c.live.Leases), nil
}

// sent is the calls that change the workspace.
func (c *fakeClient) sent() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, s := range c.calls {
		if strings.HasPrefix(s, "create plainsync-lease") || strings.HasPrefix(s, "delete whTarget_01HD4400VTDJQ646V6RY37SR7Q") {
			continue // the lease
		}
		if strings.HasPrefix(s, "create") || strings.HasPrefix(s, "update") || strings.HasPrefix(s, "delete") {
			out = append(out, s)
		}
	}
	return out
}

// recorder is a Reporter that records the events in order.
type recorder struct {
	mu     sync.Mutex
	events []string
	out    strings.Builder
}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
}

func (r *recorder) Problems(ps []spec.Problem) {
	for _, p := range ps {
		r.add("problem %s", p.Message)
	}
}
func (r *recorder) PlanShown(p *diff.Plan, i, n int) error {
	r.add("plan %s %d/%d changes=%v", p.File, i+1, n, p.HasChanges())
	return nil
}
func (r *recorder) Refused(err error) error { r.add("refused: %v", err); return nil }
func (r *recorder) DryRun(todo []*diff.Plan, multi bool) error {
	r.add("dry run %d", len(todo))
	return nil
}
func (r *recorder) Cancelled()            { r.add("cancelled") }
func (r *recorder) Lock(ev LockEvent)     { r.add("lock %d %s %s", ev.Kind, ev.Workspace, ev.Reason) }
func (r *recorder) Output() io.Writer     { return &r.out }
func (r *recorder) NothingLeft(io.Writer) { r.add("nothing left") }
func (r *recorder) Replanned(_ io.Writer, p *diff.Plan) error {
	r.add("replanned changes=%v", p.HasChanges())
	return nil
}
func (r *recorder) Applying(_ io.Writer, file string, multi bool) { r.add("applying %s", file) }
func (r *recorder) Progress(io.Writer) func(apply.Event) {
	return func(e apply.Event) { r.add("progress %s %s", e.Change.Action, e.Change.Name) }
}
func (r *recorder) Applied(_ io.Writer, res *apply.Result) string {
	r.add("applied ok=%v", res.Succeeded())
	return "result"
}
func (r *recorder) WorkspaceFailed(file string, err error) error {
	r.add("failed %s: %v", file, err)
	return nil
}
func (r *recorder) FileApplied(file, result string, ok bool) error {
	r.add("file applied %s ok=%v", file, ok)
	return nil
}

type answer struct {
	ok  bool
	err error
}

func (a answer) Confirm() (bool, error) { return a.ok, a.err }

func text(v string) spec.Text {
	return spec.Text{Value: v, Raw: v, Pos: spec.Pos{File: "team.yaml", Line: 1, Col: 1}}
}

func webhook(name, url string) spec.Webhook {
	return spec.Webhook{Name: text(name), URL: text(url), Events: []spec.Text{text(ev)}, Enabled: true, Pos: spec.Pos{File: "team.yaml", Line: 1, Col: 1}}
}

func desired(ws ...spec.Webhook) *spec.Desired {
	return &spec.Desired{File: "team.yaml", Version: 1, APIKeyEnv: spec.DefaultAPIKeyEnv, Webhooks: ws, Secrets: &secret.Masker{}}
}

func workspace(perms []string, targets ...plain.Target) *plain.Snapshot {
	return &plain.Snapshot{
		Workspace:   plain.Workspace{ID: "w_1", Name: "Acme"},
		Versions:    []plain.WebhookVersion{{Version: "2026-05-06", IsLatest: true}},
		EventTypes:  []plain.EventType{{EventType: ev}},
		Permissions: perms,
		Targets:     targets,
	}
}

func target(id, name, url string) plain.Target {
	return plain.Target{ID: id, Description: name, URL: url, EventTypes: []string{ev}, Version: "2026-05-06", Enabled: true}
}

// plan runs Plan over one file against c.
func plan(t *testing.T, d *spec.Desired, c *fakeClient, prune bool, rep Reporter) []Planned {
	t.Helper()
	plans, err := Plan(context.Background(), &Request{
		Files:      []*spec.Desired{d},
		Connect:    func(string) (Client, error) { return c, nil },
		Prune:      prune,
		Workspaces: 1,
	}, rep)
	if err != nil {
		t.Fatal(err)
	}
	if len(Failed(plans)) > 0 {
		t.Fatalf("plan failed: %v", plans[0].Err)
	}
	return plans
}

func options(t *testing.T) *ApplyOptions {
	return &ApplyOptions{
		Parallelism: 1, Workspaces: 1, Timeout: time.Second,
		LockMode: LockPlain, LockTimeout: time.Second, LockDir: t.TempDir(), Endpoint: "http://127.0.0.1:1/graphql",
		Confirmer: answer{ok: true},
	}
}

var allPerms = []string{plain.PermRead, plain.PermCreate, plain.PermEdit, plain.PermDelete}

// A create is guarded, confirmed, locked (the key lacks delete, so the
// lease falls back to the local lock), re-planned under the lock and only
// then executed.
func TestApplyGuardLockReplanExecute(t *testing.T) {
	c := &fakeClient{live: workspace([]string{plain.PermRead, plain.PermCreate})}
	rep := &recorder{}
	plans := plan(t, desired(webhook("crm", "https://crm.example/h")), c, false, rep)
	ok, err := Apply(context.Background(), plans, options(t), rep)
	if err != nil || !ok {
		t.Fatalf("Apply = %v, %v; events %q", ok, err, rep.events)
	}
	want := []string{
		"plan team.yaml 1/1 changes=true",
		"lock 1 w_1 the API key lacks webhookTarget:create or webhookTarget:delete, which the apply lease needs",
		"applying team.yaml",
		"progress create crm",
		"applied ok=true",
		"file applied team.yaml ok=true",
	}
	if !slices.Equal(rep.events, want) {
		t.Errorf("events:\n got %q\nwant %q", rep.events, want)
	}
	// Read for the plan, read again under the lock, then the create.
	if got := strings.Join(c.calls, ", "); got != "snapshot, snapshot, create crm" {
		t.Errorf("calls: %s", got)
	}
}

// A guard refuses before anything is confirmed, locked or sent.
func TestApplyGuardRefusesBeforeLocking(t *testing.T) {
	c := &fakeClient{live: workspace(allPerms,
		target(idCRM, "crm", "https://crm.example/h"),
		target(idOld, "old", "https://old.example/h"),
		target(idOther, "other", "https://other.example/h"))}
	rep := &recorder{}
	plans := plan(t, desired(webhook("crm", "https://crm.example/h")), c, true, rep)
	o := options(t)
	o.Confirmer = answer{err: errors.New("must not be asked")}
	ok, err := Apply(context.Background(), plans, o, rep)
	if ok || err == nil || !strings.Contains(err.Error(), "max-delete-percent") {
		t.Fatalf("Apply = %v, %v", ok, err)
	}
	if len(rep.events) != 2 || !strings.HasPrefix(rep.events[1], "refused: ") {
		t.Errorf("events: %q", rep.events)
	}
	if s := c.sent(); len(s) != 0 || c.snapshots != 1 {
		t.Errorf("sent %q after %d reads", s, c.snapshots)
	}
	// --force lifts the percentage guard; the deletes then run.
	o.Force, o.Confirmer = true, answer{ok: true}
	if ok, err := Apply(context.Background(), plans, o, &recorder{}); err != nil || !ok {
		t.Fatalf("forced Apply = %v, %v", ok, err)
	}
	if s := c.sent(); !slices.Equal(s, []string{"delete " + idOld, "delete " + idOther}) {
		t.Errorf("forced apply sent %q", s)
	}
	// Under the lease in Plain: taken before the deletes, deleted after.
	calls := strings.Join(c.calls, "\n")
	take, first, drop := strings.Index(calls, "create plainsync-lease"), strings.Index(calls, "delete "+idOld), strings.LastIndex(calls, "delete whTarget_01HD4400VTDJQ646V6RY37SR7Q")
	if take < 0 || first < take || drop < first {
		t.Errorf("the deletes did not run under the lease:\n%s", calls)
	}
}

// A prompt answered no, or no terminal to ask on, sends nothing.
func TestApplyConfirmation(t *testing.T) {
	for name, tc := range map[string]struct {
		answer answer
		want   string
		err    error
	}{
		"no":          {answer{}, "cancelled", ErrReported},
		"no terminal": {answer{err: errors.New("stdin is not a terminal")}, "refused: stdin is not a terminal", nil},
	} {
		t.Run(name, func(t *testing.T) {
			c := &fakeClient{live: workspace(allPerms)}
			rep := &recorder{}
			plans := plan(t, desired(webhook("crm", "https://crm.example/h")), c, false, rep)
			o := options(t)
			o.Confirmer = tc.answer
			ok, err := Apply(context.Background(), plans, o, rep)
			if ok || err == nil || (tc.err != nil && !errors.Is(err, tc.err)) {
				t.Fatalf("Apply = %v, %v", ok, err)
			}
			if last := rep.events[len(rep.events)-1]; last != tc.want {
				t.Errorf("last event %q, want %q", last, tc.want)
			}
			if s := c.sent(); len(s) != 0 || c.snapshots != 1 {
				t.Errorf("sent %q after %d reads", s, c.snapshots)
			}
		})
	}
}

// When live state changed while apply waited for the lock, a confirmed
// plan is refused (it is not what was reviewed) and an auto-approved one
// is planned again: here another run made the create, so nothing is left.
func TestApplyReplansUnderTheLock(t *testing.T) {
	otherRun := func(s *plain.Snapshot) {
		s.Targets = append(s.Targets, target(idCRM, "crm", "https://crm.example/h"))
	}
	t.Run("confirmed plan refused", func(t *testing.T) {
		c := &fakeClient{live: workspace([]string{plain.PermRead, plain.PermCreate}), afterFirstSnapshot: otherRun}
		rep := &recorder{}
		plans := plan(t, desired(webhook("crm", "https://crm.example/h")), c, false, rep)
		ok, err := Apply(context.Background(), plans, options(t), rep)
		if ok || !errors.Is(err, ErrChangedWhileWaiting) {
			t.Fatalf("Apply = %v, %v", ok, err)
		}
		if s := c.sent(); len(s) != 0 {
			t.Errorf("sent %q", s)
		}
	})
	t.Run("auto-approved plan re-planned", func(t *testing.T) {
		c := &fakeClient{live: workspace([]string{plain.PermRead, plain.PermCreate}), afterFirstSnapshot: otherRun}
		rep := &recorder{}
		plans := plan(t, desired(webhook("crm", "https://crm.example/h")), c, false, rep)
		o := options(t)
		o.AutoApprove, o.Confirmer = true, nil
		ok, err := Apply(context.Background(), plans, o, rep)
		if err != nil || !ok {
			t.Fatalf("Apply = %v, %v", ok, err)
		}
		if !slices.Contains(rep.events, "replanned changes=false") || !slices.Contains(rep.events, "nothing left") {
			t.Errorf("events: %q", rep.events)
		}
		if s := c.sent(); len(s) != 0 {
			t.Errorf("sent %q: the other run's create was repeated", s)
		}
	})
}

// A dry run reports the operations and sends nothing, taking no lock.
func TestApplyDryRun(t *testing.T) {
	c := &fakeClient{live: workspace(allPerms)}
	rep := &recorder{}
	plans := plan(t, desired(webhook("crm", "https://crm.example/h")), c, false, rep)
	o := options(t)
	o.DryRun, o.Confirmer = true, nil
	if ok, err := Apply(context.Background(), plans, o, rep); err != nil || !ok {
		t.Fatalf("Apply = %v, %v", ok, err)
	}
	if got := rep.events[len(rep.events)-1]; got != "dry run 1" {
		t.Errorf("events: %q", rep.events)
	}
	if s := c.sent(); len(s) != 0 || c.snapshots != 1 {
		t.Errorf("sent %q after %d reads", s, c.snapshots)
	}
}

// Plan keeps one workspace's failure in its file's result.
func TestPlanKeepsAWorkspaceFailure(t *testing.T) {
	c := &fakeClient{live: workspace(allPerms)}
	a, b := desired(webhook("crm", "https://crm.example/h")), desired(webhook("erp", "https://erp.example/h"))
	b.File, b.APIKeyEnv = "erp.yaml", "ERP_KEY"
	plans, err := Plan(context.Background(), &Request{
		Files: []*spec.Desired{a, b},
		Connect: func(env string) (Client, error) {
			if env == "ERP_KEY" {
				return nil, errors.New("no API key")
			}
			return c, nil
		},
		Workspaces: 2,
	}, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	if plans[0].Plan == nil || plans[1].Err == nil || !strings.Contains(plans[1].Err.Error(), "erp.yaml: no API key") {
		t.Fatalf("plans: %+v", plans)
	}
	if len(Failed(plans)) != 1 || len(OK(plans)) != 1 {
		t.Errorf("Failed/OK split wrong")
	}
}

// Several scoped files for one workspace (one key, so one client) read it
// once and share the snapshot; each plans only its own scope.
func TestPlanReadsASharedWorkspaceOnce(t *testing.T) {
	c := &fakeClient{live: workspace(allPerms, target(idOld, "team0-old", "https://old.example/h"))}
	var files []*spec.Desired
	for i := range 5 {
		d := desired(webhook(fmt.Sprintf("team%d-crm", i), fmt.Sprintf("https://crm%d.example/h", i)))
		d.File = fmt.Sprintf("team%d.yaml", i)
		d.Scope = []spec.Text{text(fmt.Sprintf("team%d-*", i))}
		files = append(files, d)
	}
	before := diff.Fingerprint(c.live)
	plans, err := Plan(context.Background(), &Request{
		Files:      files,
		Connect:    func(string) (Client, error) { return c, nil },
		Prune:      true,
		Workspaces: 5,
	}, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	if c.snapshots != 1 {
		t.Fatalf("%d workspace reads for 5 files of one workspace, want 1", c.snapshots)
	}
	for i, pl := range plans {
		if pl.Err != nil {
			t.Fatalf("%s: %v", pl.Desired.File, pl.Err)
		}
		if pl.Live != plans[0].Live {
			t.Errorf("%s: a snapshot of its own, want the shared one", pl.Desired.File)
		}
		want := diff.Counts{Create: 1}
		if i == 0 {
			want.Delete = 1 // team0-old, in team0's scope only
		}
		if got := pl.Plan.Counts(); got != want {
			t.Errorf("%s: counts %+v, want %+v", pl.Desired.File, got, want)
		}
	}
	if diff.Fingerprint(plans[0].Live) != before || len(plans[0].Live.Targets) != 1 {
		t.Errorf("planning changed the shared snapshot: %+v", plans[0].Live.Targets)
	}
}

// Two distinct keys are two workspaces: one read each, whatever the
// number of files under each.
func TestPlanReadsEachKeyOnce(t *testing.T) {
	a, b := &fakeClient{live: workspace(allPerms)}, &fakeClient{live: workspace(allPerms)}
	b.live.Workspace.ID = "w_2"
	var files []*spec.Desired
	for i := range 4 {
		d := desired(webhook(fmt.Sprintf("team%d-crm", i), fmt.Sprintf("https://crm%d.example/h", i)))
		d.File = fmt.Sprintf("team%d.yaml", i)
		d.Scope = []spec.Text{text(fmt.Sprintf("team%d-*", i))}
		if i%2 == 1 {
			d.APIKeyEnv = "OTHER_KEY"
		}
		files = append(files, d)
	}
	plans, err := Plan(context.Background(), &Request{
		Files: files,
		Connect: func(env string) (Client, error) {
			if env == "OTHER_KEY" {
				return b, nil
			}
			return a, nil
		},
		Workspaces: 4,
	}, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	if a.snapshots != 1 || b.snapshots != 1 {
		t.Fatalf("reads %d and %d, want one per key", a.snapshots, b.snapshots)
	}
	for i, pl := range plans {
		if pl.Err != nil || pl.Live.Workspace.ID != map[bool]string{false: "w_1", true: "w_2"}[i%2 == 1] {
			t.Errorf("%s: %v, workspace %+v", pl.Desired.File, pl.Err, pl.Live)
		}
	}
}
