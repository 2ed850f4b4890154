package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"gopkg.in/yaml.v3"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/schema"
)

var (
	compileOnce sync.Once
	compiled    *jsonschema.Schema
	rawSchema   map[string]any
	compileErr  error
)

// fileSchema compiles the embedded schema once. The compiler only knows
// the embedded resource and refuses every URL load, so validation can never
// reach the network whatever a $ref says.
func fileSchema() (*jsonschema.Schema, map[string]any, error) {
	compileOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.Draft = jsonschema.Draft2020
		c.LoadURL = func(u string) (io.ReadCloser, error) {
			return nil, fmt.Errorf("schema reference %s is not embedded; plainsync never loads schemas over the network", u)
		}
		if err := c.AddResource(schema.ID, bytes.NewReader(schema.JSON)); err != nil {
			compileErr = fmt.Errorf("adding embedded schema: %w", err)
			return
		}
		s, err := c.Compile(schema.ID)
		if err != nil {
			compileErr = fmt.Errorf("compiling embedded schema: %w", err)
			return
		}
		if err := json.Unmarshal(schema.JSON, &rawSchema); err != nil {
			compileErr = fmt.Errorf("reading embedded schema: %w", err)
			return
		}
		compiled = s
	})
	return compiled, rawSchema, compileErr
}

