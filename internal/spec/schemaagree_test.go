package spec

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"gopkg.in/yaml.v3"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/schema"
)

// schemaOnly validates a file against schema/webhooks.schema.json the way
// an editor would: a plain YAML decode (no help from the loader's tree),
// then the JSON Schema. It reports whether the schema accepts the file and
// whether the file could be judged at all (YAML syntax, one document).
func schemaOnly(t *testing.T, data []byte) (valid, judged bool) {
	t.Helper()
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return false, false
	}
	var extra yaml.Node
	if dec.Decode(&extra) == nil {
		return false, false // several documents: no single instance
	}
	// YAML 1.2 (what editors speak) has no timestamps: an unquoted date is
	// a string there.
	var untime func(n *yaml.Node)
	untime = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!timestamp" {
			n.Tag = "!!str"
		}
		for _, c := range n.Content {
			untime(c)
		}
	}
	untime(&doc)
	var v any
	if err := doc.Decode(&v); err != nil {
		return false, false
	}
	// Round-trip through JSON so that YAML's Go types (int, map[string]any,
	// time.Time for unquoted dates) become what a JSON validator sees.
	b, err := json.Marshal(v)
	if err != nil {
		return false, false
	}
	var inst any
	jd := json.NewDecoder(bytes.NewReader(b))
	jd.UseNumber()
	if err := jd.Decode(&inst); err != nil {
		return false, false
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource(schema.ID, bytes.NewReader(schema.JSON)); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(schema.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s.Validate(inst) == nil, true
}

// TestSchemaAgreesWithLoader loads every testdata file through both the
// loader and the JSON Schema alone. The schema cannot express every rule
// (unique names, https, ${VAR}s), so the loader may reject what the schema
// accepts, but never the other way round: a file the schema rejects must
// fail to load, and every good file must satisfy the schema.
func TestSchemaAgreesWithLoader(t *testing.T) {
	var files []string
	for _, dir := range []string{"good", "bad"} {
		fs, err := filepath.Glob(filepath.Join("testdata", dir, "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	files = append(files, filepath.Join("..", "..", "examples", "webhooks.yaml"))
	demo, _ := filepath.Glob(filepath.Join("..", "..", "examples", "*", "*.yaml"))
	for _, f := range demo {
		// examples/policy holds policy files (--policy), another format.
		if filepath.Base(filepath.Dir(f)) != "policy" {
			files = append(files, f)
		}
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d, ps := Load(f, lookupTestEnv)
			valid, judged := schemaOnly(t, data)
			good := !strings.Contains(f, string(filepath.Separator)+"bad"+string(filepath.Separator))
			if good && (!valid || d == nil) {
				t.Errorf("good file: schema valid=%v, loader problems:\n%s", valid, render(ps))
			}
			if judged && !valid && d != nil {
				t.Errorf("the schema rejects this file but the loader accepts it")
			}
		})
	}
}

// The file's id pin is Plain's id pattern (plain.IDShape, from Plain's
// payload schema) narrowed to the webhook target prefix, and its example
// is the id of Plain's docs.
func TestSchemaIDPinIsPlainsTargetShape(t *testing.T) {
	var doc struct {
		Defs struct {
			Webhook struct {
				Properties struct {
					ID struct {
						Pattern  string   `json:"pattern"`
						Examples []string `json:"examples"`
					} `json:"id"`
				} `json:"properties"`
			} `json:"webhook"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(schema.JSON, &doc); err != nil {
		t.Fatal(err)
	}
	id := doc.Defs.Webhook.Properties.ID
	if want := strings.Replace(plain.IDShape.String(), "([a-zA-Z]+)_", plain.TargetIDPrefix, 1); id.Pattern != want {
		t.Errorf("schema id pattern %q, want %q", id.Pattern, want)
	}
	if len(id.Examples) != 1 || id.Examples[0] != plain.ExampleTargetID {
		t.Errorf("schema id examples %q", id.Examples)
	}
}
