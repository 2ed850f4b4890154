package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// maxAliasNodes bounds how many nodes alias expansion may produce in one
// file. yaml.v3's Node API does not expand aliases, but every later walk
// (schema, rules, model) does, so a "billion laughs" file would explode
// there. Aliases stay allowed because they are useful for sharing event
// lists and templates (<<: *base); a real file never needs anywhere near
// this many expanded nodes, and refusing beyond it keeps time and memory
// bounded whatever the input.
const maxAliasNodes = 10000

// node is a YAML node with aliases and merge keys resolved, duplicates
// removed and documents unwrapped: the tree every later phase walks.
type node struct {
	kind  yaml.Kind // MappingNode, SequenceNode or ScalarNode
	tag   string    // short tag, e.g. !!str
	value string    // scalar text as written (after YAML unescaping)
	line  int
	col   int
	// style is the scalar's quoting, for columns inside its text.
	style yaml.Style
	// Mapping entries in file order (explicit keys first, then merged ones).
	keys []*node
	vals []*node
	// Sequence items.
	items []*node
}

// get returns the value of key k in a mapping node, or nil.
func (n *node) get(k string) *node {
	if n == nil || n.kind != yaml.MappingNode {
		return nil
	}
	for i, key := range n.keys {
		if key.value == k {
			return n.vals[i]
		}
	}
	return nil
}

func (n *node) isString() bool {
	return n != nil && n.kind == yaml.ScalarNode && isStringTag(n.tag)
}

// isStringTag reports whether a scalar with this tag is a string for
// plainsync. Timestamps count: an unquoted 2026-05-06 is meant as the text
// the user wrote, and yaml.v3 keeps that text in Value.
func isStringTag(tag string) bool {
	return tag == "!!str" || tag == "!!timestamp" || tag == "!!binary"
}

// kindName names a node's type in YAML vocabulary for messages.
func (n *node) kindName() string {
	switch {
	case n == nil:
		return "nothing"
	case n.kind == yaml.MappingNode:
		return "a mapping"
	case n.kind == yaml.SequenceNode:
		return "a list"
	}
	switch n.tag {
	case "!!null":
		return "null"
	case "!!bool":
		return "a boolean"
	case "!!int", "!!float":
		return "a number"
	}
	return "a string"
}

// parser turns bytes into a resolved tree, collecting problems.
type parser struct {
	file string
	// forValidate loads for validate (LoadForValidate): unset or empty
	// ${VAR}s get a placeholder and event types are checked against the
	// offline snapshot.
	forValidate bool
	// vars and holes collect the ${VAR}s the URLs use, and those of them
	// that got a placeholder.
	vars, holes map[string]bool
	// public holds the file's vars: (variables that are not secrets),
	// with where each is declared.
	public map[string]Pos
	// apiKeyEnv is the file's apiKeyEnv (or the default): a url must not
	// interpolate it.
	apiKeyEnv string
	probs     []Problem
	budget    int  // alias-expanded nodes still allowed
	blown     bool // budget exhausted: the tree is incomplete
	// blownAt is len(probs) when the budget ran out: what follows is noise
	// from the truncated tree and is dropped.
	blownAt  int
	aliasErr *Problem // the report of the alias that exhausted the budget
}

func (p *parser) errorf(line, col int, format string, args ...any) {
	p.probs = append(p.probs, Problem{Pos: Pos{File: p.file, Line: line, Col: col}, Severity: SeverityError, Message: fmt.Sprintf(format, args...)})
}

// checkText rejects input that is not YAML text before the YAML parser sees
// it, because yaml.v3 reports these without a position.
func (p *parser) checkText(data []byte) bool {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			p.errorf(line, col, "file is not valid UTF-8 (byte 0x%02x); save it as UTF-8 text", data[i])
			return false
		case r == 0:
			p.errorf(line, col, "file contains a NUL byte: it is binary, not YAML text")
			return false
		case r == 0xFEFF && i == 0: // a leading byte order mark is allowed
		case !printable(r):
			p.errorf(line, col, "control character %U is not allowed in YAML", r)
			return false
		}
		if isBreak(r) && !(r == '\r' && i+1 < len(data) && data[i+1] == '\n') {
			line, col = line+1, 1
		} else if r != '\r' {
			col++
		}
		i += size
	}
	return true
}

