package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

const secretValue = "tok-SECRET-123"

func yamlPos(line int) spec.Pos { return spec.Pos{File: "plainsync.yaml", Line: line, Col: 5} }

// fixture is a plan with one change of every kind and a secret in URLs.
func fixture() *diff.Plan {
	m := &secret.Masker{}
	m.Add("CRM_TOKEN", secretValue)
	longOld := "https://hooks.example.com/plain/v1/ingest?token=" + secretValue + "&region=eu"
	longNew := "https://hooks.example.com/plain/v2/ingest?token=" + secretValue + "&region=eu"
	p := &diff.Plan{
		FormatVersion: diff.FormatVersion,
		File:          "plainsync.yaml",
		Workspace:     plain.Workspace{ID: "w_01", Name: "Acme"},
		Fingerprint:   "sha256:0123",
		Prune:         true,
		APIKeyEnv:     "PLAIN_API_KEY",
		LiveCount:     5,
		Secrets:       m,
		Warnings: []spec.Problem{{Pos: spec.Pos{File: "plainsync.yaml", Line: 4, Col: 19}, Severity: spec.SeverityWarning,
			Message: `webhook version "2024-09-18" is deprecated; the latest is "2026-05-06"`}},
		Changes: []diff.Change{
			{
				Action: diff.ActionCreate, Name: "crm-sync", Pos: yamlPos(10),
				EventPatterns: []string{"thread.email_*", "customer.customer_created"},
				After: &diff.TargetState{Description: "crm-sync", URL: "https://crm.example.com/h?token=" + secretValue,
					EventTypes: []string{"customer.customer_created", "thread.email_received", "thread.email_sent"},
					Version:    "2026-05-06", Enabled: true},
			},
			{
				Action: diff.ActionUpdate, Name: "ingest", TargetID: "whTarget_00000000000000000000000002", MatchedBy: diff.MatchedByURL, Pos: yamlPos(20),
				EventPatterns: []string{"thread.thread_created", "thread.email_sent"},
				Before: &diff.TargetState{ID: "whTarget_00000000000000000000000002", Description: "ingest-old", URL: longOld,
					EventTypes: []string{"thread.chat_sent", "thread.thread_created"}, Version: "2025-08-06", Enabled: true},
				After: &diff.TargetState{ID: "whTarget_00000000000000000000000002", Description: "ingest", URL: longNew,
					EventTypes: []string{"thread.email_sent", "thread.thread_created"}, Version: "2026-05-06", Enabled: false},
				Fields: []diff.FieldChange{
					{Field: diff.FieldDescription, Before: "ingest-old", After: "ingest"},
					{Field: diff.FieldURL, Before: longOld, After: longNew},
					{Field: diff.FieldEvents, Added: []string{"thread.email_sent"}, Removed: []string{"thread.chat_sent"}},
					{Field: diff.FieldVersion, Before: "2025-08-06", After: "2026-05-06"},
					{Field: diff.FieldEnabled, Before: "true", After: "false"},
				},
			},
			{
				Action: diff.ActionDelete, Name: "old-hook", TargetID: "whTarget_00000000000000000000000003",
				Before: &diff.TargetState{ID: "whTarget_00000000000000000000000003", Description: "old-hook", URL: "https://old.example.com/h",
					EventTypes: []string{"thread.thread_created"}, Version: "2025-08-06", Enabled: true},
			},
			{
				Action: diff.ActionNoop, Name: "steady", TargetID: "whTarget_00000000000000000000000004", MatchedBy: diff.MatchedByDescription, Pos: yamlPos(30),
				Before: &diff.TargetState{ID: "whTarget_00000000000000000000000004", Description: "steady", URL: "https://steady.example.com/h", EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true},
				After:  &diff.TargetState{ID: "whTarget_00000000000000000000000004", Description: "steady", URL: "https://steady.example.com/h", EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true},
			},
			{
				Action: diff.ActionUnmanaged, Name: "manual-debug", TargetID: "whTarget_00000000000000000000000005", Ignored: true,
				Before: &diff.TargetState{ID: "whTarget_00000000000000000000000005", Description: "manual-debug", URL: "https://x.ngrok-free.app/h", EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true},
			},
		},
	}
	return p
}

// inSyncFixture has only unchanged and ignored targets.
func inSyncFixture() *diff.Plan {
	p := fixture()
	p.Prune = false
	p.Warnings = nil
	p.Changes = p.Changes[3:]
	return p
}

