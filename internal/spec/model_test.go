package spec

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/schema"
)

func loadGood(t *testing.T, name string) *Desired {
	t.Helper()
	d, ps := Load(filepath.Join("testdata", "good", name), lookupTestEnv)
	if d == nil || HasErrors(ps) {
		t.Fatalf("%s: %s", name, render(ps))
	}
	return d
}

func TestModelFull(t *testing.T) {
	d := loadGood(t, "full.yaml")
	file := filepath.Join("testdata", "good", "full.yaml")
	if d.Workspace.Value != "w_01H8FULLTESTFILEWORKSPACE0" || d.Workspace.Pos != (Pos{file, 3, 12}) {
		t.Errorf("workspace %+v", d.Workspace)
	}
	if d.APIKeyEnv != "PLAIN_API_KEY_PROD" || !d.Prune || d.PrunePos != (Pos{file, 8, 8}) {
		t.Errorf("apiKeyEnv %q prune %v at %v", d.APIKeyEnv, d.Prune, d.PrunePos)
	}
	wantIgnore := []IgnoreRule{{Name: "manual-*", Pos: Pos{file, 10, 5}}, {URL: "https://*.ngrok-free.app/*", Pos: Pos{file, 11, 5}}}
	if !reflect.DeepEqual(d.Ignore, wantIgnore) {
		t.Errorf("ignore %+v", d.Ignore)
	}
	if len(d.Webhooks) != 3 || d.WebhooksPos != (Pos{file, 13, 3}) {
		t.Fatalf("webhooks %d at %v", len(d.Webhooks), d.WebhooksPos)
	}
	crm, renamed, local := d.Webhooks[0], d.Webhooks[1], d.Webhooks[2]

	// Explicit values beat defaults.
	if crm.Name.Value != "crm-sync" || crm.Name.Pos != (Pos{file, 13, 11}) || crm.Pos != (Pos{file, 13, 5}) {
		t.Errorf("crm name %+v pos %v", crm.Name, crm.Pos)
	}
	if crm.WebhookVersion.Value != "2025-08-06" || crm.WebhookVersion.Pos.Line != 16 {
		t.Errorf("crm version %+v", crm.WebhookVersion)
	}
	if !crm.Enabled || crm.EnabledPos != (Pos{file, 17, 14}) {
		t.Errorf("crm enabled %v at %v", crm.Enabled, crm.EnabledPos)
	}
	if got := []string{crm.Events[0].Value, crm.Events[1].Value}; !reflect.DeepEqual(got, []string{"thread.thread_created", "customer.*"}) {
		t.Errorf("crm events %v", got)
	}
	if crm.Events[1].Pos != (Pos{file, 15, 37}) {
		t.Errorf("event pos %v", crm.Events[1].Pos)
	}

	// Interpolation: Value is filled, Raw keeps the reference, Secret set.
	if crm.URL.Value != "https://crm.example.com/hooks/plain?token=s3cr3t-crm-token-value" ||
		crm.URL.Raw != "https://crm.example.com/hooks/plain?token=${CRM_WEBHOOK_TOKEN}" || !crm.URL.Secret {
		t.Errorf("crm url %+v", crm.URL)
	}
	if renamed.URL.Value != "https://ops.example.com/plain?literal=${NOT_A_VAR}" || !renamed.URL.Secret {
		t.Errorf("escaped url %+v", renamed.URL)
	}
	if local.URL.Secret || local.URL.Value != local.URL.Raw {
		t.Errorf("plain url marked secret: %+v", local.URL)
	}
	if renamed.ID.Value != "whTarget_01HD4400VTDJQ646V6RY37SR7K" || crm.ID.Value != "" {
		t.Errorf("ids %q %q", renamed.ID.Value, crm.ID.Value)
	}

	// Defaults: version and enabled come from defaults, with its positions.
	if renamed.WebhookVersion.Value != "2026-05-06" || renamed.WebhookVersion.Pos != (Pos{file, 6, 19}) {
		t.Errorf("defaulted version %+v", renamed.WebhookVersion)
	}
	if renamed.Enabled || renamed.EnabledPos != (Pos{file, 7, 12}) {
		t.Errorf("defaulted enabled %v at %v", renamed.Enabled, renamed.EnabledPos)
	}

	// Secrets: every interpolated variable is registered for masking.
	masked := d.Secrets.Mask("a s3cr3t-crm-token-value b ops.example.com")
	if masked != "a ${CRM_WEBHOOK_TOKEN} b ${OPS_HOST}" {
		t.Errorf("masked %q", masked)
	}
}

