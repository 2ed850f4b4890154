package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/apply/applytest"
	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
)

// The change builders (see applytest), under the names the tests use.
const testVersion = applytest.Version

var (
	createChange = applytest.Create
	updateChange = applytest.Update
	deleteChange = applytest.Delete
	state        = applytest.State
)

func liveTarget(i int) plain.Target {
	return plain.Target{
		ID: fmt.Sprintf("whTarget_%026d", i), Description: fmt.Sprintf("live-%d", i),
		URL: fmt.Sprintf("https://live%d.example.com/hook", i), EventTypes: []string{"thread.thread_created"},
		Version: testVersion, Enabled: true,
	}
}

// mixedPlan returns live targets and a plan with nc creates, nu updates
// and nd deletes, listed in an order that is not phase order.
func mixedPlan(nc, nu, nd int) ([]plain.Target, *diff.Plan) {
	var live []plain.Target
	var deletes, updates, creates []diff.Change
	for i := range nu + nd {
		live = append(live, liveTarget(i))
	}
	for i := range nu {
		updates = append(updates, updateChange(live[i], fmt.Sprintf("https://new%d.example.com/hook", i)))
	}
	for i := range nd {
		deletes = append(deletes, deleteChange(live[nu+i]))
	}
	for i := range nc {
		creates = append(creates, createChange(fmt.Sprintf("new-%d", i), fmt.Sprintf("https://created%d.example.com/hook", i), "thread.thread_created"))
	}
	changes := slices.Concat(deletes, updates, creates)
	// Entries that must never be sent.
	changes = append(changes,
		diff.Change{Action: diff.ActionNoop, Name: "same", TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR11"},
		diff.Change{Action: diff.ActionUnmanaged, Name: "manual", TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR0Z"},
	)
	return live, &diff.Plan{FormatVersion: diff.FormatVersion, Changes: changes, LiveCount: len(live), Prune: nd > 0}
}

func outcomes(r *Result) map[string]Outcome {
	m := map[string]Outcome{}
	for _, ev := range r.Events {
		m[string(ev.Change.Action)+" "+ev.Change.Name] = ev.Outcome
	}
	return m
}

func TestExecuteAppliesEveryChange(t *testing.T) {
	live, p := mixedPlan(2, 2, 2)
	f := newFake(live...)
	r := Execute(context.Background(), p, f, Options{})

	if r.Created != 2 || r.Updated != 2 || r.Deleted != 2 || r.Failed != 0 || r.Skipped != 0 || r.Adopted != 0 {
		t.Fatalf("result counts = %+v", r)
	}
	if !r.Succeeded() || r.HasFailures() {
		t.Fatalf("Succeeded=%v HasFailures=%v", r.Succeeded(), r.HasFailures())
	}
	if len(r.Events) != 6 {
		t.Fatalf("%d events, want 6 (no-op and unmanaged entries must not be reported)", len(r.Events))
	}
	if f.count("delete:whTarget_01HD4400VTDJQ646V6RY37SR11")+f.count("delete:whTarget_01HD4400VTDJQ646V6RY37SR0Z")+f.count("update:whTarget_01HD4400VTDJQ646V6RY37SR11")+f.count("update:whTarget_01HD4400VTDJQ646V6RY37SR0Z") != 0 {
		t.Fatalf("no-op or unmanaged entry was sent: %v", f.calls)
	}
	got := f.live()
	var descs []string
	for _, tg := range got {
		descs = append(descs, tg.Description+" "+tg.URL)
	}
	slices.Sort(descs)
	want := []string{
		"live-0 https://new0.example.com/hook",
		"live-1 https://new1.example.com/hook",
		"new-0 https://created0.example.com/hook",
		"new-1 https://created1.example.com/hook",
	}
	if !slices.Equal(descs, want) {
		t.Fatalf("live state after apply:\n%v\nwant\n%v", descs, want)
	}
	for _, ev := range r.Events {
		if ev.Err != nil {
			t.Errorf("%s %s: unexpected error %v", ev.Change.Action, ev.Change.Name, ev.Err)
		}
		if ev.TargetID == "" {
			t.Errorf("%s %s: no target id", ev.Change.Action, ev.Change.Name)
		}
		if ev.Change.Action == diff.ActionCreate && ev.TargetID <= fmt.Sprintf("whTarget_%026d", 100) {
			t.Errorf("create %s reports id %q, want the new target's id (the fake's start at 101)", ev.Change.Name, ev.TargetID)
		}
	}
}

func TestExecuteNilAndEmptyPlan(t *testing.T) {
	f := newFake()
	for _, p := range []*diff.Plan{nil, {}} {
		r := Execute(context.Background(), p, f, Options{})
		if len(r.Events) != 0 || !r.Succeeded() {
			t.Fatalf("empty plan result = %+v", r)
		}
	}
	if len(f.calls) != 0 {
		t.Fatalf("empty plan made calls: %v", f.calls)
	}
}

// TestExecuteParallelism proves both halves of the bound: the barrier in
// the fake holds every call until `want` calls of a phase are in flight
// together, so the executor must reach that parallelism to finish, and the
// recorded maximum shows it never exceeds it.
func TestExecuteParallelism(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  int
		want int
	}{
		{"one", 1, 1},
		{"four", 4, 4},
		{"default", 0, DefaultParallelism},
		{"negative means default", -3, DefaultParallelism},
	} {
		t.Run(tc.name, func(t *testing.T) {
			live, p := mixedPlan(10, 9, 6)
			f := newFake(live...)
			f.barrier = tc.want
			f.expect = map[string]int{"create": 10, "update": 9, "delete": 6}
			r := Execute(context.Background(), p, f, Options{Parallelism: tc.opt})
			if f.broken {
				t.Fatalf("the executor never had %d mutations in flight together", tc.want)
			}
			if f.maxIn != tc.want {
				t.Fatalf("max in flight = %d, want %d", f.maxIn, tc.want)
			}
			if !r.Succeeded() {
				t.Fatalf("result = %+v", r)
			}
			checkPhaseOrder(t, f)
		})
	}
}

// checkPhaseOrder fails unless every create finished before any update
// started and every update finished before any delete started.
func checkPhaseOrder(t *testing.T, f *fakeClient) {
	t.Helper()
	order := []string{"create", "update", "delete"}
	for i := 0; i+1 < len(order); i++ {
		prev, next := f.spans[order[i]], f.spans[order[i+1]]
		if len(prev) == 0 || len(next) == 0 {
			continue
		}
		lastEnd := 0
		for _, s := range prev {
			lastEnd = max(lastEnd, s.end)
		}
		for _, s := range next {
			if s.start < lastEnd {
				t.Fatalf("a %s started (seq %d) before the last %s finished (seq %d)", order[i+1], s.start, order[i], lastEnd)
			}
		}
	}
}

func TestExecutePhaseOrderWhenPlanIsUnordered(t *testing.T) {
	live, p := mixedPlan(3, 3, 3)
	f := newFake(live...)
	Execute(context.Background(), p, f, Options{Parallelism: 2})
	checkPhaseOrder(t, f)
	var kinds []string
	for _, c := range f.calls {
		kind, _, _ := strings.Cut(c, ":")
		if len(kinds) == 0 || kinds[len(kinds)-1] != kind {
			kinds = append(kinds, kind)
		}
	}
	if !slices.Equal(kinds, []string{"create", "update", "delete"}) {
		t.Fatalf("call phases = %v, want create, update, delete", kinds)
	}
}

func TestFailedCreateSkipsEveryDelete(t *testing.T) {
	live, p := mixedPlan(3, 1, 2)
	f := newFake(live...)
	f.inject("create:new-1", faultErr)
	r := Execute(context.Background(), p, f, Options{})

	if f.countOp("delete") != 0 {
		t.Fatalf("deletes were sent after a failed create: %v", f.calls)
	}
	if f.countOp("update") != 1 {
		t.Fatalf("updates sent = %d, want 1 (a failed create does not stop updates)", f.countOp("update"))
	}
	if r.Created != 2 || r.Updated != 1 || r.Failed != 1 || r.Skipped != 2 || r.Deleted != 0 {
		t.Fatalf("counts = %+v", r)
	}
	if !r.HasFailures() || r.Succeeded() {
		t.Fatal("result does not report the failure")
	}
	for _, ev := range r.Events {
		switch ev.Change.Action {
		case diff.ActionDelete:
			if ev.Outcome != OutcomeSkipped || !errors.Is(ev.Err, ErrSkipped) {
				t.Errorf("delete %s: outcome %s err %v, want skipped", ev.Change.Name, ev.Outcome, ev.Err)
			}
			if !strings.Contains(ev.Err.Error(), "1 earlier create or update did not succeed") {
				t.Errorf("skip reason %q does not say why", ev.Err)
			}
			if ev.TargetID != ev.Change.TargetID {
				t.Errorf("skipped delete reports id %q, want %q", ev.TargetID, ev.Change.TargetID)
			}
		case diff.ActionCreate:
			if ev.Change.Name == "new-1" {
				if ev.Outcome != OutcomeFailed || !strings.Contains(ev.Err.Error(), `create webhook target "new-1"`) {
					t.Errorf("failed create: outcome %s err %v", ev.Outcome, ev.Err)
				}
				if ev.TargetID != "" {
					t.Errorf("failed create reports id %q", ev.TargetID)
				}
			}
		}
	}
	if n := len(f.live()); n != 2+1+2 {
		t.Fatalf("%d live targets after the run, want 5 (nothing deleted)", n)
	}
}

func TestFailedUpdateSkipsEveryDelete(t *testing.T) {
	live, p := mixedPlan(0, 2, 1)
	f := newFake(live...)
	f.inject("update:whTarget_00000000000000000000000000", faultErr)
	r := Execute(context.Background(), p, f, Options{})
	if f.countOp("delete") != 0 {
		t.Fatalf("delete sent after a failed update: %v", f.calls)
	}
	if r.Failed != 1 || r.Updated != 1 || r.Skipped != 1 {
		t.Fatalf("counts = %+v", r)
	}
	ev := r.Events[slices.IndexFunc(r.Events, func(e Event) bool { return e.Outcome == OutcomeFailed })]
	if ev.TargetID != "whTarget_00000000000000000000000000" || !strings.Contains(ev.Err.Error(), `update webhook target "live-0" (whTarget_00000000000000000000000000)`) {
		t.Fatalf("failed update event = %+v", ev)
	}
}

func TestFailedDeleteDoesNotStopOtherDeletes(t *testing.T) {
	live, p := mixedPlan(0, 0, 3)
	f := newFake(live...)
	f.inject("delete:whTarget_00000000000000000000000001", faultErr)
	r := Execute(context.Background(), p, f, Options{Parallelism: 1})
	if r.Deleted != 2 || r.Failed != 1 {
		t.Fatalf("counts = %+v", r)
	}
}

func TestCreateOutcomeUnknownAdoptsLandedTarget(t *testing.T) {
	_, p := mixedPlan(1, 0, 0)
	// A target with the same description but another URL must not be
	// taken for the lost create.
	decoy := plain.Target{ID: "whTarget_01HD4400VTDJQ646V6RY37SR0R", Description: "new-0", URL: "https://elsewhere.example.com"}
	f := newFake(decoy)
	f.inject("create:new-0", faultDrop)
	r := Execute(context.Background(), p, f, Options{})

	if f.count("create:new-0") != 1 {
		t.Fatalf("create sent %d times, want exactly once", f.count("create:new-0"))
	}
	if f.count("list") != 1 {
		t.Fatalf("live state read %d times, want 1", f.count("list"))
	}
	if r.Adopted != 1 || r.Created != 0 || r.Failed != 0 || !r.Succeeded() {
		t.Fatalf("counts = %+v", r)
	}
	ev := r.Events[0]
	if ev.Outcome != OutcomeAdopted || ev.Err != nil {
		t.Fatalf("event = %+v", ev)
	}
	lv := f.live()
	if len(lv) != 2 || ev.TargetID != lv[1].ID || ev.TargetID == "whTarget_01HD4400VTDJQ646V6RY37SR0R" {
		t.Fatalf("adopted %q; live = %+v", ev.TargetID, lv)
	}
}

func TestCreateOutcomeUnknownNotFoundFailsWithoutResending(t *testing.T) {
	live, p := mixedPlan(1, 0, 1)
	f := newFake(live...)
	f.inject("create:new-0", faultLost)
	r := Execute(context.Background(), p, f, Options{LostCreateWait: -1})

	if f.count("create:new-0") != 1 {
		t.Fatalf("create sent %d times after an unknown outcome, want exactly once", f.count("create:new-0"))
	}
	if f.count("list") != 1 {
		t.Fatalf("live state read %d times, want 1", f.count("list"))
	}
	if r.Failed != 1 || r.Skipped != 1 || f.countOp("delete") != 0 {
		t.Fatalf("counts = %+v, calls %v", r, f.calls)
	}
	ev := r.Events[0]
	if ev.Outcome != OutcomeFailed || !errors.Is(ev.Err, plain.ErrOutcomeUnknown) {
		t.Fatalf("event = %+v", ev)
	}
	for _, want := range []string{`create webhook target "new-0"`, "outcome unknown — run plan again", "not sent again"} {
		if !strings.Contains(ev.Err.Error(), want) {
			t.Errorf("error %q does not contain %q", ev.Err, want)
		}
	}
	if len(f.live()) != 1 {
		t.Fatalf("live = %+v", f.live())
	}
}

// A gateway answers 504 while Plain commits the create seconds later: the
// poll must find it and adopt it, never send it again.
func TestLateCommittedCreateIsAdoptedNotResent(t *testing.T) {
	_, p := mixedPlan(1, 0, 0)
	f := newFake()
	f.lateReads = 3
	f.inject("create:new-0", faultLate)
	r := Execute(context.Background(), p, f, Options{LostCreateWait: time.Second, PollInterval: time.Millisecond})
	if n := f.count("create:new-0"); n != 1 {
		t.Fatalf("create sent %d times, want once", n)
	}
	if f.count("list") != 4 {
		t.Fatalf("live state read %d times, want 4 (the fourth finds it)", f.count("list"))
	}
	if ev := r.Events[0]; ev.Outcome != OutcomeAdopted || !r.Succeeded() || len(f.live()) != 1 {
		t.Fatalf("event %+v, live %+v", ev, f.live())
	}
}

// A create that does not appear within the wait is reported as unknown,
// after several reads with growing pauses, and is not sent again.
func TestLostCreateNotFoundWithinTheWaitIsNeverResent(t *testing.T) {
	_, p := mixedPlan(1, 0, 0)
	f := newFake()
	f.inject("create:new-0", faultLost)
	r := Execute(context.Background(), p, f, Options{LostCreateWait: 40 * time.Millisecond, PollInterval: 5 * time.Millisecond})
	if n := f.count("create:new-0"); n != 1 {
		t.Fatalf("create sent %d times, want once", n)
	}
	// 5+10+20 ms, then the 5 ms left: five reads in all.
	if n := f.count("list"); n != 5 {
		t.Fatalf("live state read %d times, want 5", n)
	}
	ev := r.Events[0]
	if ev.Outcome != OutcomeFailed || !errors.Is(ev.Err, plain.ErrOutcomeUnknown) ||
		!strings.Contains(ev.Err.Error(), "outcome unknown — run plan again") || !strings.Contains(ev.Err.Error(), "within 40ms") {
		t.Fatalf("event = %+v", ev)
	}
}

func TestCreateOutcomeUnknownListFails(t *testing.T) {
	_, p := mixedPlan(1, 0, 0)
	f := newFake()
	f.inject("create:new-0", faultDrop)
	f.listErr = errors.New("connection reset")
	r := Execute(context.Background(), p, f, Options{LostCreateWait: 3 * time.Millisecond, PollInterval: time.Millisecond})
	if f.count("create:new-0") != 1 || r.Failed != 1 {
		t.Fatalf("creates %d, result %+v", f.count("create:new-0"), r)
	}
	msg := r.Events[0].Err.Error()
	for _, want := range []string{"checking whether it landed failed", "connection reset", "run plan again"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
}

func TestCreateOutcomeUnknownAmbiguousIsNotAdopted(t *testing.T) {
	_, p := mixedPlan(1, 0, 0)
	dup := plain.Target{ID: "whTarget_01HD4400VTDJQ646V6RY37SR0S", Description: "new-0", URL: "https://created0.example.com/hook"}
	f := newFake(dup)
	f.inject("create:new-0", faultDrop)
	r := Execute(context.Background(), p, f, Options{})
	if r.Adopted != 0 || r.Failed != 1 {
		t.Fatalf("result = %+v", r)
	}
	msg := r.Events[0].Err.Error()
	if !strings.Contains(msg, "2 live targets have this description and URL") || !strings.Contains(msg, "whTarget_01HD4400VTDJQ646V6RY37SR0S") {
		t.Fatalf("error %q does not name the duplicates", msg)
	}
	if f.count("create:new-0") != 1 {
		t.Fatal("create was re-sent")
	}
}

func TestUpdateOutcomeUnknown(t *testing.T) {
	for _, tc := range []struct {
		name        string
		faults      []fault
		listErr     error
		wantOutcome Outcome
		wantSends   int
		wantErr     string
	}{
		{"committed: verified, not re-sent", []fault{faultDrop}, nil, OutcomeUpdated, 1, ""},
		{"not committed: re-sent once", []fault{faultLost}, nil, OutcomeUpdated, 2, ""},
		{"retry committed", []fault{faultLost, faultDrop}, nil, OutcomeUpdated, 2, ""},
		{"lost twice", []fault{faultLost, faultLost}, nil, OutcomeFailed, 2, "retry after an unknown outcome"},
		{"retry rejected", []fault{faultLost, faultErr}, nil, OutcomeFailed, 2, "not reachable"},
		{"cannot re-read", []fault{faultDrop}, errors.New("timeout"), OutcomeFailed, 1, "checking whether it landed failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			live, p := mixedPlan(0, 1, 0)
			f := newFake(live...)
			f.inject("update:whTarget_00000000000000000000000000", tc.faults...)
			f.listErr = tc.listErr
			r := Execute(context.Background(), p, f, Options{})
			ev := r.Events[0]
			if ev.Outcome != tc.wantOutcome {
				t.Fatalf("outcome = %s (err %v), want %s", ev.Outcome, ev.Err, tc.wantOutcome)
			}
			if n := f.count("update:whTarget_00000000000000000000000000"); n != tc.wantSends {
				t.Fatalf("update sent %d times, want %d", n, tc.wantSends)
			}
			if f.count("list") == 0 {
				t.Fatal("live state was not re-read")
			}
			if tc.wantErr != "" && (ev.Err == nil || !strings.Contains(ev.Err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want it to contain %q", ev.Err, tc.wantErr)
			}
		})
	}
}

func TestUpdateOutcomeUnknownTargetGone(t *testing.T) {
	live, p := mixedPlan(0, 1, 0)
	f := newFake(live...)
	f.inject("update:whTarget_00000000000000000000000000", faultLost)
	f.targets = nil // deleted behind our back
	r := Execute(context.Background(), p, f, Options{})
	if r.Failed != 1 || !strings.Contains(r.Events[0].Err.Error(), "whTarget_00000000000000000000000000 no longer exists") {
		t.Fatalf("result = %+v", r.Events)
	}
}

func TestDeleteOutcomeUnknown(t *testing.T) {
	for _, tc := range []struct {
		name        string
		faults      []fault
		listErr     error
		wantOutcome Outcome
		wantSends   int
	}{
		{"committed: verified, not re-sent", []fault{faultDrop}, nil, OutcomeDeleted, 1},
		{"not committed: re-sent once", []fault{faultLost}, nil, OutcomeDeleted, 2},
		{"retry committed", []fault{faultLost, faultDrop}, nil, OutcomeDeleted, 2},
		{"lost twice", []fault{faultLost, faultLost}, nil, OutcomeFailed, 2},
		{"cannot re-read", []fault{faultDrop}, errors.New("timeout"), OutcomeFailed, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			live, p := mixedPlan(0, 0, 1)
			f := newFake(live...)
			f.inject("delete:whTarget_00000000000000000000000000", tc.faults...)
			f.listErr = tc.listErr
			r := Execute(context.Background(), p, f, Options{})
			ev := r.Events[0]
			if ev.Outcome != tc.wantOutcome {
				t.Fatalf("outcome = %s (err %v), want %s", ev.Outcome, ev.Err, tc.wantOutcome)
			}
			if n := f.count("delete:whTarget_00000000000000000000000000"); n != tc.wantSends {
				t.Fatalf("delete sent %d times, want %d", n, tc.wantSends)
			}
			if f.count("list") == 0 {
				t.Fatal("live state was not re-read")
			}
			if tc.wantOutcome == OutcomeFailed && !errors.Is(ev.Err, plain.ErrOutcomeUnknown) {
				t.Fatalf("err = %v, want it to wrap ErrOutcomeUnknown", ev.Err)
			}
		})
	}
}

func TestDeleteRetryNotFoundIsDeleted(t *testing.T) {
	live, p := mixedPlan(0, 0, 1)
	f := newFake(live...)
	f.inject("delete:whTarget_00000000000000000000000000", faultLost)
	// Between the re-read and the retry, the first attempt lands.
	var once sync.Once
	f.hook = func(_ context.Context, op string) {
		if f.count("list") == 1 {
			once.Do(func() {
				f.mu.Lock()
				f.targets = nil
				f.mu.Unlock()
			})
		}
	}
	r := Execute(context.Background(), p, f, Options{})
	if r.Events[0].Outcome != OutcomeDeleted || f.count("delete:whTarget_00000000000000000000000000") != 2 || f.count("list") != 2 {
		t.Fatalf("event %+v, calls %v", r.Events[0], f.calls)
	}
}

func TestUpdateInputSendsOnlyChangedFields(t *testing.T) {
	after := diff.TargetState{Description: "new-name", URL: "https://u", EventTypes: []string{"a", "b"}, Version: "v2", Enabled: false}
	ch := diff.Change{Action: diff.ActionUpdate, Name: "n", TargetID: "whTarget_00000000000000000000000001", After: &after,
		Fields: []diff.FieldChange{{Field: diff.FieldEvents, Added: []string{"b"}}, {Field: diff.FieldEnabled}}}
	in, err := UpdateInput(ch)
	if err != nil {
		t.Fatal(err)
	}
	if in.ID != "whTarget_00000000000000000000000001" || in.URL != nil || in.Description != nil || in.Version != nil {
		t.Fatalf("unchanged fields would be sent: %+v", in)
	}
	if !slices.Equal(in.EventTypes, []string{"a", "b"}) {
		t.Fatalf("events = %v, want the whole desired list", in.EventTypes)
	}
	if in.Enabled == nil || *in.Enabled {
		t.Fatalf("enabled = %v", in.Enabled)
	}

	// Removing every event sends an empty list, not "unchanged".
	after.EventTypes = nil
	in, err = UpdateInput(diff.Change{TargetID: "whTarget_00000000000000000000000001", After: &after, Fields: []diff.FieldChange{{Field: diff.FieldEvents}}})
	if err != nil || in.EventTypes == nil || len(in.EventTypes) != 0 {
		t.Fatalf("events = %#v, err %v", in.EventTypes, err)
	}

	all := diff.Change{TargetID: "whTarget_00000000000000000000000001", After: &after, Fields: []diff.FieldChange{
		{Field: diff.FieldDescription}, {Field: diff.FieldURL}, {Field: diff.FieldVersion}}}
	in, err = UpdateInput(all)
	if err != nil || *in.Description != "new-name" || *in.URL != "https://u" || *in.Version != "v2" {
		t.Fatalf("in = %+v, err %v", in, err)
	}
}

func TestMalformedChangesFailOrSkip(t *testing.T) {
	ok := diff.TargetState{Description: "x", URL: "https://x"}
	p := &diff.Plan{Changes: []diff.Change{
		{Action: diff.ActionCreate, Name: "no-after"},
		{Action: diff.ActionUpdate, Name: "no-id", After: &ok, Fields: []diff.FieldChange{{Field: diff.FieldURL}}},
		{Action: diff.ActionUpdate, Name: "no-after", TargetID: "whTarget_00000000000000000000000001", Fields: []diff.FieldChange{{Field: diff.FieldURL}}},
		{Action: diff.ActionUpdate, Name: "bad-field", TargetID: "whTarget_00000000000000000000000001", After: &ok, Fields: []diff.FieldChange{{Field: "colour"}}},
		{Action: diff.ActionUpdate, Name: "no-fields", TargetID: "whTarget_00000000000000000000000001", After: &ok},
		{Action: diff.ActionDelete, Name: "no-id"},
	}}
	f := newFake(plain.Target{ID: "whTarget_00000000000000000000000001", Description: "x", URL: "https://x"})
	r := Execute(context.Background(), p, f, Options{Parallelism: 1})
	if len(f.calls) != 0 {
		t.Fatalf("malformed changes were sent: %v", f.calls)
	}
	want := map[string]Outcome{
		"create no-after": OutcomeFailed, "update no-id": OutcomeFailed, "update no-after": OutcomeFailed,
		"update bad-field": OutcomeFailed, "update no-fields": OutcomeSkipped, "delete no-id": OutcomeSkipped,
	}
	got := outcomes(r)
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: outcome %s, want %s", k, got[k], w)
		}
	}
	for _, ev := range r.Events {
		if ev.Err == nil {
			t.Errorf("%s %s: no reason given", ev.Change.Action, ev.Change.Name)
		}
	}
	if msg := r.Events[3].Err.Error(); !strings.Contains(msg, `unknown field "colour"`) {
		t.Errorf("bad field error = %q", msg)
	}
}

