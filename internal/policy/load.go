// Package policy checks desired-state files against rules written in CEL
// (policy as code): "only https", "never * in production", "pin a version
// that is not deprecated". A Set is loaded and type-checked once from
// policy files (--policy); Check then runs it over each desired file, at
// validate time without live facts, at plan time with them.
package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"gopkg.in/yaml.v3"

	"github.com/plainsync/plainsync/internal/spec"
	"github.com/plainsync/plainsync/schema"
)

// EnvPolicy names the environment variable that lists policy paths when
// no --policy flag is given (separated like PATH).
const EnvPolicy = "PLAINSYNC_POLICY"

// Set is a loaded, compiled collection of rules from one or more files.
type Set struct {
	Files []string
	rules []*rule
}

// Rules counts the set's rules.
func (s *Set) Rules() int {
	if s == nil {
		return 0
	}
	return len(s.rules)
}

// HasLive reports whether any rule reads live facts.
func (s *Set) HasLive() bool {
	if s == nil {
		return false
	}
	for _, r := range s.rules {
		if r.live {
			return true
		}
	}
	return false
}

// Load reads and compiles the policy files at paths (files, or
// directories meaning every *.yaml/*.yml in them). Every problem is
// reported at its position in the policy file; the set is nil exactly
// when there is an error.
func Load(paths []string) (*Set, []spec.Problem) {
	files, probs := expand(paths)
	s := &Set{Files: files}
	names := map[string]spec.Pos{}
	for _, file := range files {
		rules, ps := loadFile(file)
		probs = append(probs, ps...)
		for _, r := range rules {
			if prev, dup := names[r.name]; dup {
				probs = append(probs, errorAt(r.namePos, "duplicate rule name %q (first defined at %s)", r.name, prev))
				continue
			}
			names[r.name] = r.namePos
			s.rules = append(s.rules, r)
		}
	}
	spec.SortProblems(probs)
	if spec.HasErrors(probs) {
		return nil, probs
	}
	return s, probs
}

// expand turns paths into policy files: a directory means its *.yaml and
// *.yml files, sorted.
func expand(paths []string) ([]string, []spec.Problem) {
	var files []string
	var probs []spec.Problem
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			probs = append(probs, errorAt(spec.Pos{File: p}, "policy %s", fileErr(err)))
			continue
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			probs = append(probs, errorAt(spec.Pos{File: p}, "reading policy directory: %s", fileErr(err)))
			continue
		}
		var found []string
		for _, e := range entries {
			if ext := filepath.Ext(e.Name()); !e.IsDir() && (ext == ".yaml" || ext == ".yml") {
				found = append(found, filepath.Join(p, e.Name()))
			}
		}
		if len(found) == 0 {
			probs = append(probs, errorAt(spec.Pos{File: p}, "policy directory holds no *.yaml or *.yml file"))
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, probs
}

func fileErr(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "file not found"
	case errors.Is(err, os.ErrPermission):
		return "permission denied"
	}
	return err.Error()
}

func errorAt(p spec.Pos, format string, args ...any) spec.Problem {
	return spec.Problem{Pos: p, Severity: spec.SeverityError, Message: fmt.Sprintf(format, args...)}
}

func posOf(file string, n *yaml.Node) spec.Pos {
	return spec.Pos{File: file, Line: n.Line, Col: n.Column}
}

// maxPolicyBytes bounds a policy file: rules are short.
const maxPolicyBytes = 1 << 20

// loadFile parses one policy file and compiles its rules.
func loadFile(file string) ([]*rule, []spec.Problem) {
	f, err := os.Open(file)
	if err != nil {
		return nil, []spec.Problem{errorAt(spec.Pos{File: file}, "policy %s", fileErr(err))}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPolicyBytes+1))
	if err != nil {
		return nil, []spec.Problem{errorAt(spec.Pos{File: file}, "reading policy: %s", fileErr(err))}
	}
	if len(data) > maxPolicyBytes {
		return nil, []spec.Problem{errorAt(spec.Pos{File: file}, "policy file is larger than %d bytes", maxPolicyBytes)}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, []spec.Problem{yamlProblem(file, err)}
	}
	if len(doc.Content) == 0 {
		return nil, []spec.Problem{errorAt(spec.Pos{File: file}, "policy file is empty")}
	}
	root := doc.Content[0]
	if probs := duplicateKeys(file, root); len(probs) > 0 {
		return nil, probs
	}
	if probs := validateSchema(file, root); len(probs) > 0 {
		return nil, probs
	}
	var rules []*rule
	var probs []spec.Problem
	for _, item := range get(root, "rules").Content {
		r, ps := compileRule(file, item)
		probs = append(probs, ps...)
		if r != nil {
			rules = append(rules, r)
		}
	}
	return rules, probs
}