// printable mirrors YAML's allowed character set (yaml.v3's is_printable).
func printable(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		return true
	case r >= 0x20 && r <= 0x7E:
		return true
	case r >= 0xA0 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF:
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

var yamlLineErr = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parse decodes exactly one YAML document and resolves it. It returns nil
// when the file cannot be understood at all.
func (p *parser) parse(data []byte) *node {
	if !p.checkText(data) {
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.errorf(1, 1, "file is empty: expected a mapping with version and webhooks")
			return nil
		}
		p.syntaxError(data, err)
		return nil
	}
	var second yaml.Node
	switch err := dec.Decode(&second); {
	case err == nil:
		p.errorf(second.Line, second.Column, "a second YAML document starts here; a file describes one workspace in one document")
	case !errors.Is(err, io.EOF):
		p.syntaxError(data, err)
		return nil
	}
	if len(doc.Content) == 0 {
		p.errorf(1, 1, "file is empty: expected a mapping with version and webhooks")
		return nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" && root.Value == "" && root.Style == 0 {
		// "---" alone, or only comments after it.
		p.errorf(1, 1, "file is empty: expected a mapping with version and webhooks")
		return nil
	}
	p.budget = maxAliasNodes
	n := p.resolve(root, false)
	if p.blown {
		// Whatever was found after the budget ran out comes from a
		// truncated tree: keep only what came before, and the reason.
		p.probs = p.probs[:p.blownAt]
		if p.aliasErr != nil {
			p.probs = append(p.probs, *p.aliasErr)
		}
		return nil
	}
	if n.kind != yaml.MappingNode {
		p.errorf(n.line, n.col, "top level must be a mapping (with version and webhooks), not %s", n.kindName())
		return nil
	}
	return n
}

// syntaxError reports a yaml.v3 parse error. yaml.v3 gives only a line, so
// the column is 1 unless tabs in indentation explain the failure, which
// yaml.v3 describes confusingly ("found character that cannot start any
// token"); then each such tab is reported at its exact column instead.
func (p *parser) syntaxError(data []byte, err error) {
	msg := err.Error()
	line := 0
	if m := yamlLineErr.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	if tabs := tabIndents(data); len(tabs) > 0 && (line == 0 || tabs[0][0] <= line) {
		for _, t := range tabs {
			p.errorf(t[0], t[1], "tab character in indentation: YAML indents with spaces only")
		}
		return
	}
	if line == 0 {
		line = 1
	} else if parserProblem(msg) {
		// yaml.v3 reports parser (not scanner) errors with a 0-based line.
		line++
	}
	line = min(line, len(splitLines(data)))
	p.errorf(line, 1, "YAML syntax error: %s", msg)
}

// parserProblem reports whether msg is one of libyaml's parser problems
// (as opposed to scanner problems, whose line yaml.v3 does make 1-based).
func parserProblem(msg string) bool {
	return strings.HasPrefix(msg, "did not find expected") ||
		strings.HasPrefix(msg, "found undefined tag handle") ||
		strings.HasPrefix(msg, "found duplicate %") ||
		strings.HasPrefix(msg, "found incompatible YAML document")
}

// tabIndents returns the line and column of the first tab in the leading
// whitespace of every line that has content.
func tabIndents(data []byte) [][2]int {
	var out [][2]int
	for i, l := range splitLines(data) {
		trimmed := strings.TrimLeft(l, " \t")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if j := strings.IndexByte(l[:len(l)-len(trimmed)], '\t'); j >= 0 {
			out = append(out, [2]int{i + 1, j + 1})
		}
	}
	return out
}

// isBreak reports whether r ends a line in YAML (which yaml.v3 follows:
// CR, LF, NEL, LS and PS; CR LF counts once).
func isBreak(r rune) bool {
	return r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029
}

// splitLines splits text into lines the way YAML counts them.
func splitLines(data []byte) []string {
	var lines []string
	s := string(data)
	start := 0
	for i, r := range s {
		if !isBreak(r) || (r == '\r' && strings.HasPrefix(s[i+1:], "\n")) {
			continue
		}
		lines = append(lines, s[start:i])
		start = i + utf8.RuneLen(r)
	}
	return append(lines, s[start:])
}