func TestProgressEventsAreNumberedAndTimed(t *testing.T) {
	live, p := mixedPlan(2, 1, 1)
	f := newFake(live...)
	clock := newFakeClock()
	f.clock, f.cost = clock, 300*time.Millisecond
	var got []Event
	r := Execute(context.Background(), p, f, Options{Parallelism: 1, Now: clock.Now, Progress: func(ev Event) {
		got = append(got, ev) // serialised by Execute
	}})
	if len(got) != 4 || !slices.EqualFunc(got, r.Events, func(a, b Event) bool { return a.Index == b.Index && a.Change.Name == b.Change.Name }) {
		t.Fatalf("progress events %v differ from result events %v", got, r.Events)
	}
	for i, ev := range got {
		if ev.Index != i+1 || ev.Total != 4 {
			t.Errorf("event %d: index %d/%d, want %d/4", i, ev.Index, ev.Total, i+1)
		}
		if ev.Elapsed != 300*time.Millisecond {
			t.Errorf("event %d: elapsed %v, want 300ms", i, ev.Elapsed)
		}
	}
	if r.Elapsed != 1200*time.Millisecond {
		t.Fatalf("total elapsed %v, want 1.2s", r.Elapsed)
	}
}

func TestProgressIsSerialised(t *testing.T) {
	_, p := mixedPlan(40, 0, 0)
	f := newFake()
	var mu sync.Mutex
	inside, overlap := false, false
	seen := map[int]bool{}
	Execute(context.Background(), p, f, Options{Parallelism: 8, Progress: func(ev Event) {
		mu.Lock()
		if inside {
			overlap = true
		}
		inside = true
		seen[ev.Index] = true
		mu.Unlock()
		for range 100 {
			_ = ev.Change.Name
		}
		mu.Lock()
		inside = false
		mu.Unlock()
	}})
	if overlap {
		t.Fatal("Progress was called concurrently")
	}
	for i := 1; i <= 40; i++ {
		if !seen[i] {
			t.Fatalf("index %d never reported; seen %v", i, seen)
		}
	}
}