// yamlProblem places a YAML syntax error at its line when it names one.
func yamlProblem(file string, err error) spec.Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	pos := spec.Pos{File: file}
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ": "); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				pos.Line, pos.Col, msg = n, 1, rest[i+2:]
			}
		}
	}
	return errorAt(pos, "invalid YAML: %s", msg)
}

// get returns the value of key in mapping n, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func duplicateKeys(file string, n *yaml.Node) []spec.Problem {
	var probs []spec.Problem
	if n.Kind == yaml.MappingNode {
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if seen[k.Value] {
				probs = append(probs, errorAt(posOf(file, k), "duplicate key %q", k.Value))
			}
			seen[k.Value] = true
		}
	}
	for _, c := range n.Content {
		probs = append(probs, duplicateKeys(file, c)...)
	}
	return probs
}

var (
	schemaOnce sync.Once
	compiled   *jsonschema.Schema
	schemaErr  error
)

// policySchema compiles the embedded schema once; no reference is ever
// loaded over the network.
func policySchema() (*jsonschema.Schema, error) {
	schemaOnce.Do(func() {
		c := jsonschema.NewCompiler()
		c.Draft = jsonschema.Draft2020
		c.LoadURL = func(u string) (io.ReadCloser, error) {
			return nil, fmt.Errorf("schema reference %s is not embedded", u)
		}
		if schemaErr = c.AddResource(schema.PolicyID, bytes.NewReader(schema.PolicyJSON)); schemaErr == nil {
			compiled, schemaErr = c.Compile(schema.PolicyID)
		}
	})
	return compiled, schemaErr
}

// validateSchema checks the document against the policy schema; each
// failure is reported at the offending node.
func validateSchema(file string, root *yaml.Node) []spec.Problem {
	s, err := policySchema()
	if err != nil {
		return []spec.Problem{errorAt(spec.Pos{File: file}, "internal error: policy schema: %v", err)}
	}
	var v any
	if err := root.Decode(&v); err != nil {
		return []spec.Problem{errorAt(posOf(file, root), "invalid policy file: %v", err)}
	}
	data, err := json.Marshal(v)
	if err != nil {
		return []spec.Problem{errorAt(posOf(file, root), "invalid policy file: keys must be strings")}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var inst any
	if err := dec.Decode(&inst); err != nil {
		return []spec.Problem{errorAt(posOf(file, root), "invalid policy file: %v", err)}
	}
	err = s.Validate(inst)
	var ve *jsonschema.ValidationError
	if err == nil {
		return nil
	} else if !errors.As(err, &ve) {
		return []spec.Problem{errorAt(posOf(file, root), "internal error: validating policy: %v", err)}
	}
	var probs []spec.Problem
	seen := map[string]bool{}
	for _, leaf := range leaves(ve) {
		n := lookup(root, leaf.InstanceLocation)
		where := describe(leaf.InstanceLocation)
		msg := fmt.Sprintf("%s: %s", where, leaf.Message)
		if strings.HasPrefix(leaf.Message, "additionalProperties ") && n.Kind == yaml.MappingNode {
			// Point at each unknown key itself.
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				if strings.Contains(leaf.Message, "'"+k+"'") {
					probs = append(probs, errorAt(posOf(file, n.Content[i]), "unknown field %q in %s", k, where))
				}
			}
			continue
		}
		if key := posOf(file, n).String() + msg; !seen[key] {
			seen[key] = true
			probs = append(probs, errorAt(posOf(file, n), "%s", msg))
		}
	}
	return probs
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

func tokens(ptr string) []string {
	ptr = strings.TrimPrefix(ptr, "/")
	if ptr == "" {
		return nil
	}
	toks := strings.Split(ptr, "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks
}

// lookup finds the node at a JSON pointer, or the nearest ancestor.
func lookup(root *yaml.Node, ptr string) *yaml.Node {
	cur := root
	for _, tok := range tokens(ptr) {
		var next *yaml.Node
		switch cur.Kind {
		case yaml.MappingNode:
			next = get(cur, tok)
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(cur.Content) {
				next = cur.Content[i]
			}
		}
		if next == nil {
			return cur
		}
		cur = next
	}
	return cur
}

// describe renders a pointer as rules[0].expr.
func describe(ptr string) string {
	var b strings.Builder
	for _, tok := range tokens(ptr) {
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