type renderer func(io.Writer, *diff.Plan) error

func textR(color bool) renderer {
	return func(w io.Writer, p *diff.Plan) error { return Text(w, p, Options{Color: color}) }
}

func driftR(color bool) renderer {
	return func(w io.Writer, p *diff.Plan) error { return Drift(w, p, Options{Color: color}) }
}

func render(t testing.TB, r renderer, p *diff.Plan) string {
	t.Helper()
	var b bytes.Buffer
	if err := r(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	cases := []struct {
		file string
		r    renderer
		p    func() *diff.Plan
	}{
		{"plan.txt", textR(false), fixture},
		{"plan-color.txt", textR(true), fixture},
		{"plan.json", JSON, fixture},
		{"plan.md", Markdown, fixture},
		{"nochanges.txt", textR(false), inSyncFixture},
		{"nochanges.md", Markdown, inSyncFixture},
		{"drift.txt", driftR(false), fixture},
		{"drift.json", DriftJSON, fixture},
		{"insync.txt", driftR(false), inSyncFixture},
		{"insync.json", DriftJSON, inSyncFixture},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			got := render(t, tc.r, tc.p())
			path := filepath.Join("testdata", tc.file+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s (run go test -update after checking):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
			}
		})
	}
}

func TestNoSecretInAnyOutput(t *testing.T) {
	for name, r := range map[string]renderer{
		"text": textR(false), "text color": textR(true), "json": JSON, "markdown": Markdown,
		"drift": driftR(false), "drift color": driftR(true), "drift json": DriftJSON,
	} {
		for _, p := range []*diff.Plan{fixture(), inSyncFixture()} {
			// Put the secret in every place a string can come from.
			p.Workspace.Name = "ws " + secretValue
			p.Warnings = append(p.Warnings, spec.Problem{Pos: spec.Pos{File: secretValue}, Severity: spec.SeverityWarning, Message: "about " + secretValue})
			p.Changes[0].Name = "n-" + secretValue
			out := render(t, r, p)
			if strings.Contains(out, secretValue) || strings.Contains(out, "SECRET") {
				t.Errorf("%s: secret value in output:\n%s", name, out)
			}
			if !strings.Contains(out, "${CRM_TOKEN}") {
				t.Errorf("%s: output lacks the ${CRM_TOKEN} reference:\n%s", name, out)
			}
		}
	}
}

func TestSummary(t *testing.T) {
	if got, want := Summary(fixture()), "Plan: 1 to create, 1 to update, 1 to delete, 1 unchanged, 1 unmanaged."; got != want {
		t.Fatalf("Summary = %q, want %q", got, want)
	}
}

func TestTextDetails(t *testing.T) {
	out := render(t, textR(false), fixture())
	for _, want := range []string{
		"Plan for plainsync.yaml → workspace \"Acme\" (w_01)",
		`+ create "crm-sync"`,
		"events:      thread.email_* → 2 types, customer.customer_created",
		"        + thread.email_received",
		`~ update "ingest" (whTarget_00000000000000000000000002), matched by URL`,
		`description: "ingest-old" → "ingest"`,
		"url:         https://hooks.example.com/plain/v[-1-]{+2+}/ingest?token=${CRM_TOKEN}&region=eu",
		"        + thread.email_sent\n        - thread.chat_sent",
		`version:     "2025-08-06" → "2026-05-06"`,
		"enabled:     true → false",
		`- delete "old-hook" (whTarget_00000000000000000000000003)`,
		`? unmanaged "manual-debug" (whTarget_00000000000000000000000005) (ignored)`,
		"plainsync.yaml:4:19: warning: webhook version",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "steady") {
		t.Error("unchanged targets should only be counted")
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("ANSI codes without Color")
	}
	if strings.Contains(out, "No changes") {
		t.Error("'No changes' on a plan with changes")
	}
	if !strings.HasSuffix(out, Summary(fixture())+"\n") {
		t.Error("text does not end with the summary line")
	}
}

func TestTextColor(t *testing.T) {
	out := render(t, textR(true), fixture())
	if !strings.Contains(out, ansiRed+"1"+ansiReset+ansiGreen+"2"+ansiReset) {
		t.Errorf("coloured inline diff missing:\n%q", out)
	}
	if strings.Contains(out, "[-") || strings.Contains(out, "{+") {
		t.Error("bracket markers with colour on")
	}
}

