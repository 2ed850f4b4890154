package plainmock

import (
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// The executor is generic and driven by the schema. Resolved objects are
// obj maps that carry "__typename" (their concrete type) and the values of
// their plain fields; fields that need arguments, the caller or lazy work
// have a resolver in fieldResolvers, keyed "Type.field". Completion follows
// the field's schema type: lists item by item, objects through their
// selection set, unions and interfaces through the object's concrete type,
// scalars and enums as they are. A null in a non-null position propagates
// to the nearest nullable parent, as the GraphQL spec requires.
//
// Before anything runs, checkImplemented walks the selected operation over
// the concrete types the mock can produce and reports every selected field
// it has neither a value nor a resolver for, so that a valid query outside
// the webhook surface gets one clear error and never partial or wrong data.

// obj is a resolved GraphQL object; "__typename" names its concrete type.
type obj = map[string]any

// fieldResolver computes Type.field of parent for the request in oc.
type fieldResolver func(oc *opCtx, parent obj, args map[string]any) (any, *fieldError)

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

func (m *orderedMap) MarshalJSON() ([]byte, error) { return marshalJSON(m) }

// marshalJSON is json.Marshal without HTML escaping (see jsonWriter).
func marshalJSON(v any) ([]byte, error) {
	w := newJSONWriter()
	if err := w.value(v); err != nil {
		return nil, err
	}
	return w.buf.Bytes(), nil
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
	oc     *opCtx
	errs   []gqlErr
}

// collectFields implements the spec's CollectFields for a concrete type.
func (e *executor) collectFields(typeName string, set ast.SelectionSet) []*collected {
	var out []*collected
	e.collectInto(typeName, set, &out, map[string]*collected{}, map[string]bool{})
	return out
}

func (e *executor) collectInto(typeName string, set ast.SelectionSet, out *[]*collected, index map[string]*collected, visited map[string]bool) {
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
			e.collectInto(typeName, s.SelectionSet, out, index, visited)
		case *ast.FragmentSpread:
			if !e.included(s.Directives) || visited[s.Name] {
				continue
			}
			visited[s.Name] = true
			frag := e.doc.Fragments.ForName(s.Name)
			if frag == nil || !e.applies(frag.TypeCondition, typeName) {
				continue
			}
			e.collectInto(typeName, frag.SelectionSet, out, index, visited)
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

// executeObject resolves set on parent, an object of concrete type
// typeName. ok is false when a non-null field ended up null, so the object
// itself must become null (the error is already recorded).
func (e *executor) executeObject(typeName string, parent obj, set ast.SelectionSet, path []any) (out *orderedMap, ok bool) {
	def := e.schema.Types[typeName]
	out = newOrderedMap()
	for _, g := range e.collectFields(typeName, set) {
		f := g.fields[0]
		fpath := append(path[:len(path):len(path)], g.key)
		if f.Name == "__typename" {
			out.set(g.key, typeName)
			continue
		}
		fd := def.Fields.ForName(f.Name)
		if fd == nil {
			// Only introspection gets here, and checkImplemented refuses it
			// before execution; answer null rather than panic.
			out.set(g.key, nil)
			continue
		}
		v, ferr := e.resolveField(typeName, f, fd, parent)
		if ferr != nil {
			e.errs = append(e.errs, gqlErr{
				Message:   ferr.msg,
				Code:      ferr.code,
				Path:      fpath,
				Locations: []location{{Line: f.Position.Line, Column: f.Position.Column}},
			})
			if fd.Type.NonNull {
				return nil, false
			}
			out.set(g.key, nil)
			continue
		}
		cv, cok := e.complete(v, fd.Type, mergeSelections(g.fields), fpath, typeName+"."+f.Name, f)
		if !cok {
			if fd.Type.NonNull {
				return nil, false
			}
			cv = nil
		}
		out.set(g.key, cv)
	}
	return out, true
}

// resolveField finds Type.field's value: its resolver, or else the value
// the parent object carries.
func (e *executor) resolveField(typeName string, f *ast.Field, fd *ast.FieldDefinition, parent obj) (any, *fieldError) {
	if r := fieldResolvers[typeName+"."+f.Name]; r != nil {
		args, aerr := fieldArgs(f, fd, e.vars)
		if aerr != nil {
			return nil, aerr
		}
		return r(e.oc, parent, args)
	}
	v, ok := parent[f.Name]
	if !ok {
		return nil, &fieldError{msg: notImplementedMessage([]string{typeName + "." + f.Name}), code: codeNotImplemented}
	}
	return v, nil
}

// complete turns a resolved value into its response shape for type t.
func (e *executor) complete(v any, t *ast.Type, set ast.SelectionSet, path []any, field string, f *ast.Field) (any, bool) {
	if isNull(v) {
		if t.NonNull {
			e.errs = append(e.errs, gqlErr{
				Message:   "Cannot return null for non-nullable field " + field + ".",
				Code:      codeInternal,
				Path:      path,
				Locations: []location{{Line: f.Position.Line, Column: f.Position.Column}},
			})
			return nil, false
		}
		return nil, true
	}
	if t.Elem != nil {
		items := asList(v)
		out := make([]any, len(items))
		for i, item := range items {
			cv, ok := e.complete(item, t.Elem, set, append(path[:len(path):len(path)], i), field, f)
			if !ok {
				// A non-null item failed: the list is null, which its own
				// nullability then decides about.
				if t.NonNull {
					return nil, false
				}
				return nil, true
			}
			out[i] = cv
		}
		return out, true
	}
	def := e.schema.Types[t.NamedType]
	switch def.Kind {
	case ast.Object, ast.Interface, ast.Union:
		o, _ := v.(obj)
		concrete, _ := o["__typename"].(string)
		if def.Kind == ast.Object {
			concrete = def.Name
		}
		m, ok := e.executeObject(concrete, o, set, path)
		if !ok {
			return nil, !t.NonNull
		}
		return m, true
	default:
		return v, true
	}
}

func isNull(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case obj:
		return x == nil
	}
	return false
}

func asList(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case []obj:
		out := make([]any, len(x))
		for i, o := range x {
			out[i] = o
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return []any{v}
}

// --- what is implemented ---------------------------------------------------

// implemented reports whether the mock can answer typeName.field.
func implemented(typeName, field string) bool {
	if fieldResolvers[typeName+"."+field] != nil {
		return true
	}
	return servedFields[typeName][field]
}

// checkImplemented lists, in document order and without repeats, every
// field the operation would select that the mock cannot answer. Selections
// under union or interface members the mock never produces (say
// "... on CustomerActor" inside createdBy, which is always the machine
// user) are fine: they never apply, so they never yield wrong data.
func (e *executor) checkImplemented(rootName string, set ast.SelectionSet) []string {
	var missing []string
	seen := map[string]bool{}
	report := func(name string) {
		if !seen[name] {
			seen[name] = true
			missing = append(missing, name)
		}
	}
	var walk func(typeName string, set ast.SelectionSet)
	walk = func(typeName string, set ast.SelectionSet) {
		for _, concrete := range e.servedTypesOf(typeName) {
			def := e.schema.Types[concrete]
			for _, g := range e.collectFields(concrete, set) {
				f := g.fields[0]
				if f.Name == "__typename" {
					continue
				}
				if !implemented(concrete, f.Name) {
					report(concrete + "." + f.Name)
					continue
				}
				fd := def.Fields.ForName(f.Name)
				if fd == nil {
					continue
				}
				if sub := mergeSelections(g.fields); len(sub) > 0 {
					walk(fd.Type.Name(), sub)
				}
			}
		}
	}
	if servedFields[rootName] == nil && !hasResolverFor(rootName) {
		// Subscription: nothing of it is served.
		for _, g := range e.collectFields(rootName, set) {
			report(rootName + "." + g.fields[0].Name)
		}
		return missing
	}
	walk(rootName, set)
	return missing
}

// servedTypesOf is the concrete types the mock may produce for a value of
// type name: the type itself, or the possible types of an abstract type,
// limited to those the mock serves.
func (e *executor) servedTypesOf(name string) []string {
	def := e.schema.Types[name]
	if def == nil {
		return nil
	}
	var candidates []string
	if def.IsAbstractType() {
		for _, p := range e.schema.GetPossibleTypes(def) {
			candidates = append(candidates, p.Name)
		}
	} else {
		candidates = []string{name}
	}
	var out []string
	for _, c := range candidates {
		if servedFields[c] != nil || hasResolverFor(c) {
			out = append(out, c)
		}
	}
	return out
}

func hasResolverFor(typeName string) bool { return resolverTypes[typeName] }

// resolverTypes is the types that have at least one resolver.
var resolverTypes = func() map[string]bool {
	out := map[string]bool{}
	for k := range fieldResolvers {
		t, _, _ := strings.Cut(k, ".")
		out[t] = true
	}
	return out
}()

func notImplementedMessage(fields []string) string {
	if len(fields) == 1 {
		return "plain-mock does not implement " + fields[0] + "."
	}
	return "plain-mock does not implement " + strings.Join(fields, ", ") + "."
}

// servedTypeNames lists every type the mock produces, sorted (for tests
// and documentation).
func servedTypeNames() []string {
	set := map[string]bool{}
	for t := range servedFields {
		set[t] = true
	}
	for k := range fieldResolvers {
		t, _, _ := strings.Cut(k, ".")
		set[t] = true
	}
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
