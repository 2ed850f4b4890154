package view

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/apply"
	"github.com/plainsync/plainsync/internal/apply/applytest"
	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
)

// The tests of apply's output, moved here with it from package apply; the
// change builders are applytest's, the fake below stands in for apply's.

const applyTestVersion = applytest.Version

var (
	applyCreate = applytest.Create
	applyUpdate = applytest.Update
	applyDelete = applytest.Delete
	applyState  = applytest.State
)

// applySkipError is a skip reason as apply reports it: its text is the
// reason, and it wraps apply.ErrSkipped.
type applySkipError struct{ reason error }

func (e *applySkipError) Error() string   { return e.reason.Error() }
func (e *applySkipError) Unwrap() []error { return []error{apply.ErrSkipped, e.reason} }

// applySkip builds an applySkipError; format and args are as for
// fmt.Errorf.
func applySkip(format string, args ...any) error {
	return &applySkipError{reason: fmt.Errorf(format, args...)}
}

// applyFake is an in-memory Plain whose mutations fail, definitely, for
// the keys in fail ("create:<description>", "update:<id>",
// "delete:<id>"): with the given text, or by default with a message that
// quotes the input URL, as servers do.
type applyFake struct {
	mu      sync.Mutex
	targets []plain.Target
	nextID  int
	fail    map[string]string
}

func newApplyFake(targets ...plain.Target) *applyFake {
	return &applyFake{targets: slices.Clone(targets), nextID: 100, fail: map[string]string{}}
}

func (f *applyFake) failure(key, url string) error {
	text, ok := f.fail[key]
	if !ok {
		return nil
	}
	if text == "" {
		text = fmt.Sprintf("VALIDATION: url %q is not reachable", url)
	}
	return errors.New(text)
}

func (f *applyFake) CreateWebhookTarget(_ context.Context, in plain.CreateInput) (plain.Target, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failure("create:"+in.Description, in.URL); err != nil {
		return plain.Target{}, err
	}
	f.nextID++
	t := plain.Target{ID: fmt.Sprintf("whTarget_%026d", f.nextID), URL: in.URL, Description: in.Description,
		EventTypes: plain.SortedUnique(in.EventTypes), Version: in.Version, Enabled: in.Enabled}
	f.targets = append(f.targets, t)
	return t, nil
}

func (f *applyFake) UpdateWebhookTarget(_ context.Context, in plain.UpdateInput) (plain.Target, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	url := ""
	if in.URL != nil {
		url = *in.URL
	}
	if err := f.failure("update:"+in.ID, url); err != nil {
		return plain.Target{}, err
	}
	i := slices.IndexFunc(f.targets, func(t plain.Target) bool { return t.ID == in.ID })
	if i < 0 {
		return plain.Target{}, fmt.Errorf("webhook target %s not found", in.ID)
	}
	if in.URL != nil {
		f.targets[i].URL = *in.URL
	}
	return f.targets[i], nil
}

func (f *applyFake) DeleteWebhookTarget(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failure("delete:"+id, ""); err != nil {
		return err
	}
	i := slices.IndexFunc(f.targets, func(t plain.Target) bool { return t.ID == id })
	if i < 0 {
		return fmt.Errorf("webhook target %s not found", id)
	}
	f.targets = slices.Delete(f.targets, i, i+1)
	return nil
}

func (f *applyFake) ListWebhookTargets(context.Context) ([]plain.Target, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.targets), nil
}