func TestDefaultsWhenUnset(t *testing.T) {
	d := loadGood(t, "minimal.yaml")
	if d.APIKeyEnv != DefaultAPIKeyEnv || d.Prune || d.Workspace.Value != "" || len(d.Webhooks) != 0 {
		t.Errorf("minimal: %+v", d)
	}
	d = loadGood(t, "anchors.yaml")
	if len(d.Webhooks) != 2 {
		t.Fatalf("anchors: %d webhooks", len(d.Webhooks))
	}
	first, second := d.Webhooks[0], d.Webhooks[1]
	// enabled defaults to true when neither the webhook nor defaults set it;
	// its position is then the webhook's.
	if !first.Enabled || first.EnabledPos != first.Pos {
		t.Errorf("enabled default: %v at %v (webhook at %v)", first.Enabled, first.EnabledPos, first.Pos)
	}
	// Merge keys bring in the anchored fields; explicit keys win.
	if first.WebhookVersion.Value != "2026-05-06" || len(first.Events) != 2 || first.Events[1].Value != "thread.email_received" {
		t.Errorf("merged: %+v", first)
	}
	if len(second.Events) != 1 || second.Events[0].Value != "customer.*" {
		t.Errorf("explicit events did not win over merge: %+v", second.Events)
	}
	d = loadGood(t, "unquoted-date.yaml")
	if got := d.Webhooks[1].WebhookVersion.Value; got != "2026-05-06" {
		t.Errorf("unquoted date default became %q", got)
	}
}

// TestSecretsNeverInProblems loads files that fail in every way a URL can
// while holding a secret and checks the value appears in no message.
func TestSecretsNeverInProblems(t *testing.T) {
	const secretValue = "hunter2-very-secret"
	env := func(k string) (string, bool) {
		switch k {
		case "TOKEN", "HOST", "PORT":
			return secretValue, true
		}
		return "", false
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "s.yaml")
	content := `version: 1
webhooks:
  - name: a
    url: http://example.com/?t=${TOKEN}
    events: ["*"]
  - name: b
    url: https://${HOST}:${PORT}/x
    events: ["*"]
  - name: c
    url: ftp://u:${TOKEN}@example.com/
    events: ["*"]
  - name: d
    url: https://exa mple.com/${TOKEN}
    events: ["*"]
  - name: e
    url: "${TOKEN}"
    events: ["*"]
  - name: f
    url: https://example.com/${TOKEN}/${UNSET}
    events: ["*"]
  - name: g
    url: ${TOKEN}://example.com/x
    events: ["*"]
`
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	_, ps := Load(file, env)
	if len(ps) < 7 {
		t.Fatalf("expected a problem per webhook, got:\n%s", render(ps))
	}
	for _, p := range ps {
		if strings.Contains(p.String(), secretValue) || strings.Contains(p.String(), "hunter2") {
			t.Errorf("secret leaked: %s", p)
		}
	}
	if _, _, err := Interpolate("x${TOKEN}${UNSET}", env); err == nil || strings.Contains(err.Error(), secretValue) {
		t.Errorf("Interpolate error %v", err)
	}
}

func TestInterpolate(t *testing.T) {
	env := func(k string) (string, bool) {
		v, ok := map[string]string{"A": "1", "B_2": "two", "E": ""}[k]
		return v, ok
	}
	cases := []struct {
		raw, want string
		used      map[string]string
		err       string
	}{
		{"plain", "plain", map[string]string{}, ""},
		{"${A}", "1", map[string]string{"A": "1"}, ""},
		{"x${A}y${B_2}z${A}", "x1ytwoz1", map[string]string{"A": "1", "B_2": "two"}, ""},
		{"$${A}", "${A}", map[string]string{}, ""},
		{"$$${A}", "$${A}", map[string]string{}, ""}, // "$" then the escape
		{"$A $ {A} $", "$A $ {A} $", map[string]string{}, ""},
		{"${E}", "", map[string]string{"E": ""}, ""},
		{"${MISSING}", "", nil, "environment variable MISSING is not set"},
		{"${A", "", nil, `unterminated "${"`},
		{"${1A}", "", nil, `invalid variable name "1A"`},
		{"${A-B}", "", nil, `invalid variable name "A-B"`},
		{"${}", "", nil, `invalid variable name ""`},
	}
	for _, tc := range cases {
		got, used, err := Interpolate(tc.raw, env)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.raw, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want || !reflect.DeepEqual(used, tc.used) {
			t.Errorf("%q: got %q %v %v, want %q %v", tc.raw, got, used, err, tc.want, tc.used)
		}
	}
}

