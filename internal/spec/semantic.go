package spec

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plainsync/plainsync/internal/loopback"

	"github.com/agnivade/levenshtein"
	"gopkg.in/yaml.v3"

	"github.com/plainsync/plainsync/internal/eventtypes"
	"github.com/plainsync/plainsync/internal/glob"
	"github.com/plainsync/plainsync/internal/lookalike"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
)

// Schema locations of each object kind, for the fields they allow.
const (
	ptrTop         = ""
	ptrDefaults    = "/properties/defaults"
	ptrGuards      = "/properties/guards"
	ptrIgnoreRule  = "/$defs/ignoreRule"
	ptrProtectRule = "/$defs/protectRule"
	ptrWebhook     = "/$defs/webhook"
)

// checkStructure runs the checks that come before the schema: unknown
// fields (with a suggestion) and ${...} outside url. It returns the
// instance locations it reported, so that the schema's messages about the
// same nodes are not repeated.
func (p *parser) checkStructure(root *node) map[string]bool {
	bad := map[string]bool{}
	p.unknownFields(root, "", ptrTop, "at top level", bad)
	if d := root.get("defaults"); d != nil {
		p.unknownFields(d, "/defaults", ptrDefaults, "in defaults", bad)
	}
	if g := root.get("guards"); g != nil {
		p.unknownFields(g, "/guards", ptrGuards, "in guards", bad)
	}
	if ig := root.get("ignore"); ig != nil && ig.kind == yaml.SequenceNode {
		for i, r := range ig.items {
			p.unknownFields(r, "/ignore/"+strconv.Itoa(i), ptrIgnoreRule, "in ignore rule", bad)
		}
	}
	if pr := root.get("protect"); pr != nil && pr.kind == yaml.SequenceNode {
		for i, r := range pr.items {
			p.unknownFields(r, "/protect/"+strconv.Itoa(i), ptrProtectRule, "in protect rule", bad)
		}
	}
	if wh := root.get("webhooks"); wh != nil && wh.kind == yaml.SequenceNode {
		for i, w := range wh.items {
			p.unknownFields(w, "/webhooks/"+strconv.Itoa(i), ptrWebhook, "in webhook", bad)
		}
	}
	// Interpolation: only url takes ${VAR}; anywhere else a "${" is a
	// mistake that would otherwise reach Plain as literal text.
	literal := func(ptr string) {
		n := lookup(root, ptr)
		if n.isString() && strings.Contains(n.value, "${") {
			toks := splitPointer(ptr)
			field := toks[len(toks)-1]
			if _, err := strconv.Atoi(field); err == nil {
				field = toks[len(toks)-2]
			}
			p.errorf(n.line, n.col, "interpolation is only allowed in url, not in %s", field)
			bad[ptr] = true
		}
	}
	for _, f := range []string{"/workspace", "/apiKeyEnv", "/defaults/webhookVersion"} {
		literal(f)
	}
	if sc := root.get("scope"); sc != nil && sc.kind == yaml.SequenceNode {
		for i := range sc.items {
			literal("/scope/" + strconv.Itoa(i))
		}
	}
	if ig := root.get("ignore"); ig != nil && ig.kind == yaml.SequenceNode {
		for i := range ig.items {
			literal("/ignore/" + strconv.Itoa(i) + "/name")
			literal("/ignore/" + strconv.Itoa(i) + "/url")
		}
	}
	if pr := root.get("protect"); pr != nil && pr.kind == yaml.SequenceNode {
		for i := range pr.items {
			literal("/protect/" + strconv.Itoa(i) + "/name")
			literal("/protect/" + strconv.Itoa(i) + "/url")
		}
	}
	if wh := root.get("webhooks"); wh != nil && wh.kind == yaml.SequenceNode {
		for i, w := range wh.items {
			base := "/webhooks/" + strconv.Itoa(i)
			for _, f := range []string{"/name", "/id", "/webhookVersion"} {
				literal(base + f)
			}
			if ev := w.get("events"); ev != nil && ev.kind == yaml.SequenceNode {
				for j := range ev.items {
					literal(base + "/events/" + strconv.Itoa(j))
				}
			}
		}
	}
	return bad
}

