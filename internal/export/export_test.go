package export

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

func TestCompressEvents(t *testing.T) {
	catalog := []plain.EventType{{EventType: "a.one"}, {EventType: "a.two"}, {EventType: "b.one"}, {EventType: "c.one"}, {EventType: "c.two"}}
	cases := []struct {
		in, want, unknown []string
	}{
		{[]string{"a.one", "a.two", "b.one", "c.one", "c.two"}, []string{"*"}, nil},
		{[]string{"a.one", "a.two", "b.one", "c.one"}, []string{"a.*", "b.one", "c.one"}, nil},
		{[]string{"c.two", "a.two"}, []string{"a.two", "c.two"}, nil},
		{[]string{"a.one", "a.two", "a.zzz"}, []string{"a.*", "a.zzz"}, []string{"a.zzz"}},
		{[]string{"a.one", "a.two", "b.one", "c.one", "c.two", "d.x"}, []string{"*", "d.x"}, []string{"d.x"}},
	}
	for _, tc := range cases {
		got, unknown := compressEvents(tc.in, catalog)
		if strings.Join(got, ",") != strings.Join(tc.want, ",") || strings.Join(unknown, ",") != strings.Join(tc.unknown, ",") {
			t.Errorf("compressEvents(%v) = %v, %v; want %v, %v", tc.in, got, unknown, tc.want, tc.unknown)
		}
	}
}

func TestTemplateURLRoundTrips(t *testing.T) {
	for _, raw := range []string{
		"https://x.example.com/hook?token=abc%2Fdef&token=second&mode=full",
		"https://x.example.com/a$${b}/${c}?q=${d}",
		"https://x.example.com/p/AbCdEfGh12345678ZZ/tail#frag=${x}",
		"https://x.example.com",
		"http://127.0.0.1:8080/?=v&k=",
	} {
		b := &exportBuilder{usedVars: map[string]bool{}}
		tmpl := b.templateURL(raw, "my hook")
		values := map[string]string{}
		for _, v := range b.vars {
			values[v.Name] = v.Value
			if strings.Contains(tmpl, v.Value) && len(v.Value) > 3 {
				t.Errorf("%s: value %q still in template %q", raw, v.Value, tmpl)
			}
		}
		got, _, err := spec.Interpolate(tmpl, func(k string) (string, bool) { v, ok := values[k]; return v, ok })
		if err != nil || got != raw {
			t.Errorf("templateURL(%q) = %q, interpolates to %q (%v)", raw, tmpl, got, err)
		}
	}
	b := &exportBuilder{usedVars: map[string]bool{}}
	if got := b.templateURL("https://u:p@x/h/aB3dE5fG7hJ9kL1m?token=aaaaaaaa1&token=bbbbbbbb2&%%=c&aB3dE5fG7hJ9kL1mZZ#fragment1", "2fa hook"); got !=
		"https://u:${WEBHOOK_2FA_HOOK_PASSWORD}@x/h/${WEBHOOK_2FA_HOOK_PATH}?token=${WEBHOOK_2FA_HOOK_TOKEN}&token=${WEBHOOK_2FA_HOOK_TOKEN_2}&%%=c&${WEBHOOK_2FA_HOOK_PARAM}#${WEBHOOK_2FA_HOOK_FRAGMENT}" {
		t.Errorf("variable names: %s", got)
	}
}