func TestTextNoChanges(t *testing.T) {
	out := render(t, textR(false), inSyncFixture())
	if !strings.Contains(out, "No changes. Live targets match the file.\n") {
		t.Fatalf("missing no-changes line:\n%s", out)
	}
	if !strings.Contains(out, `? unmanaged "manual-debug"`) {
		t.Error("unmanaged targets must be shown in every plan")
	}
}

func TestInlineDiffOnlyForLongStrings(t *testing.T) {
	short := diff.FieldChange{Field: diff.FieldURL, Before: "https://a.example/h", After: "https://b.example/h"}
	long := diff.FieldChange{Field: diff.FieldDescription, Before: strings.Repeat("a", 41), After: "b"}
	if useInline(short) || !useInline(long) {
		t.Fatal("inline diff threshold")
	}
	if useInline(diff.FieldChange{Field: diff.FieldVersion, Before: strings.Repeat("a", 50), After: "x"}) {
		t.Fatal("version shown inline")
	}
	// Renderers pass display's inert text, never raw control characters.
	if got := inlineDiff(inert.Text("abc\ndef"), inert.Text("abc\nxyz"), false); got != `abc\x0a[-def-]{+xyz+}` {
		t.Fatalf("inlineDiff = %q", got)
	}
}

func TestJSONShape(t *testing.T) {
	out := render(t, JSON, fixture())
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got["formatVersion"] != float64(1) || got["hasChanges"] != true {
		t.Errorf("formatVersion/hasChanges: %v %v", got["formatVersion"], got["hasChanges"])
	}
	counts := got["counts"].(map[string]any)
	if counts["create"] != float64(1) || counts["unmanaged"] != float64(1) {
		t.Errorf("counts %v", counts)
	}
	if !strings.HasPrefix(out, "{\n  \"formatVersion\": 1,") {
		t.Error("not indented with formatVersion first")
	}
	empty := render(t, JSON, &diff.Plan{Fingerprint: "sha256:x"})
	if !strings.Contains(empty, `"changes": []`) || !strings.Contains(empty, `"warnings": []`) {
		t.Errorf("empty lists must be []:\n%s", empty)
	}
}

func TestMarkdownDetails(t *testing.T) {
	out := render(t, Markdown, fixture())
	for _, want := range []string{
		"**" + Summary(fixture()) + "**",
		"| 🔄 | update | `ingest` | `whTarget_00000000000000000000000002` | description, url, events, version, enabled |",
		"<details><summary>➕ create <code>crm-sync</code></summary>",
		"```diff\n+ description: crm-sync\n",
		"- url: https://hooks.example.com/plain/v1/ingest?token=${CRM_TOKEN}&region=eu\n+ url: https://hooks.example.com/plain/v2/",
		"> [!WARNING]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Truncated") {
		t.Error("small plan truncated")
	}
}

func TestMarkdownEscaping(t *testing.T) {
	p := fixture()
	p.Changes[0].Name = "a|b<i>```"
	p.Changes[0].After.Description = p.Changes[0].Name
	out := render(t, Markdown, p)
	if !strings.Contains(out, "<code>a&#124;b&lt;i&gt;```</code>") {
		t.Errorf("table cell not escaped:\n%s", out)
	}
	if !strings.Contains(out, "````diff\n") {
		t.Errorf("fence not lengthened past the backticks in the body:\n%s", out)
	}
}

func hugePlan(n int) *diff.Plan {
	p := &diff.Plan{FormatVersion: 1, File: "plainsync.yaml", Workspace: plain.Workspace{ID: "w_01", Name: "Acme"}, Secrets: &secret.Masker{}}
	for i := range n {
		name := fmt.Sprintf("hook-%05d", i)
		before := fmt.Sprintf("https://old.example.com/hooks/%05d/ingest?region=eu-west-1", i)
		after := fmt.Sprintf("https://new.example.com/hooks/%05d/ingest?region=eu-west-1", i)
		p.Changes = append(p.Changes, diff.Change{
			Action: diff.ActionUpdate, Name: name, TargetID: fmt.Sprintf("whTarget_%026d", i),
			Before: &diff.TargetState{Description: name, URL: before, EventTypes: []string{"thread.chat_sent"}},
			After:  &diff.TargetState{Description: name, URL: after, EventTypes: []string{"thread.email_sent"}},
			Fields: []diff.FieldChange{
				{Field: diff.FieldURL, Before: before, After: after},
				{Field: diff.FieldEvents, Added: []string{"thread.email_sent"}, Removed: []string{"thread.chat_sent"}},
			},
		})
	}
	return p
}

