package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/schema"
)

// outputSchema compiles schema/output/<cmd>.schema.json from the embedded
// copy, offline.
func outputSchema(t *testing.T, cmd string) *jsonschema.Schema {
	t.Helper()
	data, err := schema.Output.ReadFile("output/" + cmd + ".schema.json")
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	id := schema.OutputBase + cmd + ".schema.json"
	if err := c.AddResource(id, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(id)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	return s
}

// jsonStream decodes every document of out (one, or a stream of them).
func jsonStream(t *testing.T, what, out string) []any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var docs []any
	for {
		var d any
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: output is not a JSON stream: %v\n%s", what, err, out)
		}
		docs = append(docs, d)
	}
	if len(docs) == 0 {
		t.Fatalf("%s: no JSON document", what)
	}
	return docs
}

// Every -o json document plainsync prints, from a workspace seeded to fill
// every optional member (creates, updates with a changed URL secret,
// deletes, a duplicate, a protected target, a lookalike, ignored and
// unmanaged targets, warnings, events delivered, retrying and failed,
// health with buckets), validates against its schema under schema/output.
// The schemas are closed, so a field the code adds without its schema
// fails here.
func TestJSONOutputsMatchTheirSchemas(t *testing.T) {
	const (
		billing   = "whTarget_01HD4400VTDJQ646V6RY37SR7K"
		dupKept   = "whTarget_01HD4400VTDJQ646V6RY37SR7M"
		dupExtra  = "whTarget_01HD4400VTDJQ646V6RY37SR7N"
		lookalike = "whTarget_01HD4400VTDJQ646V6RY37SR7P"
		old       = "whTarget_01HD4400VTDJQ646V6RY37SR7Q"
		manual    = "whTarget_01HD4400VTDJQ646V6RY37SR7R"
		delivered = "pEv_01HD450JT0RPBT7RRKS1ZQJYBA"
		retrying  = "pEv_01HD450JT0RPBT7RRKS1ZQJYBB"
		failed    = "pEv_01HD450JT0RPBT7RRKS1ZQJYBC"
		version   = "2026-05-06"
	)
	now := time.Now().UTC().Truncate(time.Second)
	attempt := func(n int, ev string, at time.Time, result string, status int) plain.DeliveryAttempt {
		a := plain.DeliveryAttempt{ID: fmt.Sprintf("whAttempt_01HD450N6X782MDTDBMS6Z14%02d", n), WebhookTargetID: billing, PublicEventID: ev,
			EventType: "thread.thread_created", AttemptedAt: at, DurationInMilliseconds: 40 + n, Result: result, HTTPStatusCode: status}
		if result == plain.ResultError || result == plain.ResultRejected {
			a.HTTPStatusCode, a.ErrorCode, a.Message = 0, "ECONNREFUSED", "Connection refused by the webhook target."
		}
		return a
	}
	target := func(id, desc, url string) plain.Target {
		return plain.Target{ID: id, Description: desc, URL: url, EventTypes: []string{"thread.thread_created"}, Version: version, Enabled: true,
			CreatedAt: now.Add(-48 * time.Hour), UpdatedAt: now.Add(-48 * time.Hour)}
	}
	st := &mockState{
		Workspace: plain.Workspace{ID: teamsWorkspace, Name: "Schemas"},
		Targets: []plain.Target{
			target(billing, "billing-main", "https://billing.example.com/hook?token=old-TOKEN-value-1"),
			target(dupKept, "dup-hook", "https://dup.example.com/hook"),
			target(dupExtra, "dup-hook", "https://dup.example.com/hook"),
			target(lookalike, "\u0441rm-sync", "https://collector.example.net/in"),
			target(old, "old-hook", "https://old.example.com/hook"),
			target(manual, "manual-keep", "https://manual.example.com/hook"),
		},
		DeliveryAttempts: []plain.DeliveryAttempt{
			attempt(1, delivered, now.Add(-3*time.Hour), plain.ResultFailedResponse, 500),
			attempt(2, delivered, now.Add(-3*time.Hour+10*time.Second), plain.ResultSuccessfulResponse, 200),
			attempt(3, failed, now.Add(-2*time.Hour), plain.ResultRejected, 0),
			attempt(4, retrying, now.Add(-5*time.Second), plain.ResultError, 0),
		},
	}
	st.Targets[2].CreatedAt = now.Add(-24 * time.Hour) // the newer copy is the duplicate
	m := startMock(t, st)
	file := "version: 1\nworkspace: " + teamsWorkspace + "\nprune: true\nignore:\n  - name: \"manual-*\"\nprotect:\n  - name: \"billing-*\"\n" +
		"defaults:\n  webhookVersion: \"" + version + "\"\nwebhooks:\n" +
		hook("billing-main", "https://billing.example.com/hook?token=${CRM_TOKEN}", "[thread.thread_created]") +
		hook("dup-hook", "https://dup.example.com/hook", "[thread.thread_created]") +
		hook("crm-sync", "https://crm.example.com/hooks/plain?token=${CRM_TOKEN}", "[\"thread.*\"]")
	dir := workdir(t, file)
	bad := "version: 1\nwebhooks:\n  - name: broken\n    url: https://broken.example.com/\n    events: [thread.no_such_event, NotAnEvent]\n"
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	// other.yaml's key is one plain-mock refuses: its workspace cannot be
	// read, and plan and drift print a failure document for it in the
	// stream.
	other := "version: 1\napiKeyEnv: OTHER_PLAIN_KEY\ndefaults:\n  webhookVersion: \"" + version + "\"\nwebhooks:\n" +
		hook("other", "https://other.example.com/hook", "[thread.thread_created]")
	if err := os.WriteFile(filepath.Join(dir, "other.yaml"), []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}

	runs := []struct {
		schema string
		args   []string
		code   int
		// want are members this run must show, so the schema is checked
		// against them rather than against an emptier document.
		want []string
	}{
		{"plan", []string{"plan", "-o", "json"}, 0, []string{`"secretsChanged"`, `"duplicateOf"`, `"protected": true`, `"protectedBy"`, `"lookalikeOf"`,
			`"ignored": true`, `"afterSensitive"`, `"beforeSensitive"`, `"eventPatterns"`, `"matchedBy"`, `"pos"`, `"severity": "warning"`, `"apiKeyEnv"`}},
		{"plan", []string{"plan", "-o", "json", "-f", "plainsync.yaml", "-f", "other.yaml"}, 1, []string{`"error"`}},
		{"drift", []string{"drift", "-o", "json", "--health-window", "24h", "--max-silence", "1m"}, 2,
			[]string{`"drifted"`, `"wouldDelete": true`, `"trend"`, `"buckets"`, `"healthy"`, `"silent": true`, `"maxSilence"`, `"lastFailure"`, `"lastSuccessAt"`}},
		{"drift", []string{"drift", "-o", "json", "-f", "plainsync.yaml", "-f", "other.yaml"}, 1, []string{`"error"`}},
		{"targets", []string{"targets", "-o", "json"}, 0, []string{`"targets"`, `"createdAt"`}},
		{"targets", []string{"targets", billing, "-o", "json"}, 0, []string{`"target"`}},
		{"deliveries", []string{"deliveries", "-o", "json", "--since", "24h"}, 0,
			[]string{`"since"`, `"outcome": "delivered"`, `"outcome": "retrying"`, `"outcome": "failed"`, `"deliveredAfter"`, `"nextAttemptAt"`, `"errorCode"`, `"httpStatusCode"`, `"successRate"`}},
		{"deliveries", []string{"deliveries", "billing-main", "--attempts", "-o", "json"}, 0, []string{`"attempts"`, `"trend"`}},
		{"event", []string{"event", delivered, "-o", "json"}, 0, []string{`"occurredAt"`, `"targets"`}},
		{"events", []string{"events", "-o", "json"}, 0, []string{`"isDeprecated": true`, `"eventTypes"`}},
		{"validate", []string{"validate", "-o", "json", "-f", "plainsync.yaml", "-f", "bad.yaml"}, 1, []string{`"severity": "error"`, `"set": true`}},
		{"version", []string{"version", "-o", "json"}, 0, []string{`"goVersion"`}},
	}
	// plan --out writes the saved plan apply reads: planfile.schema.json.
	planFile := filepath.Join(t.TempDir(), "plan.json")
	wantCode(t, m.run(dir, "plan", "--out", planFile), 0)
	saved, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	wantContains(t, string(saved), `"fileDigest"`, `"duplicateOf"`, `"afterSensitive"`, "${CRM_TOKEN}")
	schemas := map[string]*jsonschema.Schema{}
	for _, name := range []string{"plan", "drift", "failure", "targets", "deliveries", "event", "events", "validate", "version", "planfile"} {
		schemas[name] = outputSchema(t, name)
	}
	for i, doc := range jsonStream(t, "plan --out", string(saved)) {
		if err := schemas["planfile"].Validate(doc); err != nil {
			t.Errorf("plan --out: document %d does not match planfile.schema.json:\n%s", i, schemaErrors(err))
		}
	}
	for _, run := range runs {
		what := strings.Join(run.args, " ")
		r := m.runEnv(dir, []string{"OTHER_PLAIN_KEY=plainApiKey_e2eUNKNOWNkey77"}, run.args...)
		if r.code != run.code {
			t.Errorf("%s: exit code %d, want %d\n%s", what, r.code, run.code, r.all())
			continue
		}
		wantContains(t, r.stdout, run.want...)
		for i, doc := range jsonStream(t, what, r.stdout) {
			s := schemas[run.schema]
			if obj, ok := doc.(map[string]any); ok && obj["error"] != nil && (run.schema == "plan" || run.schema == "drift") {
				s = schemas["failure"]
			}
			if err := s.Validate(doc); err != nil {
				t.Errorf("%s: document %d does not match %s.schema.json:\n%s", what, i, run.schema, schemaErrors(err))
			}
		}
	}

	// export -o json writes the desired-state file as JSON: the file's
	// own schema (schema/webhooks.schema.json) covers it, id pins of
	// shared descriptions included (the workspace holds a duplicate).
	em := startMock(t, &mockState{Workspace: st.Workspace, Targets: st.Targets})
	r := em.run(t.TempDir(), "export", "-o", "json")
	wantContains(t, r.stdout, `"id": "whTarget_`)
	wantCode(t, r, 0)
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource(schema.ID, bytes.NewReader(schema.JSON)); err != nil {
		t.Fatal(err)
	}
	fileSchema, err := c.Compile(schema.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range jsonStream(t, "export -o json", r.stdout) {
		if err := fileSchema.Validate(doc); err != nil {
			t.Errorf("export -o json does not match webhooks.schema.json:\n%s", schemaErrors(err))
		}
	}
}

// schemaErrors lists a validation error's leaves, one per line, each with
// the member of the output it concerns.
func schemaErrors(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	var b strings.Builder
	for _, u := range ve.BasicOutput().Errors {
		if u.Error != "" && !strings.HasPrefix(u.Error, "doesn't validate with") {
			fmt.Fprintf(&b, "  %s: %s\n", u.InstanceLocation, u.Error)
		}
	}
	return b.String()
}

// replay -o json validates against replay.schema.json.
func TestReplayJSONMatchesItsSchema(t *testing.T) {
	live, other := startRecorder(t), startRecorder(t)
	m := startMock(t, nil, "--hmac-secret", "whsec_e2e_schema", "--retry-schedule", "none")
	dir := workdir(t, "version: 1\ndefaults:\n  webhookVersion: \"2026-02-27\"\nwebhooks:\n"+
		hook("live-hook", live.URL+"/live", "[thread.thread_created]"))
	wantCode(t, m.run(dir, "apply", "--auto-approve"), 0)
	ev := emittedEventID(t, m.emit("thread.thread_created"))
	live.wait(t, 1)
	r := m.run(dir, "replay", ev, "--to", other.URL+"/replayed?token=replay-TOKEN-1", "-o", "json")
	wantCode(t, r, 0)
	wantContains(t, r.stdout, `"summary"`, `"contentType"`, `"signed": true`)
	s := outputSchema(t, "replay")
	for i, doc := range jsonStream(t, "replay -o json", r.stdout) {
		if err := s.Validate(doc); err != nil {
			t.Errorf("replay -o json: document %d does not match replay.schema.json:\n%s", i, schemaErrors(err))
		}
	}
}