// Export and every display use one classifier: a part becomes a ${VAR}
// exactly when secret.RedactURL hides it (short parts aside, which stay
// literal and are listed in a comment), and nothing else is templated.
func TestExportTemplatesExactlyWhatDisplaysRedact(t *testing.T) {
	urls := []string{
		"https://hooks.slack.com/services/T0123ABCD/B0456EFGH/XXXXXXXXXXXXXXXXXXXXXXXX",
		"https://discord.com/api/webhooks/1234567890123456789/abcDEF_ghi-jklMNOpqr",
		"https://acme.webhook.office.com/webhookb2/0f3e2d1c-aaaa-bbbb-cccc-0123456789ab@0f3e2d1c-aaaa-bbbb-cccc-0123456789ab/IncomingWebhook/0123456789abcdef0123456789abcdef/0f3e2d1c-aaaa-bbbb-cccc-0123456789ab",
		"https://hooks.zapier.com/hooks/catch/123/abcdefgh/?source=plain&v=2",
		"https://ingest.example.com/v1/plain/aB3dE5fG7hJ9kL1m",
		"https://hookuser1:hookpass-123@hooks.example.com/p",
		"https://x.example.com/h?access_token=abcdefgh12&format=json#fragment-secret",
		"https://example.com/plain/webhooks?v=2",
		"https://x.example.com/h?code=ab&v=2",
	}
	for _, raw := range urls {
		b := &exportBuilder{usedVars: map[string]bool{}}
		tmpl := b.templateURL(raw, "hook")
		values := map[string]string{}
		for _, v := range b.vars {
			values[v.Name] = v.Value
		}
		// Put every variable's value in as a marker: the result must be
		// the redacted display, except for short parts kept literal.
		var asMarkers strings.Builder
		for rest := tmpl; rest != ""; {
			i := strings.Index(rest, "${")
			if i < 0 {
				asMarkers.WriteString(rest)
				break
			}
			asMarkers.WriteString(rest[:i])
			j := strings.IndexByte(rest[i:], '}')
			asMarkers.WriteString(secret.Marker)
			rest = rest[i+j+1:]
		}
		want := secret.Rewrite(raw, secret.ClassifyURL(raw), func(p secret.URLPart, text string) string {
			if p.Kind != secret.PartPassword && len(text) < secret.ShortSecret {
				return text
			}
			return secret.Marker
		})
		if asMarkers.String() != want {
			t.Errorf("export of %s\n templates %s\n   display %s", raw, tmpl, secret.RedactURL(raw))
		}
		got, _, err := spec.Interpolate(tmpl, func(k string) (string, bool) { v, ok := values[k]; return v, ok })
		if err != nil || got != raw {
			t.Errorf("templateURL(%q) = %q loads back as %q (%v)", raw, tmpl, got, err)
		}
	}
	b := &exportBuilder{usedVars: map[string]bool{}}
	if got := b.templateURL("https://hooks.zapier.com/hooks/catch/123/abc/?source=plain&v=2", "zap"); got != "https://hooks.zapier.com/hooks/catch/123/abc/?source=plain&v=2" || len(b.short) != 1 {
		t.Errorf("short Zapier key: %s (short: %v)", got, b.short)
	}
	b = &exportBuilder{usedVars: map[string]bool{}}
	if got := b.templateURL("https://hooks.zapier.com/hooks/catch/123/abcdefgh/?source=plain&v=2", "zap"); got != "https://hooks.zapier.com/hooks/catch/123/${ZAP_PATH}/?source=plain&v=2" {
		t.Errorf("Zapier: %s", got)
	}
	b = &exportBuilder{usedVars: map[string]bool{}}
	if got := b.templateURL("https://alice:pw@hooks.example.com/p", "basic"); got != "https://alice:${BASIC_PASSWORD}@hooks.example.com/p" {
		t.Errorf("Basic auth: %s", got)
	}
}

// FuzzTemplateURL: for any URL, export's templated form loads back to the
// same live URL, and no secret part (of templating length) survives in it.
func FuzzTemplateURL(f *testing.F) {
	for _, s := range []string{
		"https://hooks.slack.com/services/T0/B0/XXXXXXXXXXXXXXXXXXXXXXXX",
		"https://u:p@x.example.com/a$${b}/${c}?token=${d}&v=2#f${x}",
		"https://hooks.zapier.com/hooks/catch/123/abc/?source=plain&v=2",
		"http://127.0.0.1:8080/?=v&k=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		b := &exportBuilder{usedVars: map[string]bool{}}
		tmpl := b.templateURL(raw, "fuzz")
		values := map[string]string{}
		for _, v := range b.vars {
			values[v.Name] = v.Value
		}
		got, _, err := spec.Interpolate(tmpl, func(k string) (string, bool) { v, ok := values[k]; return v, ok })
		if err != nil || got != raw {
			t.Fatalf("templateURL(%q) = %q loads back as %q (%v)", raw, tmpl, got, err)
		}
	})
}

func TestYAMLStringRoundTrips(t *testing.T) {
	for _, s := range []string{"crm-sync", "yes", "No", "null", "~", "123", "a: b", "#x", "x #y", "  pad ", "é\u2028\"\\", "*", "thread.*", "-x", "[a]", "{", "@x", "`x", "!x", "&x", "%x", "'x", "\"x", "|", ">", "a ##[error]b", "###[add-mask]x", "\\##[x"} {
		doc := "v: " + yamlString(s) + "\n"
		if strings.Contains(doc, "##[") {
			t.Errorf("%q is written with a legacy workflow command: %s", s, doc)
		}
		var got map[string]any
		if err := yaml.Unmarshal([]byte(doc), &got); err != nil {
			t.Errorf("%q: %v (%s)", s, err, doc)
			continue
		}
		if got["v"] != s {
			t.Errorf("%q reads back as %#v (%s)", s, got["v"], doc)
		}
	}
}

