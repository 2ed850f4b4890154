package export

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/plainsync/plainsync/internal/plain"
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
	if got := b.templateURL("https://x/h?token=a&token=b&%%=c", "2fa hook"); got != "https://x/h?token=${WEBHOOK_2FA_HOOK_TOKEN}&token=${WEBHOOK_2FA_HOOK_TOKEN_2}&%%=${WEBHOOK_2FA_HOOK_PARAM}" {
		t.Errorf("variable names: %s", got)
	}
}

func TestYAMLStringRoundTrips(t *testing.T) {
	for _, s := range []string{"crm-sync", "yes", "No", "null", "~", "123", "a: b", "#x", "x #y", "  pad ", "é\u2028\"\\", "*", "thread.*", "-x", "[a]", "{", "@x", "`x", "!x", "&x", "%x", "'x", "\"x", "|", ">"} {
		doc := "v: " + yamlString(s) + "\n"
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
