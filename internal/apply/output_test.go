package apply

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
)

func TestOperationsListsMutationsInPhaseOrder(t *testing.T) {
	old := plain.Target{ID: "whTarget_01HD4400VTDJQ646V6RY37SR13", Description: "old", URL: "https://old.example.com", EventTypes: []string{"a"}, Version: testVersion, Enabled: true}
	upd := plain.Target{ID: "whTarget_01HD4400VTDJQ646V6RY37SR17", Description: "upd", URL: "https://upd.example.com", EventTypes: []string{"a", "b"}, Version: "2025-08-06", Enabled: true}
	before, after := state(upd), state(upd)
	after.EventTypes = []string{"b", "c"}
	after.Enabled = false
	update := diff.Change{Action: diff.ActionUpdate, Name: "upd", TargetID: "whTarget_01HD4400VTDJQ646V6RY37SR17", Before: &before, After: &after,
		Fields: []diff.FieldChange{{Field: diff.FieldEvents, Added: []string{"c"}, Removed: []string{"a"}}, {Field: diff.FieldEnabled}}}
	noVersion := createChange("plain-default", "https://d.example.com", "a")
	noVersion.After.Version = ""
	p := &diff.Plan{Changes: []diff.Change{
		deleteChange(old),
		update,
		createChange("crm-sync", "https://crm.example.com/hooks", "thread.thread_created", "customer.customer_created"),
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
	got := Operations(p)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("operations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if Operations(nil) != nil {
		t.Fatal("nil plan has operations")
	}
}

func TestOperationsMarksChangesThatWouldNotBeSent(t *testing.T) {
	ok := diff.TargetState{Description: "x", URL: "https://x"}
	p := &diff.Plan{Changes: []diff.Change{
		{Action: diff.ActionCreate, Name: "no-after"},
		{Action: diff.ActionUpdate, Name: "bad", TargetID: "whTarget_00000000000000000000000001", After: &ok, Fields: []diff.FieldChange{{Field: "colour"}}},
		{Action: diff.ActionUpdate, Name: "empty", TargetID: "whTarget_00000000000000000000000001", After: &ok},
	}}
	got := Operations(p)
	want := []string{
		`# create "no-after": not sent, the plan has no desired state for it`,
		`# update "bad": not sent: unknown field "colour" in the plan`,
		`# update "empty": not sent, the plan lists no changed fields`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("operations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestProgressPrinterLines(t *testing.T) {
	ch := createChange("crm-sync", "https://crm.example.com")
	up := diff.Change{Action: diff.ActionUpdate, Name: "ops", TargetID: "whTarget_00000000000000000000000002"}
	del := diff.Change{Action: diff.ActionDelete, Name: "old", TargetID: "whTarget_00000000000000000000000003"}
	for _, tc := range []struct {
		ev   Event
		want string
	}{
		{Event{Index: 2, Total: 5, Change: ch, Outcome: OutcomeCreated, TargetID: "whTarget_00000000000000000000000001", Elapsed: 300 * time.Millisecond},
			`[2/5] + created "crm-sync" (whTarget_00000000000000000000000001) in 0.3s`},
		{Event{Index: 1, Total: 5, Change: ch, Outcome: OutcomeAdopted, TargetID: "whTarget_00000000000000000000000001", Elapsed: 2 * time.Second},
			`[1/5] + adopted "crm-sync" (whTarget_00000000000000000000000001) in 2.0s: the create's response was lost, and the target was found in live state`},
		{Event{Index: 3, Total: 5, Change: up, Outcome: OutcomeUpdated, TargetID: "whTarget_00000000000000000000000002", Elapsed: 1250 * time.Millisecond},
			`[3/5] ~ updated "ops" (whTarget_00000000000000000000000002) in 1.2s`},
		{Event{Index: 4, Total: 5, Change: del, Outcome: OutcomeDeleted, TargetID: "whTarget_00000000000000000000000003", Elapsed: 100 * time.Millisecond},
			`[4/5] - deleted "old" (whTarget_00000000000000000000000003) in 0.1s`},
		{Event{Index: 5, Total: 5, Change: ch, Outcome: OutcomeFailed, Err: errors.New("VALIDATION: bad url"), Elapsed: 400 * time.Millisecond},
			`[5/5] ! create "crm-sync" failed after 0.4s: VALIDATION: bad url`},
		{Event{Index: 5, Total: 5, Change: del, Outcome: OutcomeSkipped, TargetID: "whTarget_00000000000000000000000003", Err: skip("1 earlier create or update did not succeed")},
			`[5/5] . delete "old" (whTarget_00000000000000000000000003) skipped: 1 earlier create or update did not succeed`},
	} {
		var b strings.Builder
		ProgressPrinter(&b, nil)(tc.ev)
		if b.String() != tc.want+"\n" {
			t.Errorf("got  %q\nwant %q", b.String(), tc.want+"\n")
		}
	}
}

func TestRenderResult(t *testing.T) {
	ch := func(a diff.Action, n string) diff.Change { return diff.Change{Action: a, Name: n} }
	for _, tc := range []struct {
		name string
		r    *Result
		want string
	}{
		{"success", &Result{Created: 2, Updated: 1, Elapsed: 1200 * time.Millisecond},
			"Apply complete: 2 created, 1 updated, 0 deleted, 0 failed, 0 skipped in 1.2s.\n"},
		{"adoptions are counted", &Result{Created: 1, Adopted: 1, Deleted: 3, Elapsed: 50 * time.Millisecond},
			"Apply complete: 1 created, 1 adopted, 0 updated, 3 deleted, 0 failed, 0 skipped in 0.1s.\n"},
		{"nil", nil, "Apply complete: 0 created, 0 updated, 0 deleted, 0 failed, 0 skipped in 0.0s.\n"},
		{"failure lists reasons", &Result{Created: 2, Updated: 1, Failed: 1, Skipped: 2, Elapsed: 1200 * time.Millisecond,
			Events: []Event{
				{Change: ch(diff.ActionCreate, "crm-sync"), Outcome: OutcomeFailed, Err: errors.New("VALIDATION: bad url")},
				{Change: ch(diff.ActionDelete, "a"), Outcome: OutcomeSkipped, Err: skip("1 earlier create or update did not succeed")},
				{Change: ch(diff.ActionDelete, "b"), Outcome: OutcomeSkipped, Err: skip("1 earlier create or update did not succeed")},
			}},
			"Apply failed: 2 created, 1 updated, 0 deleted, 1 failed, 2 skipped in 1.2s.\n" +
				"  ! create \"crm-sync\": VALIDATION: bad url\n" +
				"  . 2 skipped: 1 earlier create or update did not succeed\n" +
				"  Fix the cause and re-run: applying again converges.\n"},
		{"cancelled", &Result{Created: 1, Skipped: 1, Elapsed: time.Second,
			Events: []Event{{Change: ch(diff.ActionCreate, "x"), Outcome: OutcomeSkipped, Err: skip("apply was cancelled before this change was sent: %w", context.Canceled)}}},
			"Apply incomplete: 1 created, 0 updated, 0 deleted, 0 failed, 1 skipped in 1.0s.\n" +
				"  . 1 skipped: apply was cancelled before this change was sent: context canceled\n" +
				"  Fix the cause and re-run: applying again converges.\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			RenderResult(&b, tc.r, nil)
			if b.String() != tc.want {
				t.Fatalf("got:\n%s\nwant:\n%s", b.String(), tc.want)
			}
		})
	}
}

// TestSecretsNeverPrinted runs a plan whose URLs carry a secret through
// every output of the package, including errors from the client that
// quote the URL back.
func TestSecretsNeverPrinted(t *testing.T) {
	const token = `s3cr3t-T0KEN"x\y`
	var m secret.Masker
	m.Add("CRM_TOKEN", token)
	url := "https://crm.example.com/hook?token=" + token
	upd := plain.Target{ID: "whTarget_00000000000000000000000001", Description: "ops", URL: "https://ops.example.com", EventTypes: []string{"a"}, Version: testVersion, Enabled: true}
	del := plain.Target{ID: "whTarget_00000000000000000000000002", Description: "gone", URL: "https://gone.example.com/?k=" + token}
	p := &diff.Plan{Secrets: &m, LiveCount: 2, Changes: []diff.Change{
		createChange("crm-ok", url, "a"),
		createChange("crm-bad", url, "a"),
		updateChange(upd, url),
		deleteChange(del),
	}}
	f := newFake(upd, del)
	// The fake's failures quote the input, URL and all, as servers do.
	f.inject("create:crm-bad", faultErr)
	f.inject("update:whTarget_00000000000000000000000001", faultErr)
	f.errText["update:whTarget_00000000000000000000000001"] = "VALIDATION: url " + url + " is not reachable"

	var out strings.Builder
	r := Execute(context.Background(), p, f, Options{Progress: ProgressPrinter(&out, &m)})
	RenderResult(&out, r, &m)
	for _, op := range Operations(p) {
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

// A token no ${VAR} names (written literally in the file, or quoted back
// by Plain) is redacted by position in operations and failure reasons.
func TestLiteralURLTokensRedacted(t *testing.T) {
	const slackTok = "XXXXslackLITERALtoken123"
	url := "https://hooks.slack.com/services/T0/B0/" + slackTok
	upd := plain.Target{ID: "whTarget_00000000000000000000000001", Description: "ops", URL: "https://ops.example.com", EventTypes: []string{"a"}, Version: testVersion, Enabled: true}
	p := &diff.Plan{Secrets: &secret.Masker{}, LiveCount: 1, Changes: []diff.Change{createChange("slack", url, "a"), updateChange(upd, url)}}
	f := newFake(upd)
	f.inject("update:whTarget_00000000000000000000000001", faultErr)
	f.errText["update:whTarget_00000000000000000000000001"] = "VALIDATION: url " + url + " is not reachable"
	var out strings.Builder
	r := Execute(context.Background(), p, f, Options{Progress: ProgressPrinter(&out, p.Secrets)})
	RenderResult(&out, r, p.Secrets)
	for _, op := range Operations(p) {
		out.WriteString(op + "\n")
	}
	text := out.String()
	if strings.Contains(text, slackTok) || !strings.Contains(text, "https://hooks.slack.com/services/T0/B0/REDACTED") {
		t.Fatalf("literal token not redacted:\n%s", text)
	}
}