// schemaPointer resolves a JSON pointer within the raw schema document.
func schemaPointer(raw map[string]any, ptr string) map[string]any {
	var cur any = raw
	for _, tok := range splitPointer(ptr) {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	m, _ := cur.(map[string]any)
	return m
}

// propertyNames returns the properties a schema object (at ptr) declares,
// sorted: the fields an editor would offer, and what unknown-field checks
// suggest from.
func propertyNames(ptr string) []string {
	_, raw, err := fileSchema()
	if err != nil {
		return nil
	}
	props, _ := schemaPointer(raw, ptr)["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// splitPointer splits a JSON pointer ("/a/b~1c") into unescaped tokens.
func splitPointer(ptr string) []string {
	ptr = strings.TrimPrefix(ptr, "#")
	if ptr == "" {
		return nil
	}
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks
}

// lookup finds the tree node at a JSON pointer into the instance.
func lookup(root *node, ptr string) *node {
	cur := root
	for _, tok := range splitPointer(ptr) {
		switch cur.kind {
		case yaml.MappingNode:
			cur = cur.get(tok)
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(cur.items) {
				return nil
			}
			cur = cur.items[i]
		default:
			return nil
		}
		if cur == nil {
			return nil
		}
	}
	return cur
}

// describePointer renders an instance pointer the way users write paths:
// webhooks[0].events[1].
func describePointer(ptr string) string {
	var b strings.Builder
	for _, tok := range splitPointer(ptr) {
		if _, err := strconv.Atoi(tok); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	if b.Len() == 0 {
		return "top level"
	}
	return b.String()
}

// handledElsewhere lists schema keywords (by location in the schema) whose
// failures the loader reports itself with better messages: unknown fields
// get a did-you-mean suggestion, and ignore rules get one message for
// "exactly one of name or url" instead of a count of properties.
var handledElsewhere = map[string]bool{
	"/additionalProperties":                     true,
	"/$defs/webhook/additionalProperties":       true,
	"/$defs/ignoreRule/additionalProperties":    true,
	"/properties/defaults/additionalProperties": true,
	"/properties/guards/additionalProperties":   true,
	"/$defs/ignoreRule/minProperties":           true,
	"/$defs/ignoreRule/maxProperties":           true,
	"/$defs/protectRule/additionalProperties":   true,
	"/$defs/protectRule/minProperties":          true,
	"/$defs/protectRule/maxProperties":          true,
}

// validateSchema checks the tree against the embedded schema and turns
// every leaf error into a Problem at the offending node. Errors at
// locations in skip (already reported by an earlier phase) are dropped so
// that one mistake yields one message.
func (p *parser) validateSchema(root *node, skip map[string]bool) {
	s, raw, err := fileSchema()
	if err != nil {
		p.errorf(root.line, root.col, "internal error: %v", err)
		return
	}
	err = s.Validate(toJSON(root))
	if err == nil {
		return
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		p.errorf(root.line, root.col, "internal error: validating against the schema: %v", err)
		return
	}
	for _, leaf := range pickLeaves(leaves(ve)) {
		kw := keywordPointer(leaf)
		if handledElsewhere[kw] || skip[leaf.InstanceLocation] {
			continue
		}
		n := lookup(root, leaf.InstanceLocation)
		if n == nil {
			n = root
		}
		for _, msg := range schemaMessages(raw, kw, leaf, n) {
			p.errorf(n.line, n.col, "%s", msg)
		}
	}
}

func keywordPointer(ve *jsonschema.ValidationError) string {
	kw := ve.AbsoluteKeywordLocation
	if i := strings.IndexByte(kw, '#'); i >= 0 {
		kw = kw[i+1:]
	}
	return kw
}

// keywordRank orders failures at the same value by how directly they say
// what is wrong: an empty id is "empty", not "does not match whTarget_...".
var keywordRank = map[string]int{"type": 0, "minLength": 1, "minItems": 1, "const": 2, "pattern": 3}

// pickLeaves keeps, per instance location, the most telling failure
// (plus every "required", which names distinct missing fields).
func pickLeaves(all []*jsonschema.ValidationError) []*jsonschema.ValidationError {
	rank := func(ve *jsonschema.ValidationError) int {
		kw := keywordPointer(ve)
		if r, ok := keywordRank[kw[strings.LastIndexByte(kw, '/')+1:]]; ok {
			return r
		}
		return 9
	}
	best := map[string]*jsonschema.ValidationError{}
	var out []*jsonschema.ValidationError
	for _, ve := range all {
		kw := keywordPointer(ve)
		if strings.HasSuffix(kw, "/required") || handledElsewhere[kw] {
			out = append(out, ve)
			continue
		}
		if b, ok := best[ve.InstanceLocation]; !ok || rank(ve) < rank(b) {
			best[ve.InstanceLocation] = ve
		}
	}
	for _, ve := range best {
		out = append(out, ve)
	}
	return out
}

func leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// schemaMessages words a schema failure for people: what is wrong, at
// which field, and what would be right. kw is the failing keyword's
// location in the schema document.
func schemaMessages(raw map[string]any, kw string, leaf *jsonschema.ValidationError, n *node) []string {
	field := describePointer(leaf.InstanceLocation)
	keyword := kw[strings.LastIndexByte(kw, '/')+1:]
	switch kw {
	case "/properties/version/const":
		return []string{fmt.Sprintf("version must be 1, not %s", quoteScalar(n))}
	case "/$defs/webhookVersion/pattern":
		return []string{fmt.Sprintf("invalid webhookVersion %q: want a date like \"2026-05-06\" or \"unversioned\"", n.value)}
	case "/$defs/webhook/properties/events/items/pattern":
		return []string{fmt.Sprintf("invalid event type %q: want namespace.event_name in lowercase snake case (thread.thread_created) or a glob (thread.*, thread.email_*, *)", n.value)}
	case "/$defs/webhook/properties/events/minItems":
		return []string{"events must list at least one event type (use [\"*\"] for all)"}
	case "/$defs/webhook/properties/id/pattern":
		return []string{badTargetID(n.value)}
	case "/properties/scope/minItems":
		return []string{"scope must list at least one glob over target names; leave scope out for a file that owns the whole workspace"}
	case "/properties/guards/properties/maxDeletePercent/minimum", "/properties/guards/properties/maxDeletePercent/maximum",
		"/properties/guards/properties/maxUpdatePercent/minimum", "/properties/guards/properties/maxUpdatePercent/maximum":
		return []string{fmt.Sprintf("%s must be a percentage from 0 to 100, not %s", field, quoteScalar(n))}
	case "/properties/apiKeyEnv/pattern":
		return []string{fmt.Sprintf("apiKeyEnv %q is not an environment variable name (letters, digits and _, not starting with a digit)", n.value)}
	}
	switch keyword {
	case "type":
		want, _ := schemaPointer(raw, strings.TrimSuffix(kw, "/type"))["type"].(string)
		return []string{fmt.Sprintf("%s must be %s, not %s", field, typeName(want), n.kindName())}
	case "required":
		obj := schemaPointer(raw, strings.TrimSuffix(kw, "/required"))
		req, _ := obj["required"].([]any)
		var out []string
		for _, r := range req {
			name, _ := r.(string)
			if !hasKey(n, name) {
				out = append(out, fmt.Sprintf("missing required field %q%s", name, contextName(leaf.InstanceLocation)))
			}
		}
		return out
	case "minLength":
		return []string{fmt.Sprintf("%s must not be empty", field)}
	}
	return []string{fmt.Sprintf("%s: %s", field, leaf.Message)}
}

// contextName names the kind of object at an instance pointer, as a
// suffix for messages: "" at top level, " in webhook", ...
func contextName(ptr string) string {
	toks := splitPointer(ptr)
	switch {
	case len(toks) == 0:
		return ""
	case len(toks) == 2 && toks[0] == "webhooks":
		return " in webhook"
	case len(toks) == 2 && toks[0] == "ignore":
		return " in ignore rule"
	case len(toks) == 2 && toks[0] == "protect":
		return " in protect rule"
	case len(toks) == 1:
		return " in " + toks[0]
	}
	return " in " + describePointer(ptr)
}

func typeName(t string) string {
	switch t {
	case "object":
		return "a mapping"
	case "array":
		return "a list"
	case "string":
		return "a string"
	case "boolean":
		return "a boolean (true or false)"
	case "number", "integer":
		return "a number"
	}
	return t
}

// quoteScalar shows a scalar as written, or the node's type otherwise.
func quoteScalar(n *node) string {
	if n.kind != yaml.ScalarNode {
		return n.kindName()
	}
	if isStringTag(n.tag) {
		return strconv.Quote(n.value)
	}
	return n.value
}

// badTargetID words an id: pin that is not a webhook target id (the
// pattern of schema/webhooks.schema.json: plain.TargetIDPrefix and a
// ULID); one of Plain's shape with another prefix (an attempt's, an
// event's) is told so.
func badTargetID(v string) string {
	if m := plain.IDShape.FindStringSubmatch(v); m != nil {
		return fmt.Sprintf("invalid id %q: %s_ is not a webhook target's prefix; a target id is %s and a 26-character ULID, e.g. %s", v, m[1], plain.TargetIDPrefix, plain.ExampleTargetID)
	}
	return fmt.Sprintf("invalid id %q: a webhook target id is %s and a 26-character ULID (digits and capital letters except I, L, O, U), e.g. %s", v, plain.TargetIDPrefix, plain.ExampleTargetID)
}
