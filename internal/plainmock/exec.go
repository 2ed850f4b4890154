package plainmock

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
)

// The executor is deliberately small: root resolvers build plain
// map[string]any trees that carry "__typename", and project() walks the
// request's selection set over them, using the schema only to find field
// types and to decide which fragments apply to which concrete type. None of
// the mock's nested fields take arguments, so only root fields need
// resolvers.

// obj is a resolved GraphQL object; "__typename" names its concrete type.
type obj = map[string]any

// orderedMap keeps response keys in selection order, as GraphQL requires and
// as humans reading curl output expect.
type orderedMap struct {
	keys []string
	vals map[string]any
}

func newOrderedMap() *orderedMap { return &orderedMap{vals: map[string]any{}} }

func (m *orderedMap) set(k string, v any) {
	if _, ok := m.vals[k]; !ok {
		m.keys = append(m.keys, k)
	}
	m.vals[k] = v
}

func (m *orderedMap) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range m.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, err := marshalJSON(k)
		if err != nil {
			return nil, fmt.Errorf("marshal key %q: %w", k, err)
		}
		buf.Write(kb)
		buf.WriteByte(':')
		vb, err := marshalJSON(m.vals[k])
		if err != nil {
			return nil, fmt.Errorf("marshal field %q: %w", k, err)
		}
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// marshalJSON is json.Marshal without HTML escaping: webhook URLs are full
// of '&', and "\u0026" in every curl answer helps nobody.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// collected is one response key and every field node that contributes to it
// (the same key may be selected several times through fragments).
type collected struct {
	key    string
	fields []*ast.Field
}

type executor struct {
	schema *ast.Schema
	doc    *ast.QueryDocument
	vars   map[string]any
}

// collectFields implements the spec's CollectFields for a concrete type.
func (e *executor) collectFields(typeName string, set ast.SelectionSet, out *[]*collected, index map[string]*collected, visited map[string]bool) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if !e.included(s.Directives) {
				continue
			}
			key := s.Alias
			if key == "" {
				key = s.Name
			}
			c, ok := index[key]
			if !ok {
				c = &collected{key: key}
				index[key] = c
				*out = append(*out, c)
			}
			c.fields = append(c.fields, s)
		case *ast.InlineFragment:
			if !e.included(s.Directives) || !e.applies(s.TypeCondition, typeName) {
				continue
			}
			e.collectFields(typeName, s.SelectionSet, out, index, visited)
		case *ast.FragmentSpread:
			if !e.included(s.Directives) || visited[s.Name] {
				continue
			}
			visited[s.Name] = true
			frag := e.doc.Fragments.ForName(s.Name)
			if frag == nil || !e.applies(frag.TypeCondition, typeName) {
				continue
			}
			e.collectFields(typeName, frag.SelectionSet, out, index, visited)
		}
	}
}

// applies reports whether a fragment with type condition cond applies to
// an object of concrete type typeName.
func (e *executor) applies(cond, typeName string) bool {
	if cond == "" || cond == typeName {
		return true
	}
	def := e.schema.Types[cond]
	if def == nil || !def.IsAbstractType() {
		return false
	}
	for _, p := range e.schema.GetPossibleTypes(def) {
		if p.Name == typeName {
			return true
		}
	}
	return false
}

// included evaluates @skip and @include.
func (e *executor) included(dirs ast.DirectiveList) bool {
	if d := dirs.ForName("skip"); d != nil {
		if v, _ := d.ArgumentMap(e.vars)["if"].(bool); v {
			return false
		}
	}
	if d := dirs.ForName("include"); d != nil {
		if v, _ := d.ArgumentMap(e.vars)["if"].(bool); !v {
			return false
		}
	}
	return true
}

// projectObject renders o through the selection set.
func (e *executor) projectObject(o obj, set ast.SelectionSet) *orderedMap {
	typeName, _ := o["__typename"].(string)
	var groups []*collected
	e.collectFields(typeName, set, &groups, map[string]*collected{}, map[string]bool{})
	out := newOrderedMap()
	def := e.schema.Types[typeName]
	for _, g := range groups {
		f := g.fields[0]
		if f.Name == "__typename" {
			out.set(g.key, typeName)
			continue
		}
		var fieldType *ast.Type
		if def != nil {
			if fd := def.Fields.ForName(f.Name); fd != nil {
				fieldType = fd.Type
			}
		}
		out.set(g.key, e.complete(o[f.Name], fieldType, mergeSelections(g.fields)))
	}
	return out
}

func mergeSelections(fields []*ast.Field) ast.SelectionSet {
	if len(fields) == 1 {
		return fields[0].SelectionSet
	}
	var set ast.SelectionSet
	for _, f := range fields {
		set = append(set, f.SelectionSet...)
	}
	return set
}

// complete turns a resolved value into its response shape.
func (e *executor) complete(v any, t *ast.Type, set ast.SelectionSet) any {
	if v == nil {
		return nil
	}
	switch x := v.(type) {
	case obj:
		return e.projectObject(x, set)
	case []obj:
		out := make([]any, len(x))
		for i, o := range x {
			out[i] = e.projectObject(o, set)
		}
		return out
	case []any:
		var elem *ast.Type
		if t != nil {
			elem = t.Elem
		}
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = e.complete(item, elem, set)
		}
		return out
	default:
		return v
	}
}