func TestMarkdownTruncation(t *testing.T) {
	for _, n := range []int{300, 5000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			out := render(t, Markdown, hugePlan(n))
			if len(out) > MaxMarkdown {
				t.Fatalf("markdown is %d bytes, over %d", len(out), MaxMarkdown)
			}
			if !strings.Contains(out, "Truncated to fit GitHub's 65536-character limit") {
				t.Fatalf("no truncation note:\n%s", out[len(out)-500:])
			}
			if !strings.Contains(out, "**Plan: 0 to create, "+fmt.Sprint(n)+" to update") {
				t.Error("summary lost")
			}
			if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
				t.Error("a details block was cut in half")
			}
		})
	}
	// A header alone over the limit is clipped at a line.
	p := hugePlan(1)
	for i := range 3000 {
		p.Warnings = append(p.Warnings, spec.Problem{Pos: spec.Pos{File: "f", Line: i + 1, Col: 1}, Severity: spec.SeverityWarning, Message: strings.Repeat("w", 40)})
	}
	out := render(t, Markdown, p)
	if len(out) > MaxMarkdown || !strings.Contains(out, "Truncated") {
		t.Fatalf("warnings flood: %d bytes", len(out))
	}
}

func TestInSync(t *testing.T) {
	if InSync(fixture()) {
		t.Error("fixture with changes reported in sync")
	}
	if !InSync(inSyncFixture()) {
		t.Error("no-op and ignored only should be in sync")
	}
	// Without prune an unmanaged target is reported but is not drift.
	p := inSyncFixture()
	p.Changes[1].Ignored = false
	if !InSync(p) {
		t.Error("an unmanaged target without prune is not drift")
	}
	out := render(t, driftR(false), p)
	if !strings.Contains(out, "In sync.") || !strings.Contains(out, "kept, since prune is off") {
		t.Errorf("in-sync report should list the unmanaged target:\n%s", out)
	}
	// With prune it would be deleted, and that is drift.
	p.Changes[1].Action = diff.ActionDelete
	if InSync(p) {
		t.Error("a target prune would delete is drift")
	}
}

func TestDriftDetails(t *testing.T) {
	out := render(t, driftR(false), fixture())
	for _, want := range []string{
		`~ drifted "ingest" (whTarget_00000000000000000000000002)`,
		`+ missing "crm-sync": in the file, not in Plain`,
		`? unmanaged "old-hook" (whTarget_00000000000000000000000003): in Plain, not in the file; prune would delete it`,
		"Drift: 1 drifted, 1 missing, 1 unmanaged.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("drift lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "manual-debug") {
		t.Error("ignored target reported as drift")
	}
	in := render(t, driftR(false), inSyncFixture())
	if !strings.HasPrefix(in, "In sync.") {
		t.Errorf("in-sync report: %q", in)
	}
	var r DriftReport
	if err := json.Unmarshal([]byte(render(t, DriftJSON, fixture())), &r); err != nil {
		t.Fatal(err)
	}
	if r.InSync || len(r.Drifted) != 1 || len(r.Missing) != 1 || len(r.Unmanaged) != 1 || !r.Unmanaged[0].WouldDelete {
		t.Errorf("drift report %+v", r)
	}
}