func TestCancelBeforeStartSendsNothing(t *testing.T) {
	live, p := mixedPlan(2, 2, 2)
	f := newFake(live...)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := Execute(ctx, p, f, Options{})
	if len(f.calls) != 0 {
		t.Fatalf("calls after cancellation: %v", f.calls)
	}
	if r.Skipped != 6 || r.Succeeded() {
		t.Fatalf("result = %+v", r)
	}
	for _, ev := range r.Events {
		if !errors.Is(ev.Err, ErrSkipped) {
			t.Errorf("%s %s: err %v does not wrap ErrSkipped", ev.Change.Action, ev.Change.Name, ev.Err)
		}
	}
}

func TestCancelMidPhaseFinishesInFlightAndSkipsTheRest(t *testing.T) {
	live, p := mixedPlan(5, 1, 1)
	f := newFake(live...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var sawCancelled bool
	f.hook = func(mctx context.Context, op string) {
		if op == "create" && f.countOp("create") == 1 {
			// The second create is being sent: cancel now. It must still
			// complete, with a context that is not cancelled.
			cancel()
			sawCancelled = mctx.Err() != nil
		}
	}
	r := Execute(ctx, p, f, Options{Parallelism: 1})
	if sawCancelled {
		t.Fatal("the in-flight mutation's context was cancelled")
	}
	if f.countOp("create") != 2 || f.countOp("update") != 0 || f.countOp("delete") != 0 {
		t.Fatalf("calls = %v, want exactly two creates", f.calls)
	}
	if r.Created != 2 || r.Skipped != 5 || r.Failed != 0 {
		t.Fatalf("counts = %+v", r)
	}
	if r.Succeeded() {
		t.Fatal("a cancelled run reports success")
	}
	// Skips are reported as soon as the executor decides them, so they
	// may come before the in-flight create's own event.
	for _, ev := range r.Events {
		sent := ev.Change.Action == diff.ActionCreate && (ev.Change.Name == "new-0" || ev.Change.Name == "new-1")
		if sent && ev.Outcome != OutcomeCreated {
			t.Errorf("%s %s: %s %v, want created", ev.Change.Action, ev.Change.Name, ev.Outcome, ev.Err)
		}
		if !sent && (ev.Outcome != OutcomeSkipped || !errors.Is(ev.Err, ErrSkipped)) {
			t.Errorf("%s %s: %s %v, want skipped", ev.Change.Action, ev.Change.Name, ev.Outcome, ev.Err)
		}
	}
	// Updates were skipped for cancellation; the skipped creates then
	// also hold the deletes back.
	for _, ev := range r.Events {
		if ev.Change.Action == diff.ActionUpdate && !errors.Is(ev.Err, context.Canceled) {
			t.Errorf("update skip reason %v does not wrap context.Canceled", ev.Err)
		}
		if ev.Change.Action == diff.ActionDelete && ev.Outcome != OutcomeSkipped {
			t.Errorf("delete outcome %s", ev.Outcome)
		}
	}
	if len(f.live()) != 2+2 {
		t.Fatalf("live = %v", f.live())
	}
}

// A target the plan already knows (here the one the file pins by id and
// renames, while a new webhook takes over its old name and URL) is never
// what a lost create made: adopting it would report the new target as
// created while the update then renames it away, leaving none.
func TestCreateOutcomeUnknownNeverAdoptsATargetThePlanKnows(t *testing.T) {
	old := plain.Target{ID: "whTarget_01HD4400VTDJQ646V6RY37SR13", Description: "crm", URL: "https://crm.example.com/hook",
		EventTypes: []string{"thread.thread_created"}, Version: testVersion, Enabled: true}
	before := state(old)
	after := state(old)
	after.Description = "crm-legacy"
	p := &diff.Plan{FormatVersion: diff.FormatVersion, LiveCount: 1, Changes: []diff.Change{
		createChange("crm", "https://crm.example.com/hook", "thread.thread_created"),
		{Action: diff.ActionUpdate, Name: "crm-legacy", TargetID: old.ID, MatchedBy: diff.MatchedByID,
			Before: &before, After: &after,
			Fields: []diff.FieldChange{{Field: diff.FieldDescription, Before: "crm", After: "crm-legacy"}}},
	}}
	f := newFake(old)
	f.inject("create:crm", faultLost)
	r := Execute(context.Background(), p, f, Options{LostCreateWait: time.Millisecond, PollInterval: time.Millisecond})

	if ev := r.Events[0]; ev.Outcome == OutcomeAdopted || ev.TargetID == old.ID {
		t.Fatalf("the lost create adopted the pre-existing %s: %+v", old.ID, ev)
	}
	if f.count("create:crm") != 1 || r.Failed != 1 {
		t.Fatalf("creates sent %d, result %+v", f.count("create:crm"), r)
	}
	var descs []string
	for _, lt := range f.live() {
		descs = append(descs, lt.Description)
	}
	if !slices.Equal(descs, []string{"crm-legacy"}) {
		t.Fatalf("live descriptions = %v, want only crm-legacy (the lost create never landed)", descs)
	}
}

// Cancelling apply (Ctrl-C) while a lost create is looked for ends the
// wait at once rather than after the pause, and sends nothing.
func TestCancelDuringLostCreatePollEndsIt(t *testing.T) {
	for _, delay := range []time.Duration{time.Millisecond, time.Hour} {
		_, p := mixedPlan(1, 0, 0)
		f := newFake()
		f.inject("create:new-0", faultLost)
		ctx, cancel := context.WithCancel(context.Background())
		f.hook = func(context.Context, string) { cancel() }
		r := Execute(ctx, p, f, Options{LostCreateWait: time.Hour, PollInterval: delay})
		cancel()
		if n := f.count("create:new-0"); n != 1 {
			t.Fatalf("delay %s: create sent %d times after cancellation, want once", delay, n)
		}
		ev := r.Events[0]
		if ev.Outcome != OutcomeFailed || !errors.Is(ev.Err, plain.ErrOutcomeUnknown) || !errors.Is(ev.Err, context.Canceled) ||
			!strings.Contains(ev.Err.Error(), "cancelled") || r.Succeeded() {
			t.Fatalf("delay %s: event %+v", delay, ev)
		}
	}
}

func BenchmarkExecute(b *testing.B) {
	_, p := mixedPlan(1000, 0, 0)
	b.ReportAllocs()
	for b.Loop() {
		f := newFake()
		r := Execute(context.Background(), p, f, Options{Parallelism: 4})
		if r.Created != 1000 {
			b.Fatalf("created %d", r.Created)
		}
	}
}
