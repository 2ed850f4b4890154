package policy

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"
	"gopkg.in/yaml.v3"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/spec"
)

// rule is one compiled policy rule.
type rule struct {
	name    string
	namePos spec.Pos
	message string
	expr    string
	when    cel.Program // nil: always applies
	prog    cel.Program
	// live says expr or when reads the live variable: the rule runs only
	// when live facts are known (plan time).
	live bool
}

// Names of the CEL variables and of their object types (cel-go names a
// native struct type after its package and type: policy.Webhook).
const (
	varWebhook = "webhook"
	varFile    = "file"
	varLive    = "live"
)

var (
	envOnce sync.Once
	env     *cel.Env
	envErr  error
)

// celEnv declares the variables as object types, so that a misspelt
// field (webhook.urll) fails type-checking instead of evaluating to an
// error on some webhooks only.
func celEnv() (*cel.Env, error) {
	envOnce.Do(func() {
		env, envErr = cel.NewEnv(
			ext.NativeTypes(reflect.TypeOf(Webhook{}), reflect.TypeOf(File{}), reflect.TypeOf(Live{}), ext.ParseStructTags(true)),
			ext.Strings(),
			cel.Variable(varWebhook, cel.ObjectType("policy.Webhook")),
			cel.Variable(varFile, cel.ObjectType("policy.File")),
			cel.Variable(varLive, cel.ObjectType("policy.Live")),
		)
	})
	return env, envErr
}

// costLimit bounds one evaluation: rules run over untrusted-sized lists,
// and a rule must never hang a plan.
const costLimit = 100000

// compileRule compiles one item of rules:; the schema already holds it to
// the right shape.
func compileRule(file string, item *yaml.Node) (*rule, []spec.Problem) {
	e, err := celEnv()
	if err != nil {
		return nil, []spec.Problem{errorAt(posOf(file, item), "internal error: CEL environment: %v", err)}
	}
	nameN, exprN, whenN, msgN := get(item, "name"), get(item, "expr"), get(item, "when"), get(item, "message")
	r := &rule{name: nameN.Value, namePos: posOf(file, nameN), expr: exprN.Value}
	if msgN != nil {
		r.message = msgN.Value
	}
	var probs []spec.Problem
	compile := func(n *yaml.Node, field string) cel.Program {
		ast, iss := e.Compile(n.Value)
		if iss != nil && iss.Err() != nil {
			for _, ce := range iss.Errors() {
				probs = append(probs, errorAt(exprPos(file, n, ce.Location.Line(), ce.Location.Column()),
					"rule %q: %s does not compile: %s", r.name, field, ce.Message))
			}
			return nil
		}
		if !ast.OutputType().IsExactType(cel.BoolType) {
			probs = append(probs, errorAt(posOf(file, n), "rule %q: %s must be a boolean expression, not %s", r.name, field, ast.OutputType()))
			return nil
		}
		for _, ref := range ast.NativeRep().ReferenceMap() {
			if ref.Name == varLive {
				r.live = true
			}
		}
		prg, err := e.Program(ast, cel.CostLimit(costLimit))
		if err != nil {
			probs = append(probs, errorAt(posOf(file, n), "rule %q: %s: %v", r.name, field, err))
			return nil
		}
		return prg
	}
	r.prog = compile(exprN, "expr")
	if whenN != nil {
		r.when = compile(whenN, "when")
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return r, nil
}

// exprPos maps a position inside an expression (1-based line, 0-based
// column, as CEL reports them) to the policy file. Single-line plain and
// quoted scalars map exactly; a block scalar's content starts on the next
// line; anything else falls back to the scalar itself.
func exprPos(file string, n *yaml.Node, line, col int) spec.Pos {
	p := posOf(file, n)
	if line < 1 || col < 0 {
		return p
	}
	switch n.Style {
	case 0, yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		if line != 1 || strings.Contains(n.Value, "\n") {
			return p
		}
		if n.Style != 0 {
			p.Col++ // the opening quote
		}
		p.Col += col
	case yaml.LiteralStyle:
		p.Line += line
		p.Col = 1 + col
	}
	return p
}

// eval runs a program over vars; a runtime error (a missing map key, a
// cost overrun) is returned as such.
func eval(prg cel.Program, vars map[string]any) (bool, error) {
	out, _, err := prg.Eval(vars)
	if err != nil {
		return false, err
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("result is %v, not a boolean", out.Type())
	}
	return b, nil
}

// Check runs the set over every webhook of d. With live nil (validate)
// only the rules that do not read live facts run, and webhook.eventsExpanded
// uses plainsync's snapshot of Plain's catalog; with live (plan) every
// rule runs and the live catalog is used. Each violation is an error at
// the webhook's position naming the rule and its message.
func (s *Set) Check(d *spec.Desired, live *plain.Snapshot) []spec.Problem {
	if s == nil || d == nil || len(s.rules) == 0 {
		return nil
	}
	var catalog []plain.EventType
	if live != nil {
		catalog = live.EventTypes
	}
	file := fileVar(d)
	var probs []spec.Problem
	for i := range d.Webhooks {
		w := &d.Webhooks[i]
		vars := map[string]any{varWebhook: webhookVar(w, catalog), varFile: file}
		if live != nil {
			vars[varLive] = liveVar(w, live)
		}
		for _, r := range s.rules {
			if r.live && live == nil {
				continue
			}
			if r.when != nil {
				ok, err := eval(r.when, vars)
				if err != nil {
					probs = append(probs, errorAt(w.Pos, "webhook %q: policy rule %s: when could not be evaluated: %v", w.Name.Raw, r.name, err))
					continue
				}
				if !ok {
					continue
				}
			}
			ok, err := eval(r.prog, vars)
			switch {
			case err != nil:
				probs = append(probs, errorAt(w.Pos, "webhook %q: policy rule %s could not be evaluated: %v", w.Name.Raw, r.name, err))
			case !ok:
				msg := r.message
				if msg == "" {
					msg = "expected " + strings.Join(strings.Fields(r.expr), " ")
				}
				probs = append(probs, errorAt(w.Pos, "webhook %q violates policy rule %s: %s", w.Name.Raw, r.name, msg))
			}
		}
	}
	return probs
}