func TestApplyOperationsListsMutationsInPhaseOrder(t *testing.T) {
	old := plain.Target{ID: "whTarget_01HD4400VTDJQ646V6RY37SR13", Description: "old", URL: "https://old.example.com", EventTypes: []string{"a"}, Version: applyTestVersion, Enabled: true}
	upd := plain.Target{ID: "whTarget_01HD4400VTDJQ646V6RY37SR17", Description: "upd", URL: "https://upd.example.com", EventTypes: []string{"a", "b"}, Version: "2025-08-06", Enabled: true}
	before, after := applyState(upd), applyState(upd)
	after.EventTypes = []string{"b", "c"}
	after.Enabled = false
	update := diff.Change{Action: diff.ActionUpdate, Name: "upd", TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR17", Before: &before, After: &after,
		Fields: []diff.FieldChange{{Field: diff.FieldEvents, Added: []string{"c"}, Removed: []string{"a"}}, {Field: diff.FieldEnabled}}}
	noVersion := applyCreate("plain-default", "https://d.example.com", "a")
	noVersion.After.Version = ""
	p := &diff.Plan{Changes: []diff.Change{
		applyDelete(old),
		update,
		applyCreate("crm-sync", "https://crm.example.com/hooks", "thread.thread_created", "customer.customer_created"),
		noVersion,
		{Action: diff.ActionNoop, Name: "same", TargetID: "whTarget_0000000000000000000000SAME"},
		{Action: diff.ActionUnmanaged, Name: "manual", TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR0Z"},
	}}
	want := []string{
		`createWebhookTarget(description: "crm-sync", url: "https://crm.example.com/hooks", eventSubscriptions: ["thread.thread_created", "customer.customer_created"], version: "2026-05-06", isEnabled: true)`,
		`createWebhookTarget(description: "plain-default", url: "https://d.example.com", eventSubscriptions: ["a"], isEnabled: true)`,
		`updateWebhookTarget(webhookTargetId: "whTarget_01HD4400VTDJQ646V6RY37SR17", eventSubscriptions: ["b", "c"], isEnabled: false) # "upd"`,
		`deleteWebhookTarget(webhookTargetId: "whTarget_01HD4400VTDJQ646V6RY37SR13") # "old"`,
	}
	got := ApplyOperations(p)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("operations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if ApplyOperations(nil) != nil {
		t.Fatal("nil plan has operations")
	}
}

func TestApplyOperationsMarksChangesThatWouldNotBeSent(t *testing.T) {
	ok := diff.TargetState{Description: "x", URL: "https://x"}
	p := &diff.Plan{Changes: []diff.Change{
		{Action: diff.ActionCreate, Name: "no-after"},
		{Action: diff.ActionUpdate, Name: "bad", TargetID: "whTarget_00000000000000000000000001", After: &ok, Fields: []diff.FieldChange{{Field: "colour"}}},
		{Action: diff.ActionUpdate, Name: "empty", TargetID: "whTarget_00000000000000000000000001", After: &ok},
	}}
	got := ApplyOperations(p)
	want := []string{
		`# create "no-after": not sent, the plan has no desired state for it`,
		`# update "bad": not sent: unknown field "colour" in the plan`,
		`# update "empty": not sent, the plan lists no changed fields`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("operations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestApplyProgressLines(t *testing.T) {
	ch := applyCreate("crm-sync", "https://crm.example.com")
	up := diff.Change{Action: diff.ActionUpdate, Name: "ops", TargetID: "whTarget_00000000000000000000000002"}
	del := diff.Change{Action: diff.ActionDelete, Name: "old", TargetID: "whTarget_00000000000000000000000003"}
	for _, tc := range []struct {
		ev   apply.Event
		want string
	}{
		{apply.Event{Index: 2, Total: 5, Change: ch, Outcome: apply.OutcomeCreated, TargetID: "whTarget_00000000000000000000000001", Elapsed: 300 * time.Millisecond},
			`[2/5] + created "crm-sync" (whTarget_00000000000000000000000001) in 0.3s`},
		{apply.Event{Index: 1, Total: 5, Change: ch, Outcome: apply.OutcomeAdopted, TargetID: "whTarget_00000000000000000000000001", Elapsed: 2 * time.Second},
			`[1/5] + adopted "crm-sync" (whTarget_00000000000000000000000001) in 2.0s: the create's response was lost, and the target was found in live state`},
		{apply.Event{Index: 3, Total: 5, Change: up, Outcome: apply.OutcomeUpdated, TargetID: "whTarget_00000000000000000000000002", Elapsed: 1250 * time.Millisecond},
			`[3/5] ~ updated "ops" (whTarget_00000000000000000000000002) in 1.2s`},
		{apply.Event{Index: 4, Total: 5, Change: del, Outcome: apply.OutcomeDeleted, TargetID: "whTarget_00000000000000000000000003", Elapsed: 100 * time.Millisecond},
			`[4/5] - deleted "old" (whTarget_00000000000000000000000003) in 0.1s`},
		{apply.Event{Index: 5, Total: 5, Change: ch, Outcome: apply.OutcomeFailed, Err: errors.New("VALIDATION: bad url"), Elapsed: 400 * time.Millisecond},
			`[5/5] ! create "crm-sync" failed after 0.4s: VALIDATION: bad url`},
		{apply.Event{Index: 5, Total: 5, Change: del, Outcome: apply.OutcomeSkipped, TargetID: "whTarget_00000000000000000000000003", Err: applySkip("1 earlier create or update did not succeed")},
			`[5/5] . delete "old" (whTarget_00000000000000000000000003) skipped: 1 earlier create or update did not succeed`},
	} {
		var b strings.Builder
		ApplyProgress(&b, nil)(tc.ev)
		if b.String() != tc.want+"\n" {
			t.Errorf("got  %q\nwant %q", b.String(), tc.want+"\n")
		}
	}
}

func TestApplyResult(t *testing.T) {
	ch := func(a diff.Action, n string) diff.Change { return diff.Change{Action: a, Name: n} }
	for _, tc := range []struct {
		name string
		r    *apply.Result
		want string
	}{
		{"success", &apply.Result{Created: 2, Updated: 1, Elapsed: 1200 * time.Millisecond},
			"Apply complete: 2 created, 1 updated, 0 deleted, 0 failed, 0 skipped in 1.2s.\n"},
		{"adoptions are counted", &apply.Result{Created: 1, Adopted: 1, Deleted: 3, Elapsed: 50 * time.Millisecond},
			"Apply complete: 1 created, 1 adopted, 0 updated, 3 deleted, 0 failed, 0 skipped in 0.1s.\n"},
		{"nil", nil, "Apply complete: 0 created, 0 updated, 0 deleted, 0 failed, 0 skipped in 0.0s.\n"},
		{"failure lists reasons", &apply.Result{Created: 2, Updated: 1, Failed: 1, Skipped: 2, Elapsed: 1200 * time.Millisecond,
			Events: []apply.Event{
				{Change: ch(diff.ActionCreate, "crm-sync"), Outcome: apply.OutcomeFailed, Err: errors.New("VALIDATION: bad url")},
				{Change: ch(diff.ActionDelete, "a"), Outcome: apply.OutcomeSkipped, Err: applySkip("1 earlier create or update did not succeed")},
				{Change: ch(diff.ActionDelete, "b"), Outcome: apply.OutcomeSkipped, Err: applySkip("1 earlier create or update did not succeed")},
			}},
			"Apply failed: 2 created, 1 updated, 0 deleted, 1 failed, 2 skipped in 1.2s.\n" +
				"  ! create \"crm-sync\": VALIDATION: bad url\n" +
				"  . 2 skipped: 1 earlier create or update did not succeed\n" +
				"  Fix the cause and re-run: applying again converges.\n"},
		{"cancelled", &apply.Result{Created: 1, Skipped: 1, Elapsed: time.Second,
			Events: []apply.Event{{Change: ch(diff.ActionCreate, "x"), Outcome: apply.OutcomeSkipped, Err: applySkip("apply was cancelled before this change was sent: %w", context.Canceled)}}},
			"Apply incomplete: 1 created, 0 updated, 0 deleted, 0 failed, 1 skipped in 1.0s.\n" +
				"  . 1 skipped: apply was cancelled before this change was sent: context canceled\n" +
				"  Fix the cause and re-run: applying again converges.\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			ApplyResult(&b, tc.r, nil)
			if b.String() != tc.want {
				t.Fatalf("got:\n%s\nwant:\n%s", b.String(), tc.want)
			}
		})
	}
}

// TestApplySecretsNeverPrinted runs a plan whose URLs carry a secret through
// every output of apply, including errors from the client that
// quote the URL back.
func TestApplySecretsNeverPrinted(t *testing.T) {
	const token = `s3cr3t-T0KEN"x\y`
	var m secret.Masker
	m.Add("CRM_TOKEN", token)
	url := "https://crm.example.com/hook?token=" + token
	upd := plain.Target{ID: "whTarget_00000000000000000000000001", Description: "ops", URL: "https://ops.example.com", EventTypes: []string{"a"}, Version: applyTestVersion, Enabled: true}
	del := plain.Target{ID: "whTarget_00000000000000000000000002", Description: "gone", URL: "https://gone.example.com/?k=" + token}
	p := &diff.Plan{Secrets: &m, LiveCount: 2, Changes: []diff.Change{
		applyCreate("crm-ok", url, "a"),
		applyCreate("crm-bad", url, "a"),
		applyUpdate(upd, url),
		applyDelete(del),
	}}
	f := newApplyFake(upd, del)
	// The fake's failures quote the input, URL and all, as servers do.
	f.fail["create:crm-bad"] = ""
	f.fail["update:whTarget_00000000000000000000000001"] = "VALIDATION: url " + url + " is not reachable"

	var out strings.Builder
	r := apply.Execute(context.Background(), p, f, apply.Options{Progress: ApplyProgress(&out, &m)})
	ApplyResult(&out, r, &m)
	for _, op := range ApplyOperations(p) {
		out.WriteString(op + "\n")
	}
	text := out.String()
	if r.Failed != 2 {
		t.Fatalf("the failing calls did not fail: %+v", r)
	}
	for _, leak := range []string{token, "s3cr3t", `s3cr3t-T0KEN\"x`} {
		if strings.Contains(text, leak) {
			t.Fatalf("output contains the secret (%q):\n%s", leak, text)
		}
	}
	if strings.Count(text, "${CRM_TOKEN}") < 5 {
		t.Fatalf("masked placeholder missing from output:\n%s", text)
	}
	// The failures' reasons are still shown, masked.
	if !strings.Contains(text, "VALIDATION: url https://crm.example.com/hook?token=${CRM_TOKEN} is not reachable") {
		t.Fatalf("masked failure reason missing:\n%s", text)
	}
}

// A token no ${VAR} names (written literally in the file, or quoted back
// by Plain) is redacted by position in operations and failure reasons.
func TestApplyLiteralURLTokensRedacted(t *testing.T) {
	const slackTok = "XXXXslackLITERALtoken123"
	url := "https://hooks.slack.com/services/T0/B0/" + slackTok
	upd := plain.Target{ID: "whTarget_00000000000000000000000001", Description: "ops", URL: "https://ops.example.com", EventTypes: []string{"a"}, Version: applyTestVersion, Enabled: true}
	p := &diff.Plan{Secrets: &secret.Masker{}, LiveCount: 1, Changes: []diff.Change{applyCreate("slack", url, "a"), applyUpdate(upd, url)}}
	f := newApplyFake(upd)
	f.fail["update:whTarget_00000000000000000000000001"] = "VALIDATION: url " + url + " is not reachable"
	var out strings.Builder
	r := apply.Execute(context.Background(), p, f, apply.Options{Progress: ApplyProgress(&out, p.Secrets)})
	ApplyResult(&out, r, p.Secrets)
	for _, op := range ApplyOperations(p) {
		out.WriteString(op + "\n")
	}
	text := out.String()
	if strings.Contains(text, slackTok) || !strings.Contains(text, "https://hooks.slack.com/services/T0/B0/REDACTED") {
		t.Fatalf("literal token not redacted:\n%s", text)
	}
}