func TestNilPlan(t *testing.T) {
	for name, r := range map[string]renderer{"text": textR(false), "json": JSON, "markdown": Markdown, "drift": driftR(false), "drift json": DriftJSON} {
		if err := r(io.Discard, nil); err == nil {
			t.Errorf("%s: no error for a nil plan", name)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("disk full") }

func TestWriteErrors(t *testing.T) {
	for name, r := range map[string]renderer{"text": textR(false), "json": JSON, "markdown": Markdown, "drift": driftR(false), "drift json": DriftJSON} {
		if err := r(failWriter{}, fixture()); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func BenchmarkText(b *testing.B) {
	p := hugePlan(1000)
	p.Secrets.Add("T", "s3cr3t")
	b.ReportAllocs()
	for b.Loop() {
		if err := Text(io.Discard, p, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestClipNeverSplitsACharacter(t *testing.T) {
	s := strings.Repeat("é", 40) // 80 bytes, no newline
	for limit := 120; limit < 160; limit++ {
		out := clip(s+strings.Repeat("ü", 100), limit)
		if !utf8.ValidString(out) || len(out) > limit {
			t.Fatalf("limit %d: %d bytes, valid %v", limit, len(out), utf8.ValidString(out))
		}
	}
}

// A rotated Slack token renders as one masked URL line in every format,
// and neither token appears anywhere.
func TestRotatedTokenRendersAsSensitiveChange(t *testing.T) {
	const oldTok, newTok = "OLDxxxxxxxxxxxxxxxxxxxx1", "NEWyyyyyyyyyyyyyyyyyyyy2"
	m := &secret.Masker{}
	m.Add("SLACK_TOKEN", newTok)
	before := "https://hooks.slack.com/services/T0/B0/REDACTED" // as diff.Compute shows the live URL
	after := "https://hooks.slack.com/services/T0/B0/" + newTok
	p := &diff.Plan{
		FormatVersion: diff.FormatVersion, File: "plainsync.yaml", Workspace: plain.Workspace{ID: "w_01"}, Secrets: m,
		Changes: []diff.Change{{
			Action: diff.ActionUpdate, Name: "slack", TargetID: "whTarget_00000000000000000000000001",
			Before:          &diff.TargetState{ID: "whTarget_00000000000000000000000001", Description: "slack", URL: before, EventTypes: []string{"thread.thread_created"}, Enabled: true},
			After:           &diff.TargetState{ID: "whTarget_00000000000000000000000001", Description: "slack", URL: after, EventTypes: []string{"thread.thread_created"}, Enabled: true},
			Fields:          []diff.FieldChange{{Field: diff.FieldURL, Before: before, After: after, SecretsChanged: []string{"path/3"}, OnlySecrets: true}},
			BeforeSensitive: map[string]bool{"url": true}, AfterSensitive: map[string]bool{"url": true},
		}},
	}
	const shown = "https://hooks.slack.com/services/T0/B0/(sensitive value changed)"
	var text, md, js bytes.Buffer
	if err := Text(&text, p, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, p); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&js, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), `url:         "`+shown+`"`) || strings.Contains(text.String(), "[-") {
		t.Errorf("text:\n%s", text.String())
	}
	if !strings.Contains(md.String(), "! url: "+shown) {
		t.Errorf("markdown:\n%s", md.String())
	}
	var j struct {
		Counts  diff.Counts `json:"counts"`
		Changes []struct {
			BeforeSensitive map[string]bool `json:"beforeSensitive"`
			AfterSensitive  map[string]bool `json:"afterSensitive"`
			Fields          []struct {
				After       string `json:"after"`
				OnlySecrets bool   `json:"onlySecrets"`
			} `json:"fields"`
		} `json:"changes"`
	}
	if err := json.Unmarshal(js.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	if j.Counts.Update != 1 || !j.Changes[0].BeforeSensitive["url"] || !j.Changes[0].AfterSensitive["url"] ||
		j.Changes[0].Fields[0].After != shown || !j.Changes[0].Fields[0].OnlySecrets {
		t.Errorf("json:\n%s", js.String())
	}
	for _, out := range []string{text.String(), md.String(), js.String()} {
		if strings.Contains(out, oldTok) || strings.Contains(out, newTok) {
			t.Errorf("a token is shown:\n%s", out)
		}
	}
}

func TestScopeLine(t *testing.T) {
	p := &diff.Plan{File: "teams/support.yaml", Scope: []string{"support-*", "ops\x1b"}, OutOfScope: 3, Changes: []diff.Change{}, Secrets: &secret.Masker{}}
	var b strings.Builder
	if err := Text(&b, p, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\nScope: support-*, ops\\x1b (3 live targets outside it are left alone)\n") {
		t.Errorf("text plan:\n%s", b.String())
	}
	var j strings.Builder
	if err := JSON(&j, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(j.String(), `"scope": [`) || !strings.Contains(j.String(), `"outOfScope": 3`) {
		t.Errorf("json plan:\n%s", j.String())
	}
	var md strings.Builder
	if err := Markdown(&md, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "\n\nScope: `support-*`, `ops\\x1b` (3 live targets outside it are left alone)\n\n") {
		t.Errorf("markdown plan:\n%s", md.String())
	}
	if ScopeLine(&diff.Plan{}) != "" {
		t.Error("an unscoped plan has a scope line")
	}
}