// unknownFields reports keys of mapping n that the schema object at
// schemaPtr does not declare. Top-level x-* keys are allowed: they hold
// YAML anchors for reuse.
func (p *parser) unknownFields(n *node, ptr, schemaPtr, where string, bad map[string]bool) {
	if n == nil || n.kind != yaml.MappingNode {
		return
	}
	known := propertyNames(schemaPtr)
	for _, k := range n.keys {
		if slices.Contains(known, k.value) || (schemaPtr == ptrTop && strings.HasPrefix(k.value, "x-")) {
			continue
		}
		msg := fmt.Sprintf("unknown field %q %s", k.value, where)
		if s := suggest(k.value, known); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		p.errorf(k.line, k.col, "%s", msg)
		bad[ptr+"/"+escapePointer(k.value)] = true
	}
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// suggest returns the candidate closest to s within edit distance 2
// (Levenshtein, in runes, case-insensitive), or "".
func suggest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := levenshtein.ComputeDistance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// globEvent is the accepted event shape (an exact name or a glob); the
// schema says the same for editors.
var globEvent = regexp.MustCompile(`^(\*|[a-z][a-z0-9_]*\.(\*|[a-z*][a-z0-9_*]*))$`)

// build applies the semantic rules and builds the model. Nodes in bad have
// been reported already and are not judged again.
func (p *parser) build(root *node, bad map[string]bool, lookupEnv func(string) (string, bool)) *Desired {
	d := &Desired{File: p.file, APIKeyEnv: DefaultAPIKeyEnv, Secrets: &secret.Masker{}}
	pos := func(n *node) Pos { return Pos{File: p.file, Line: n.line, Col: n.col} }
	text := func(n *node) Text {
		if !n.isString() {
			return Text{}
		}
		return Text{Value: n.value, Raw: n.value, Pos: pos(n)}
	}
	boolean := func(n *node) (bool, bool) {
		if n == nil || n.kind != yaml.ScalarNode || n.tag != "!!bool" {
			return false, false
		}
		b, ok := toJSON(n).(bool)
		return b, ok
	}

	if v, ok := toJSON(orNull(root.get("version"))).(float64); ok {
		d.Version = int(v)
	}
	if n := root.get("workspace"); n != nil {
		d.Workspace = text(n)
	}
	if n := root.get("apiKeyEnv"); n.isString() && n.value != "" {
		d.APIKeyEnv = n.value
	}
	p.apiKeyEnv = d.APIKeyEnv
	var defVersion Text
	defEnabled, defEnabledPos := true, Pos{}
	if def := root.get("defaults"); def != nil && def.kind == yaml.MappingNode {
		if n := def.get("webhookVersion"); n != nil {
			defVersion = text(n)
		}
		if n := def.get("enabled"); n != nil {
			if b, ok := boolean(n); ok {
				defEnabled, defEnabledPos = b, pos(n)
			}
		}
	}
	if n := root.get("prune"); n != nil {
		d.Prune, _ = boolean(n)
		d.PrunePos = pos(n)
		if d.Prune && root.get("workspace") == nil {
			// Two pruning files that do not say their workspace cannot be
			// compared offline: applied in separate runs, each would delete
			// the other's targets. With workspace: set, validate over the
			// repository refuses such a pair (CheckShared).
			p.errorf(n.line, n.col, "prune: true needs workspace: (the id of the workspace this file prunes, like w_01HD4400VTDJQ646V6RY37SR7K), so that validate can refuse another file that prunes the same workspace")
		}
	}
	if sc := root.get("scope"); sc != nil && sc.kind == yaml.SequenceNode {
		d.ScopePos = pos(sc)
		for i, g := range sc.items {
			if g.isString() && g.value != "" && !bad["/scope/"+strconv.Itoa(i)] {
				d.Scope = append(d.Scope, text(g))
			}
		}
	}
	if g := root.get("guards"); g != nil && g.kind == yaml.MappingNode {
		percent := func(key string) (*float64, Pos) {
			n := g.get(key)
			if v, ok := toJSON(orNull(n)).(float64); ok && v >= 0 && v <= 100 {
				return &v, pos(n)
			}
			return nil, Pos{}
		}
		d.Guards.MaxDeletePercent, d.Guards.MaxDeletePercentPos = percent("maxDeletePercent")
		d.Guards.MaxUpdatePercent, d.Guards.MaxUpdatePercentPos = percent("maxUpdatePercent")
	}

	if ig := root.get("ignore"); ig != nil && ig.kind == yaml.SequenceNode {
		for _, r := range ig.items {
			if r.kind != yaml.MappingNode {
				continue
			}
			name, u := r.get("name"), r.get("url")
			if (name == nil) == (u == nil) {
				p.errorf(r.line, r.col, "an ignore rule needs exactly one of name or url")
			}
			d.Ignore = append(d.Ignore, IgnoreRule{Name: text(orNull(name)).Value, URL: text(orNull(u)).Value, Pos: pos(r)})
		}
	}
	if pr := root.get("protect"); pr != nil && pr.kind == yaml.SequenceNode {
		for _, r := range pr.items {
			if r.kind != yaml.MappingNode {
				continue
			}
			name, u := r.get("name"), r.get("url")
			if (name == nil) == (u == nil) {
				p.errorf(r.line, r.col, "a protect rule needs exactly one of name or url")
			}
			d.Protect = append(d.Protect, IgnoreRule{Name: text(orNull(name)).Value, URL: text(orNull(u)).Value, Pos: pos(r)})
		}
	}

	p.readPublicVars(root.get("vars"), d)
	wh := root.get("webhooks")
	if wh == nil {
		return d
	}
	d.WebhooksPos = pos(wh)
	if wh.kind != yaml.SequenceNode {
		return d
	}
	p.vars, p.holes = map[string]bool{}, map[string]bool{}
	defer func() {
		for name := range p.vars {
			d.Variables = append(d.Variables, name)
		}
		for name := range p.holes {
			d.Unset = append(d.Unset, name)
		}
		slices.Sort(d.Variables)
		slices.Sort(d.Unset)
		p.warnUnusedPublicVars()
	}()
	if len(wh.items) > MaxWebhooks {
		w := wh.items[MaxWebhooks]
		p.errorf(w.line, w.col, "this is webhook %d of %d: Plain allows at most %d webhook targets per workspace (Plain's documented per-workspace limit), so one file can declare at most %d",
			MaxWebhooks+1, len(wh.items), MaxWebhooks, MaxWebhooks)
	}
	names := map[string]Pos{}
	// skeletons holds each name's lookalike skeleton and the first name
	// that had it: two names that look the same are refused like equal
	// ones, since no reviewer could tell their plans apart.
	type named struct {
		name string
		pos  Pos
	}
	skeletons := map[string]named{}
	ids := map[string]Pos{}
	for i, w := range wh.items {
		if w.kind != yaml.MappingNode {
			continue
		}
		base := "/webhooks/" + strconv.Itoa(i)
		ok := func(field string) bool { return !bad[base+"/"+field] }
		wk := Webhook{Pos: pos(w), Enabled: defEnabled, EnabledPos: defEnabledPos, WebhookVersion: defVersion}
		if wk.EnabledPos == (Pos{}) {
			wk.EnabledPos = wk.Pos
		}
		if n := w.get("name"); n.isString() {
			wk.Name = text(n)
			if ok("name") && n.value != "" {
				if strings.TrimSpace(n.value) != n.value {
					p.errorf(n.line, n.col, "name %q has leading or trailing whitespace", n.value)
				} else if plain.IsLease(n.value) {
					p.errorf(n.line, n.col, "name %q starts with %q, which plainsync reserves for its apply lease", n.value, plain.LeasePrefix)
				} else if i := strings.IndexFunc(n.value, unicode.IsControl); i >= 0 && !hasID(w) {
					// A tab or newline inside a description is invisible in
					// Plain's UI, so two "equal" names would differ: matching
					// by such a name is refused. Pinned by id (as export
					// writes a live description like this), the name is only
					// the description to keep, and plans show it escaped.
					r, _ := utf8.DecodeRuneInString(n.value[i:])
					p.errorf(n.line, n.col, "name %q contains the control character U+%04X; pin the target with id: to keep a description like this", n.value, r)
				}
				if !d.InScope(n.value) {
					p.errorf(n.line, n.col, "webhook %q is outside this file's scope (%s): a scoped file declares only names its scope matches", n.value, d.ScopeList())
				}
				sk := lookalike.Skeleton(n.value)
				if first, dup := names[n.value]; dup {
					p.errorf(n.line, n.col, "duplicate webhook name %q (first used at line %d)", n.value, first.Line)
				} else if like, ok := skeletons[sk]; ok {
					p.errorf(n.line, n.col, "webhook name %q looks like %q at %s:%d:%d but is different text (%s): names that differ only in lookalike characters or Unicode normalisation cannot be told apart in a plan; rename one",
						n.value, like.name, like.pos.File, like.pos.Line, like.pos.Col, lookalike.Explain(n.value, like.name))
				} else {
					names[n.value] = wk.Name.Pos
					skeletons[sk] = named{n.value, wk.Name.Pos}
				}
			}
		}
		if n := w.get("id"); n.isString() {
			wk.ID = text(n)
			if ok("id") && n.value != "" {
				if first, dup := ids[n.value]; dup {
					p.errorf(n.line, n.col, "duplicate id %q (first used at line %d)", n.value, first.Line)
				} else {
					ids[n.value] = wk.ID.Pos
				}
			}
		}
		if n := w.get("url"); n.isString() && ok("url") {
			wk.URL = p.checkURL(n, lookupEnv, d.Secrets)
		}
		if ev := w.get("events"); ev != nil && ev.kind == yaml.SequenceNode {
			for j, e := range ev.items {
				if !e.isString() {
					continue
				}
				wk.Events = append(wk.Events, text(e))
				if p.forValidate && ok("events/"+strconv.Itoa(j)) && globEvent.MatchString(e.value) {
					p.checkEventOffline(e)
				}
			}
		}
		if n := w.get("webhookVersion"); n != nil {
			wk.WebhookVersion = text(n)
		} else if defVersion.Value == "" && root.get("defaults").get("webhookVersion") == nil {
			p.warnf(w.line, w.col, "pinning a webhookVersion is recommended: without one here or in defaults, new targets get Plain's latest version")
		}
		if n := w.get("enabled"); n != nil {
			if b, isBool := boolean(n); isBool {
				wk.Enabled, wk.EnabledPos = b, pos(n)
			}
		}
		d.Webhooks = append(d.Webhooks, wk)
	}
	return d
}

// checkEventOffline warns when an event type or glob names nothing in the
// embedded snapshot of Plain's catalog. Only a warning: the live catalog,
// read at plan time, is the authority and may be newer.
func (p *parser) checkEventOffline(e *node) {
	const where = "plainsync's snapshot of Plain's event types (payload schema " + eventtypes.SnapshotVersion + "); plan checks it against the live catalog"
	if glob.IsGlob(e.value) {
		if len(eventtypes.Matches(e.value)) == 0 {
			p.warnf(e.line, e.col, "event pattern %q matches no event type in %s", e.value, where)
		}
		return
	}
	if eventtypes.Known(e.value) {
		return
	}
	msg := fmt.Sprintf("unknown event type %q", e.value)
	if s := eventtypes.Suggest(e.value, eventtypes.Snapshot(), levenshtein.ComputeDistance); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	p.warnf(e.line, e.col, "%s: not in %s", msg, where)
}

// hasID reports whether a webhook node pins a target with a non-empty id.
func hasID(w *node) bool {
	id := w.get("id")
	return id != nil && id.isString() && id.value != ""
}

func orNull(n *node) *node {
	if n == nil {
		return &node{kind: yaml.ScalarNode, tag: "!!null"}
	}
	return n
}

func (p *parser) warnf(line, col int, format string, args ...any) {
	p.probs = append(p.probs, Problem{Pos: Pos{File: p.file, Line: line, Col: col}, Severity: SeverityWarning, Message: fmt.Sprintf(format, args...)})
}

// checkURL interpolates a url and checks it. Messages quote the url as
// written (Raw) and never its interpolated value, which holds secrets.
func (p *parser) checkURL(n *node, lookupEnv func(string) (string, bool), secrets *secret.Masker) Text {
	t := Text{Raw: n.value, Pos: Pos{File: p.file, Line: n.line, Col: n.col}}
	p.checkLiteralSecrets(n)
	if p.checkCredentialRefs(n) {
		return t
	}
	lookup := lookupEnv
	holes := map[string]bool{}
	if p.forValidate {
		// validate runs where secrets are not given (fork pull requests,
		// pre-commit hooks): a placeholder stands in for each missing one.
		lookup = func(name string) (string, bool) {
			if v, ok := lookupEnv(name); ok && v != "" {
				return v, true
			}
			holes[name] = true
			return urlPlaceholder, true
		}
	}
	value, used, errs := interpolate(n.value, lookup)
	for _, err := range errs {
		p.errorf(n.line, n.col, "url: %v", err)
	}
	if len(errs) > 0 {
		return t
	}
	secretUsed := false
	for name, v := range used {
		if p.vars != nil {
			p.vars[name] = true
		}
		if holes[name] {
			// A placeholder is no secret, and masking "0" would garble
			// every output.
			if p.holes != nil {
				p.holes[name] = true
			}
			continue
		}
		if v == "" {
			// CI systems often turn a missing secret into an empty
			// variable; sending a URL with a hole in it would be worse
			// than stopping.
			p.errorf(n.line, n.col, "url: environment variable %s is set but empty", name)
			continue
		}
		if _, public := p.public[name]; public {
			// Declared in vars: not a secret. It is shown in plans and
			// never masked: masking a word such as "support" would blank
			// it in every line of the job's log.
			continue
		}
		secretUsed = true
		secrets.Add(name, v)
		if l := utf8.RuneCountInString(v); l < secret.ShortSecret {
			// Every occurrence of a secret's value is masked in all output
			// and, in Actions, in the whole job log: a short value such as
			// "x" or "eu" would blank that text everywhere, mangling
			// unrelated words and messages.
			line, col := p.columnOf(n, refOffset(n.value, name))
			p.errorf(line, col, "${%s} is a secret (every ${VAR} is, unless the file lists it in vars:), but its value is only %d characters long: masking it would blank those characters in every output and CI log line. Use a secret of at least %d characters, or declare the variable public with vars: [%s] if it is not a secret",
				name, l, secret.ShortSecret, name)
		}
	}
	t.Value, t.Secret = value, secretUsed
	if len(holes) > 0 && strings.HasPrefix(n.value, "${") {
		// The scheme (or the whole URL) is a missing variable: nothing is
		// left to check.
		return t
	}
	// Without variables the parser's detail shows only what the file
	// already says; with them it could show a secret.
	violations := URLViolations(value, len(used) == 0)
	if len(holes) > 0 && len(violations) > 0 {
		violations = p.fixableByValues(n.value, lookup, holes, violations)
	}
	for _, v := range violations {
		// A literal token is redacted here like everywhere else.
		p.errorf(n.line, n.col, "url %q %s", secret.RedactMaskedURL(n.value), v)
	}
	return t
}

// fixableByValues keeps, of the violations a URL shows with the "0"
// placeholder, only those it also shows with a loopback address in each
// missing variable's place: a rule that some value could satisfy (the host
// of http://${HOST}/p may well be localhost) cannot be judged without it.
func (p *parser) fixableByValues(raw string, lookup func(string) (string, bool), holes map[string]bool, violations []string) []string {
	loopback := func(name string) (string, bool) {
		if holes[name] {
			return "127.0.0.1", true
		}
		return lookup(name)
	}
	value, used, errs := interpolate(raw, loopback)
	if len(errs) > 0 {
		return violations
	}
	also := map[string]bool{}
	for _, v := range URLViolations(value, len(used) == 0) {
		also[v] = true
	}
	var kept []string
	for _, v := range violations {
		if also[v] {
			kept = append(kept, v)
		}
	}
	return kept
}

// refOffset is the byte offset of the first ${name} in raw, or 0.
func refOffset(raw, name string) int {
	ref := "${" + name + "}"
	for i := 0; i+len(ref) <= len(raw); i++ {
		if strings.HasPrefix(raw[i:], "$${") {
			i += 2
			continue
		}
		if strings.HasPrefix(raw[i:], ref) {
			return i
		}
	}
	return 0
}

// readPublicVars reads the file's vars: list, the variables that are not
// secrets, into p.public and d.Public.
func (p *parser) readPublicVars(n *node, d *Desired) {
	p.public = map[string]Pos{}
	if n == nil || n.kind != yaml.SequenceNode {
		return
	}
	for _, item := range n.items {
		if !item.isString() {
			continue
		}
		at := Pos{File: p.file, Line: item.line, Col: item.col}
		// The schema reports names that are not variable names.
		switch first, dup := p.public[item.value]; {
		case !validVarName(item.value):
		case dup:
			p.errorf(item.line, item.col, "vars: %s is listed twice (first at line %d)", item.value, first.Line)
		default:
			p.public[item.value] = at
			d.Public = append(d.Public, item.value)
		}
	}
}

// warnUnusedPublicVars warns about a vars: entry no url uses, most often
// a typo that leaves the real variable treated as a secret.
func (p *parser) warnUnusedPublicVars() {
	for name, at := range p.public {
		if !p.vars[name] {
			p.warnf(at.Line, at.Col, "vars: %s is declared public, but no url uses ${%s}", name, name)
		}
	}
}

// urlPlaceholder stands in for an unset ${VAR} under LoadForValidate. "0"
// is valid wherever a variable usually sits in a URL: a host label, a
// port, a path segment, a query value, user info.
const urlPlaceholder = "0"

// URLViolations applies the file format's URL rules (absolute, https or
// loopback http, a host) to an interpolated URL. User info (Basic auth)
// is allowed; checkLiteralSecrets refuses a literal password. Each
// violation is phrased to follow `url "…" `. showParseDetail allows quoting
// parts of the value (the URL parser's detail, the scheme): pass false when
// the value holds secrets. Saved plans are checked with the same rules.
func URLViolations(value string, showParseDetail bool) []string {
	u, err := url.Parse(value)
	if err != nil {
		detail := "after interpolation"
		var ue *url.Error
		if showParseDetail && errors.As(err, &ue) {
			detail = ue.Err.Error()
		}
		return []string{"is not a valid URL: " + detail}
	}
	if !u.IsAbs() {
		return []string{"must be an absolute URL like https://example.com/hooks/plain"}
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		if !showParseDetail {
			// The scheme may come from a ${VAR}, so it is a secret too.
			return []string{"does not use https: Plain delivers webhooks over https only"}
		}
		return []string{fmt.Sprintf("has scheme %q: Plain delivers webhooks over https only", u.Scheme)}
	}
	if u.Host == "" {
		return []string{"has no host"}
	}
	var out []string
	if scheme == "http" && !loopback.Host(u.Hostname()) {
		out = append(out, "must use https: http is only allowed for loopback hosts (localhost, 127.0.0.0/8, ::1)")
	}
	return out
}
