package schema

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// outputSchemas compiles every output schema offline, keyed by command.
func outputSchemas(t *testing.T) (map[string]*jsonschema.Schema, map[string]map[string]any) {
	t.Helper()
	names, err := fs.Glob(Output, "output/*.schema.json")
	if err != nil || len(names) == 0 {
		t.Fatalf("no output schemas: %v", err)
	}
	compiled := map[string]*jsonschema.Schema{}
	raw := map[string]map[string]any{}
	for _, name := range names {
		data, err := Output.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		base := path.Base(name)
		if id := OutputBase + base; doc["$id"] != id {
			t.Errorf("%s: $id %v, want %s", name, doc["$id"], id)
		}
		c := jsonschema.NewCompiler()
		c.Draft = jsonschema.Draft2020
		if err := c.AddResource(OutputBase+base, bytes.NewReader(data)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s, err := c.Compile(OutputBase + base)
		if err != nil {
			t.Fatalf("%s does not compile: %v", name, err)
		}
		cmd := strings.TrimSuffix(base, ".schema.json")
		compiled[cmd], raw[cmd] = s, doc
	}
	return compiled, raw
}

// The schemas the docs and the e2e test rely on exist.
func TestOutputSchemasCoverEveryCommand(t *testing.T) {
	compiled, _ := outputSchemas(t)
	var got []string
	for cmd := range compiled {
		got = append(got, cmd)
	}
	sort.Strings(got)
	want := "deliveries drift event events failure plan planfile replay targets validate version"
	if strings.Join(got, " ") != want {
		t.Errorf("schemas for %v, want %s", got, want)
	}
}

// Every schema compiles and its examples validate against it.
func TestOutputSchemaExamplesValidate(t *testing.T) {
	compiled, raw := outputSchemas(t)
	for cmd, s := range compiled {
		ex, _ := raw[cmd]["examples"].([]any)
		if len(ex) == 0 {
			t.Errorf("%s: no examples", cmd)
		}
		for i, e := range ex {
			if err := s.Validate(e); err != nil {
				t.Errorf("%s example %d: %v", cmd, i, err)
			}
		}
	}
}

// An example carrying a field the schema does not know fails: the schemas
// are closed, so output gaining a field must update its schema.
func TestOutputSchemasRejectUnknownFields(t *testing.T) {
	compiled, raw := outputSchemas(t)
	for cmd, s := range compiled {
		ex, _ := raw[cmd]["examples"].([]any)
		if len(ex) == 0 {
			continue
		}
		e := deepCopy(t, ex[0]).(map[string]any)
		e["surpriseField"] = true
		if s.Validate(e) == nil {
			t.Errorf("%s: an unknown top-level field validates", cmd)
		}
	}
}

// Every object is closed (additionalProperties: false, except maps of
// booleans), every property is described, and every document but
// version's pins formatVersion to 1.
func TestOutputSchemasAreClosedAndDescribed(t *testing.T) {
	_, raw := outputSchemas(t)
	for cmd, doc := range raw {
		for _, k := range []string{"title", "description"} {
			if s, _ := doc[k].(string); s == "" {
				t.Errorf("%s: no %s", cmd, k)
			}
		}
		walkSchema(t, cmd, "#", doc)
		props, _ := doc["properties"].(map[string]any)
		fv, _ := props["formatVersion"].(map[string]any)
		req, _ := doc["required"].([]any)
		hasReq := false
		for _, r := range req {
			hasReq = hasReq || r == "formatVersion"
		}
		if cmd == "version" {
			if fv != nil {
				t.Errorf("version: plainsync version -o json has no formatVersion")
			}
			continue
		}
		if fv == nil || fv["const"] != float64(1) || !hasReq {
			t.Errorf("%s: formatVersion must be required and const 1, got %v", cmd, fv)
		}
	}
}

func walkSchema(t *testing.T, cmd, at string, n map[string]any) {
	t.Helper()
	if n["type"] == "object" {
		if _, isMap := n["additionalProperties"].(map[string]any); !isMap && n["additionalProperties"] != false {
			t.Errorf("%s %s: object without additionalProperties: false", cmd, at)
		}
	}
	if props, ok := n["properties"].(map[string]any); ok {
		for name, p := range props {
			pm := p.(map[string]any)
			if d, _ := pm["description"].(string); d == "" {
				t.Errorf("%s %s/properties/%s: no description", cmd, at, name)
			}
			walkSchema(t, cmd, at+"/properties/"+name, pm)
		}
	}
	if items, ok := n["items"].(map[string]any); ok {
		walkSchema(t, cmd, at+"/items", items)
	}
	if defs, ok := n["$defs"].(map[string]any); ok {
		for name, d := range defs {
			walkSchema(t, cmd, at+"/$defs/"+name, d.(map[string]any))
		}
	}
}

func deepCopy(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// docs/json-output.md links every output schema.
func TestJSONOutputDocsLinkEverySchema(t *testing.T) {
	doc, err := os.ReadFile("../docs/json-output.md")
	if err != nil {
		t.Fatal(err)
	}
	compiled, _ := outputSchemas(t)
	for cmd := range compiled {
		if link := "(../schema/output/" + cmd + ".schema.json)"; !strings.Contains(string(doc), link) {
			t.Errorf("docs/json-output.md does not link %s", link)
		}
	}
}