// resolve copies n into a node tree, expanding aliases and merge keys and
// dropping duplicate keys (reported at the second occurrence).
func (p *parser) resolve(n *yaml.Node, viaAlias bool) *node {
	if p.blown {
		return &node{kind: yaml.ScalarNode, tag: "!!null", line: n.Line, col: n.Column}
	}
	if viaAlias {
		p.budget--
		if p.budget < 0 {
			p.blown, p.blownAt = true, len(p.probs)
			return &node{kind: yaml.ScalarNode, tag: "!!null", line: n.Line, col: n.Column}
		}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return &node{kind: yaml.ScalarNode, tag: "!!null", line: n.Line, col: n.Column}
		}
		return p.resolve(n.Content[0], viaAlias)
	case yaml.AliasNode:
		r := p.resolve(n.Alias, true)
		if p.blown && !viaAlias && p.aliasErr == nil {
			// Report once, at the outermost alias that led here.
			p.aliasErr = &Problem{Pos: Pos{File: p.file, Line: n.Line, Col: n.Column}, Severity: SeverityError,
				Message: fmt.Sprintf("alias *%s expands to more than %d nodes; refusing it (this limit stops \"billion laughs\" files)", n.Value, maxAliasNodes)}
		}
		if !viaAlias && !p.blown {
			// Problems in an expanded alias belong where it is used: at
			// the anchor, two uses would collapse into one problem that
			// names neither webhook, and a name used twice through one
			// alias would be a duplicate "first used" at its own line.
			relocate(r, n.Line, n.Column)
		}
		return r
	case yaml.SequenceNode:
		out := &node{kind: yaml.SequenceNode, tag: n.ShortTag(), line: n.Line, col: n.Column}
		for _, c := range n.Content {
			out.items = append(out.items, p.resolve(c, viaAlias))
		}
		return out
	case yaml.MappingNode:
		return p.resolveMapping(n, viaAlias)
	default:
		tag := n.ShortTag()
		if !strings.HasPrefix(tag, "!!") {
			p.errorf(n.Line, n.Column, "unsupported YAML tag %q", tag)
			tag = "!!str"
		}
		return &node{kind: yaml.ScalarNode, tag: tag, value: n.Value, line: n.Line, col: n.Column, style: n.Style}
	}
}

func (p *parser) resolveMapping(n *yaml.Node, viaAlias bool) *node {
	out := &node{kind: yaml.MappingNode, tag: "!!map", line: n.Line, col: n.Column}
	first := map[string]*yaml.Node{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		key := p.resolve(k, viaAlias)
		if key.kind != yaml.ScalarNode {
			p.errorf(k.Line, k.Column, "mapping keys must be plain strings, not %s", key.kindName())
			continue
		}
		if prev, dup := first[key.value]; dup {
			p.errorf(k.Line, k.Column, "duplicate key %q (first defined at line %d)", key.value, prev.Line)
			continue
		}
		first[key.value] = k
		out.keys = append(out.keys, key)
		out.vals = append(out.vals, p.resolve(v, viaAlias))
	}
	// Merge keys (<<: *base or <<: [*a, *b]): explicit keys win, then
	// earlier merged mappings win over later ones, as YAML 1.1 specifies.
	for _, m := range merges {
		src := p.resolve(m, viaAlias)
		var maps []*node
		switch src.kind {
		case yaml.MappingNode:
			maps = []*node{src}
		case yaml.SequenceNode:
			maps = src.items
		}
		for _, mm := range maps {
			if mm.kind != yaml.MappingNode {
				p.errorf(m.Line, m.Column, "merge key << needs a mapping or a list of mappings")
				break
			}
			for i, k := range mm.keys {
				if !hasKey(out, k.value) {
					out.keys = append(out.keys, k)
					out.vals = append(out.vals, mm.vals[i])
				}
			}
		}
		if len(maps) == 0 && !p.blown {
			p.errorf(m.Line, m.Column, "merge key << needs a mapping or a list of mappings")
		}
	}
	return out
}

// relocate gives n and everything under it the position line:col.
func relocate(n *node, line, col int) {
	n.line, n.col = line, col
	for _, c := range n.keys {
		relocate(c, line, col)
	}
	for _, c := range n.vals {
		relocate(c, line, col)
	}
	for _, c := range n.items {
		relocate(c, line, col)
	}
}

func hasKey(n *node, k string) bool {
	for _, key := range n.keys {
		if key.value == k {
			return true
		}
	}
	return false
}

// toJSON converts the tree into the value shapes the JSON Schema validator
// accepts.
func toJSON(n *node) any {
	switch n.kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			m[k.value] = toJSON(n.vals[i])
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.items))
		for i, c := range n.items {
			s[i] = toJSON(c)
		}
		return s
	}
	switch n.tag {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if err := (&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: n.value}).Decode(&b); err == nil {
			return b
		}
	case "!!int", "!!float":
		var f float64
		if err := (&yaml.Node{Kind: yaml.ScalarNode, Tag: n.tag, Value: n.value}).Decode(&f); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f
		}
		// .inf, .nan and out-of-range numbers: the validator cannot compare
		// them, so they travel as an impossible type and fail "type" checks.
		return []any{n.value}
	}
	return n.value
}