func TestFileLevelErrors(t *testing.T) {
	dir := t.TempDir()

	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse 10 MB file: the size check must come from stat, not reading.
	if err := f.Truncate(10 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	assertOne(t, big, big+": file is 10485760 bytes; the limit is 1048576")

	assertOne(t, dir, dir+": is a directory, not a file")
	missing := filepath.Join(dir, "missing.yaml")
	assertOne(t, missing, missing+": file not found")

	if runtime.GOOS != "windows" && os.Geteuid() != 0 {
		locked := filepath.Join(dir, "locked.yaml")
		if err := os.WriteFile(locked, []byte("version: 1\nwebhooks: []\n"), 0o000); err != nil {
			t.Fatal(err)
		}
		assertOne(t, locked, locked+": cannot read file: permission denied")
	} else {
		t.Log("skipping the unreadable-file case: running as root (or on Windows), where chmod 000 does not stop reads")
	}
}

func assertOne(t *testing.T, path, want string) {
	t.Helper()
	d, ps := Load(path, lookupTestEnv)
	if d != nil || len(ps) != 1 || ps[0].String() != want || ps[0].Severity != SeverityError {
		t.Errorf("Load(%s) = %v, %q; want one error %q", path, d, render(ps), want)
	}
}

func TestLoadPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ok := "version: 1\nwebhooks: []\n"
	b := write("ws/b.yml", ok)
	a := write("ws/a.yaml", ok)
	bad := write("ws/c.yaml", "version: 2\nwebhooks: []\n")
	write("ws/notes.txt", "not yaml")
	write("ws/sub/d.yaml", ok) // not recursive
	if err := os.Mkdir(filepath.Join(dir, "ws", "dir.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nope.yaml")

	ds, ps := LoadPaths([]string{filepath.Join(dir, "ws"), a, missing, empty}, lookupTestEnv)
	var files []string
	for _, d := range ds {
		files = append(files, d.File)
	}
	if !reflect.DeepEqual(files, []string{a, b}) {
		t.Errorf("loaded %v, want %v (sorted, deduplicated, non-recursive, bad file left out)", files, []string{a, b})
	}
	want := fmt.Sprintf("%s: directory has no *.yaml or *.yml files\n%s: file not found\n%s:1:10: version must be 1, not 2\n", empty, missing, bad)
	if got := render(ps); got != want {
		t.Errorf("problems\n%s\nwant\n%s", got, want)
	}
}

func TestSortProblemsAndHasErrors(t *testing.T) {
	ps := []Problem{
		{Pos{"b", 1, 1}, SeverityError, "x"},
		{Pos{"a", 2, 1}, SeverityWarning, "y"},
		{Pos{"a", 1, 5}, SeverityError, "b"},
		{Pos{"a", 1, 5}, SeverityError, "a"},
		{Pos{"a", 1, 2}, SeverityError, "z"},
	}
	SortProblems(ps)
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	want := []string{"a:1:2: z", "a:1:5: a", "a:1:5: b", "a:2:1: warning: y", "b:1:1: x"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sorted %v", got)
	}
	if !HasErrors(ps) || HasErrors(ps[3:4]) || HasErrors(nil) {
		t.Error("HasErrors misjudges")
	}
}

// TestSchemaDescriptions requires a description on every property of the
// schema (and on the schemas they point to), because editors show them on
// hover through yaml-language-server; and additionalProperties: false on
// every object, so typos are caught in the editor too.
func TestSchemaDescriptions(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(schema.JSON, &root); err != nil {
		t.Fatal(err)
	}
	checked := 0
	var walk func(path string, s map[string]any)
	walk = func(path string, s map[string]any) {
		if s["type"] == "object" {
			if s["additionalProperties"] != false {
				t.Errorf("%s: object without additionalProperties: false", path)
			}
		}
		for _, kw := range []string{"properties", "patternProperties"} {
			props, _ := s[kw].(map[string]any)
			for name, v := range props {
				p, _ := v.(map[string]any)
				checked++
				if d, _ := p["description"].(string); strings.TrimSpace(d) == "" {
					t.Errorf("%s/%s/%s has no description", path, kw, name)
				}
				walk(path+"/"+kw+"/"+name, p)
			}
		}
		if items, ok := s["items"].(map[string]any); ok {
			walk(path+"/items", items)
		}
	}
	walk("#", root)
	defs, _ := root["$defs"].(map[string]any)
	for name, v := range defs {
		d, _ := v.(map[string]any)
		if desc, _ := d["description"].(string); desc == "" {
			t.Errorf("$defs/%s has no description", name)
		}
		walk("#/$defs/"+name, d)
	}
	if checked < 16 {
		t.Errorf("only %d properties checked; the walk is broken", checked)
	}
	for _, want := range []string{"version", "workspace", "apiKeyEnv", "defaults", "prune", "ignore", "webhooks"} {
		if _, ok := root["properties"].(map[string]any)[want]; !ok {
			t.Errorf("schema lacks top-level property %s", want)
		}
	}
	if root["$id"] != schema.ID {
		t.Errorf("$id %v != schema.ID", root["$id"])
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"events", "enabled", "id", "name", "url", "webhookVersion"}
	for in, want := range map[string]string{"evnts": "events", "Name": "name", "webhook_version": "webhookVersion", "urls": "url", "colour": "", "enable": "enabled"} {
		if got := suggest(in, known); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestModelProtect(t *testing.T) {
	d, probs := Load("testdata/good/protect.yaml", func(string) (string, bool) { return "", false })
	if HasErrors(probs) {
		t.Fatal(probs)
	}
	want := []IgnoreRule{
		{Name: "billing-*", Pos: Pos{File: "testdata/good/protect.yaml", Line: 5, Col: 5}},
		{URL: "https://ledger.example.com/*", Pos: Pos{File: "testdata/good/protect.yaml", Line: 6, Col: 5}},
	}
	if len(d.Protect) != len(want) {
		t.Fatalf("protect = %+v, want %+v", d.Protect, want)
	}
	for i := range want {
		if d.Protect[i] != want[i] {
			t.Errorf("protect[%d] = %+v, want %+v", i, d.Protect[i], want[i])
		}
	}
}
