package deliver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/plainsync/plainsync/internal/plainschema"
)

// Plain's published payload schemas, one per webhook version, come from
// the repository's one copy (plainschema.Payloads). Each carries its own
// version as the const of webhookMetadata.webhookTargetVersion, which is
// how it is keyed here.

// payloadSchema is one version's payload schema: the decoded document the
// generator walks and the compiled validator every body is checked with.
type payloadSchema struct {
	version   string
	doc       map[string]any
	validator *jsonschema.Schema

	// narrowed holds, per event type, the schema with payload's anyOf
	// replaced by the one branch whose eventType const is that type. Every
	// branch has its own const, so a body is valid against it exactly when
	// it is valid against the whole schema, and checking one branch instead
	// of trying up to 30 makes each delivery an order of magnitude cheaper.
	mu       sync.Mutex
	narrowed map[string]*jsonschema.Schema
}

// validatorFor is the narrowed validator for eventType, compiled on first
// use; the full one when the schema has no branch for it.
func (s *payloadSchema) validatorFor(eventType string) *jsonschema.Schema {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.narrowed[eventType]; ok {
		return v
	}
	v := s.validator
	for _, b := range payloadBranches(s.doc) {
		if branchEventType(s.doc, b) != eventType {
			continue
		}
		doc := map[string]any{}
		for k, x := range s.doc {
			doc[k] = x
		}
		props := map[string]any{}
		for k, x := range s.doc["properties"].(map[string]any) {
			props[k] = x
		}
		props["payload"] = b
		doc["properties"] = props
		raw, err := json.Marshal(doc)
		if err != nil {
			break
		}
		c := jsonschema.NewCompiler()
		c.Draft = jsonschema.Draft7
		c.AssertFormat = true
		url := "mem://plain/" + s.version + "/" + eventType + ".json"
		if c.AddResource(url, bytes.NewReader(raw)) != nil {
			break
		}
		if nv, err := c.Compile(url); err == nil {
			v = nv
		}
		break
	}
	if s.narrowed == nil {
		s.narrowed = map[string]*jsonschema.Schema{}
	}
	s.narrowed[eventType] = v
	return v
}

var (
	schemasOnce sync.Once
	schemas     map[string]*payloadSchema
	schemasErr  error
)

// loadSchemas decodes and compiles every embedded schema once.
func loadSchemas() (map[string]*payloadSchema, error) {
	schemasOnce.Do(func() {
		out := map[string]*payloadSchema{}
		for name, raw := range plainschema.Payloads() {
			ps, err := compileSchema(name, raw)
			if err != nil {
				schemasErr = err
				return
			}
			out[ps.version] = ps
		}
		schemas = out
	})
	return schemas, schemasErr
}

func compileSchema(name string, raw []byte) (*payloadSchema, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	version, _ := lookupPointer(doc, "#/definitions/webhookMetadata/properties/webhookTargetVersion/const").(string)
	if version == "" {
		return nil, fmt.Errorf("%s: no webhookMetadata.webhookTargetVersion const", name)
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	// Formats (date-time, uuid, uri) are asserted, as the SDK's validator
	// does: a payload with a malformed timestamp must fail here, not there.
	c.AssertFormat = true
	url := "mem://plain/" + version + ".json"
	if err := c.AddResource(url, bytes.NewReader(raw)); err != nil {
		return nil, fmt.Errorf("load %s: %w", name, err)
	}
	v, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", name, err)
	}
	return &payloadSchema{version: version, doc: doc, validator: v}, nil
}

// SchemaVersions lists the webhook versions plain-mock has a payload schema
// for, oldest first.
func SchemaVersions() []string {
	ss, err := loadSchemas()
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(ss))
	for v := range ss {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// schemaFor picks the schema a target pinned to version gets: its own when
// plain-mock has it, otherwise the newest one not newer than version (the
// dates sort as strings), otherwise the oldest. A version that is not a date
// (Plain's legacy "unversioned", older than every dated one) gets the
// oldest. Plain has a schema for every
// version; plain-mock only has the ones Plain publishes, so a payload for
// another version is shaped like its nearest older sibling and carries the
// target's own version in webhookMetadata.
func schemaFor(version string) (*payloadSchema, error) {
	ss, err := loadSchemas()
	if err != nil {
		return nil, err
	}
	if s, ok := ss[version]; ok {
		return s, nil
	}
	vs := SchemaVersions()
	pick := vs[0]
	if !isDate(version) {
		return ss[pick], nil
	}
	for _, v := range vs {
		if v <= version {
			pick = v
		}
	}
	return ss[pick], nil
}

// isDate reports whether v has the YYYY-MM-DD shape of Plain's dated
// webhook versions.
func isDate(v string) bool {
	_, err := time.Parse("2006-01-02", v)
	return err == nil
}

// HasSchema reports whether plain-mock has the payload schema of version
// itself (not a stand-in).
func HasSchema(version string) bool {
	ss, err := loadSchemas()
	if err != nil {
		return false
	}
	_, ok := ss[version]
	return ok
}

// lookupPointer resolves a local JSON pointer such as
// "#/definitions/internalActor/anyOf/0" in doc; nil when it leads nowhere.
func lookupPointer(doc any, ref string) any {
	p, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil
	}
	cur := doc
	for _, tok := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch n := cur.(type) {
		case map[string]any:
			cur = n[tok]
		case []any:
			i := 0
			if _, err := fmt.Sscanf(tok, "%d", &i); err != nil || i < 0 || i >= len(n) {
				return nil
			}
			cur = n[i]
		default:
			return nil
		}
	}
	return cur
}
