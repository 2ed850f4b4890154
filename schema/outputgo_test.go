package schema_test

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/render"
	"github.com/plainsync/plainsync/internal/version"
	"github.com/plainsync/plainsync/schema"
)

// The Go types that plainsync marshals for -o json agree with their
// schemas, field by field and recursively: every JSON member a type can
// emit is a schema property (so an omitempty field that the e2e test does
// not happen to fill still needs its schema), every property is a member
// (bar the ones named in extra, which a wrapper adds), and a member the
// type always emits is required. The documents built in internal/cli are
// covered by the e2e test.
func TestOutputSchemasAgreeWithGoTypes(t *testing.T) {
	for _, c := range []struct {
		schema string
		v      any
		extra  []string
		// set: omitempty members the schema requires because the
		// document always has them set.
		set []string
	}{
		{"plan", render.JSONPlan{}, nil, nil},
		{"failure", render.JSONFailure{}, nil, nil},
		{"drift", render.DriftReport{}, []string{"health"}, nil},
		{"deliveries", health.Listing{}, nil, nil},
		{"event", health.EventReport{}, nil, nil},
		{"version", version.Info{}, nil, nil},
		{"planfile", diff.Plan{}, nil, []string{"fileDigest"}}, // apply refuses a plan without it (diff.validateSaved)
	} {
		doc := loadOutputSchema(t, c.schema)
		compareType(t, c.schema, "#", reflect.TypeOf(c.v), doc, doc, c.extra, c.set)
	}
	// drift's health member is health.Report.
	doc := loadOutputSchema(t, "drift")
	compareType(t, "drift", "#/health", reflect.TypeOf(health.Report{}), doc, doc["$defs"].(map[string]any)["healthReport"].(map[string]any), nil, nil)
}

func loadOutputSchema(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := schema.Output.ReadFile("output/" + name + ".schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// resolve follows a local $ref.
func resolve(root, n map[string]any) map[string]any {
	if ref, ok := n["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/$defs/")
		return root["$defs"].(map[string]any)[name].(map[string]any)
	}
	return n
}

type member struct {
	typ    reflect.Type
	always bool // emitted whatever the value (no omitempty/omitzero)
}

// members lists the JSON members of struct type rt, as encoding/json
// emits them (embedded structs flattened).
func members(rt reflect.Type, out map[string]member) {
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			members(et, out)
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = member{typ: f.Type, always: !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero")}
	}
}

func compareType(t *testing.T, cmd, at string, rt reflect.Type, root, node map[string]any, extra, set []string) {
	t.Helper()
	for rt.Kind() == reflect.Pointer || rt.Kind() == reflect.Slice {
		rt = rt.Elem()
		if items, ok := node["items"].(map[string]any); ok {
			node = resolve(root, items)
		}
	}
	node = resolve(root, node)
	if rt.Kind() != reflect.Struct || rt == reflect.TypeOf(time.Time{}) {
		return
	}
	props, _ := node["properties"].(map[string]any)
	required := map[string]bool{}
	for _, r := range node["required"].([]any) {
		required[r.(string)] = true
	}
	ms := map[string]member{}
	members(rt, ms)
	var names []string
	for name := range ms {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		m := ms[name]
		p, ok := props[name].(map[string]any)
		if !ok {
			t.Errorf("%s %s: %s emits %q, which the schema does not know", cmd, at, rt, name)
			continue
		}
		if m.always && !required[name] {
			t.Errorf("%s %s: %s always emits %q, which the schema does not require", cmd, at, rt, name)
		}
		if !m.always && required[name] && !contains(set, name) {
			t.Errorf("%s %s: the schema requires %q, which %s may leave out", cmd, at, name, rt)
		}
		compareType(t, cmd, at+"/"+name, m.typ, root, p, nil, nil)
	}
	for name := range props {
		if _, ok := ms[name]; !ok && !contains(extra, name) {
			t.Errorf("%s %s: the schema has %q, which %s never emits", cmd, at, name, rt)
		}
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