// A Basic-auth password under secret.ShortSecret characters can be kept
// neither literally nor in a ${VAR}: the target is left out, with a note,
// and the file still loads.
func TestExportLeavesOutShortPasswords(t *testing.T) {
	snap := &plain.Snapshot{
		Workspace:  plain.Workspace{ID: "w_1", Name: "W"},
		Versions:   []plain.WebhookVersion{{Version: "2026-05-06", IsLatest: true}},
		EventTypes: []plain.EventType{{EventType: "thread.thread_created"}},
		Targets: []plain.Target{
			{ID: "whTarget_00000000000000000000000001", Description: "short", URL: "https://alice:pw@hooks.example.com/p", EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true},
			{ID: "whTarget_00000000000000000000000002", Description: "long", URL: "https://alice:longer-password@hooks.example.com/q", EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true},
		},
	}
	f, err := Build(snap, Options{NameFrom: NameFromDescription})
	if err != nil {
		t.Fatal(err)
	}
	out := string(f.YAML)
	if strings.Contains(out, "name: short") || !strings.Contains(out, `"short" (whTarget_00000000000000000000000001): its Basic-auth password is shorter than 8 characters`) ||
		!strings.Contains(out, `url: "https://alice:${LONG_PASSWORD}@hooks.example.com/q"`) || strings.Contains(out, "pw@") {
		t.Fatalf("export:\n%s", out)
	}
	if err := f.Check(); err != nil {
		t.Fatal(err)
	}
}

// Real workspaces have ids of Plain's shape (whTarget_ and a ULID) and
// often several targets with one description: each is pinned by its id,
// and the file validates (issue 19: the pins used to be refused).
func TestExportPinsPlainShapedIDsOfSharedDescriptions(t *testing.T) {
	const (
		crmA     = "whTarget_01HD4400VTDJQ646V6RY37SR7K"
		crmB     = "whTarget_01HD4411Q0ZXJ0MKQ7TB4D2N1E"
		nameless = "whTarget_01HD4420ZC4KDKV5R2YQ4X6ANM"
		billing  = "whTarget_01HD4433S6JN5WTXE3Y2QFBDCR"
	)
	hook := func(id, desc, url string) plain.Target {
		return plain.Target{ID: id, Description: desc, URL: url, EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true}
	}
	snap := &plain.Snapshot{
		Workspace:  plain.Workspace{ID: "w_01GST0W989ZNAW53X6XYHAY87P", Name: "Acme"},
		Versions:   []plain.WebhookVersion{{Version: "2026-05-06", IsLatest: true}},
		EventTypes: []plain.EventType{{EventType: "thread.thread_created"}, {EventType: "thread.email_sent"}},
		Targets: []plain.Target{
			hook(crmB, "crm-sync", "https://crm.example.com/b"),
			hook(crmA, "crm-sync", "https://crm.example.com/a"),
			hook(nameless, "", "https://misc.example.com/"),
			hook(billing, "billing", "https://billing.example.com/"),
		},
	}
	for _, nameFrom := range []string{NameFromDescription, NameFromID} {
		f, err := Build(snap, Options{NameFrom: nameFrom})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Check(); err != nil {
			t.Fatalf("--name-from %s: %v\n%s", nameFrom, err, f.YAML)
		}
		path := t.TempDir() + "/webhooks.yaml"
		if err := os.WriteFile(path, f.YAML, 0o600); err != nil {
			t.Fatal(err)
		}
		d, problems := spec.Load(path, func(string) (string, bool) { return "", false })
		if spec.HasErrors(problems) {
			t.Fatalf("--name-from %s: the written file does not load: %v\n%s", nameFrom, problems, f.YAML)
		}
		pins := map[string]string{}
		for _, w := range d.Webhooks {
			pins[w.ID.Value] = w.Name.Value
		}
		want := map[string]string{crmA: "crm-sync", crmB: "crm-sync-" + crmB, nameless: "unnamed-" + nameless}
		if nameFrom == NameFromID {
			want = map[string]string{crmA: crmA, crmB: crmB, nameless: nameless, billing: billing}
		}
		for id, name := range want {
			if pins[id] != name {
				t.Errorf("--name-from %s: %s is pinned as %q, want %q\n%s", nameFrom, id, pins[id], name, f.YAML)
			}
		}
		if nameFrom == NameFromDescription && (len(pins) != 4 || pins[""] != "billing") {
			t.Errorf("billing, with a unique description, should be matched by it unpinned: %v", pins)
		}
	}
}
