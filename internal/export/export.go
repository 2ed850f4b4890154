// Package export turns a workspace's live webhook targets into a
// desired-state file: names, a common webhook version, event globs and
// ${VAR} references for the parts of URLs that may be secret; and checks
// export's flags and writes the file (see output.go). The document it
// returns is unescaped: the caller's output gate masks it and makes it
// inert.
package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plainsync/plainsync/internal/glob"
	"github.com/plainsync/plainsync/internal/lookalike"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
	"github.com/plainsync/plainsync/schema"
)

// Values of Options.NameFrom (export's --name-from).
const (
	NameFromDescription = "description"
	NameFromID          = "id"
)

// Options says how Build writes the file.
type Options struct {
	// NameFrom is NameFromDescription or NameFromID.
	NameFrom string
	// IncludeDisabled keeps disabled targets (as enabled: false).
	IncludeDisabled bool
	// APIKeyEnv is written as apiKeyEnv when not spec.DefaultAPIKeyEnv.
	APIKeyEnv string
	// Scope, when set, writes a scoped file (scope: in the file) that
	// describes only the targets whose descriptions match these globs;
	// the rest belong to other files and are not mentioned.
	Scope []string
}

// inScope reports whether a target named name is in the export's scope.
func (o Options) inScope(name string) bool {
	if len(o.Scope) == 0 {
		return true
	}
	for _, g := range o.Scope {
		if glob.Match(g, name) {
			return true
		}
	}
	return false
}

// Var is one ${VAR} that the exported file references, with the value the
// live URL holds (kept in memory only, for the self-check).
type Var struct {
	Name   string
	Where  string // for the comment: which target and which part of its URL
	Target string // webhook name
	Value  string
}

// File is a generated file plus what checking it needs.
type File struct {
	YAML     []byte
	Vars     []Var
	Webhooks int
	// WorkspaceID is the workspace the file describes.
	WorkspaceID string
}

// Build turns a snapshot into a desired-state file.
func Build(snap *plain.Snapshot, o Options) (*File, error) {
	var targets, disabled []plain.Target
	for _, t := range snap.Targets {
		if !o.inScope(t.Description) {
			continue
		}
		if !t.Enabled && !o.IncludeDisabled {
			disabled = append(disabled, t)
			continue
		}
		targets = append(targets, t)
	}
	plain.SortTargets(targets)
	plain.SortTargets(disabled)

	b := &exportBuilder{usedVars: map[string]bool{}}
	names := assignNames(targets, o.NameFrom)
	defaultVersion := commonVersion(targets, snap)

	var hooks []exportHook
	var skipped []string
	for i, t := range targets {
		_, err := url.Parse(t.URL)
		switch {
		case err != nil:
			skipped = append(skipped, fmt.Sprintf("%s (%s): its URL does not parse", quoteComment(t.Description), t.ID))
			continue
		case len(t.EventTypes) == 0:
			skipped = append(skipped, fmt.Sprintf("%s (%s): it subscribes to no events, which a file cannot express", quoteComment(t.Description), t.ID))
			continue
		case shortPassword(t.URL):
			// A file may hold a password neither literally (it is
			// committed to Git) nor in a ${VAR} this short (masking it
			// would blank those characters everywhere).
			skipped = append(skipped, fmt.Sprintf("%s (%s): its Basic-auth password is shorter than %d characters, too short to keep in a ${VAR}; rotate it to a longer one and export again", quoteComment(t.Description), t.ID, secret.ShortSecret))
			continue
		}
		if !o.inScope(names[i].name) {
			// A shared or empty description got a new unique name, which
			// the scope does not cover: a scoped file may not declare it.
			skipped = append(skipped, fmt.Sprintf("%s (%s): it needs a unique name (its description is empty or shared), and %q is outside the scope; give it a unique description in Plain", quoteComment(t.Description), t.ID, names[i].name))
			continue
		}
		h := exportHook{target: t, name: names[i].name, pin: names[i].pin, note: names[i].note}
		h.url = b.templateURL(t.URL, h.name)
		h.events, h.unknownEvents = compressEvents(t.EventTypes, snap.EventTypes)
		if t.Version != defaultVersion {
			h.version = t.Version
		}
		hooks = append(hooks, h)
	}

	var w bytes.Buffer
	fmt.Fprintf(&w, "# yaml-language-server: $schema=%s\n", schema.ID)
	fmt.Fprintf(&w, "#\n# Exported by plainsync from workspace %s (%s).\n", quoteComment(snap.Workspace.Name), snap.Workspace.ID)
	if len(b.vars) > 0 {
		w.WriteString("#\n# Set these environment variables before validate, plan or apply. Each holds a\n")
		w.WriteString("# part of a live URL that may be a secret, so it stays out of Git: give it the\n")
		w.WriteString("# exact text of that part of the live URL (percent-encoding included).\n")
		width := 0
		for _, v := range b.vars {
			width = max(width, len(v.Name))
		}
		for _, v := range b.vars {
			fmt.Fprintf(&w, "#   %-*s  %s of %s\n", width, v.Name, v.Where, quoteComment(v.Target))
		}
	}
	if len(b.short) > 0 {
		fmt.Fprintf(&w, "#\n# Kept literal although they may be secrets: shorter than %d characters, too\n", secret.ShortSecret)
		w.WriteString("# short to mask by value (plainsync would hide every occurrence of those few\n")
		w.WriteString("# characters, and the Action refuses such secrets). If one is a credential,\n")
		w.WriteString("# rotate it to a longer one and put it in a ${VAR}:\n")
		for _, s := range b.short {
			fmt.Fprintf(&w, "#   %s\n", s)
		}
	}
	if hasGlob(hooks) {
		w.WriteString("#\n# Globs (thread.*, \"*\") stand for every event type of Plain's catalog at\n")
		w.WriteString("# export time; a later apply also subscribes to types Plain adds since.\n")
	}
	if len(disabled) > 0 {
		fmt.Fprintf(&w, "#\n# Left out: %d disabled target(s), unmanaged by this file (export with\n# --include-disabled to keep them):\n", len(disabled))
		for _, t := range disabled {
			fmt.Fprintf(&w, "#   %s (%s)\n", quoteComment(t.Description), t.ID)
		}
	}
	if len(skipped) > 0 {
		w.WriteString("#\n# Left out, unmanaged by this file:\n")
		for _, s := range skipped {
			fmt.Fprintf(&w, "#   %s\n", s)
		}
	}
	w.WriteString("\nversion: 1\n")
	fmt.Fprintf(&w, "workspace: %s\n", yamlString(snap.Workspace.ID))
	if o.APIKeyEnv != "" && o.APIKeyEnv != spec.DefaultAPIKeyEnv {
		fmt.Fprintf(&w, "apiKeyEnv: %s\n", yamlString(o.APIKeyEnv))
	}
	if len(o.Scope) > 0 {
		parts := make([]string, len(o.Scope))
		for i, g := range o.Scope {
			parts[i] = yamlQuoted(g)
		}
		fmt.Fprintf(&w, "scope: [%s]\n", strings.Join(parts, ", "))
	}
	if defaultVersion != "" {
		fmt.Fprintf(&w, "defaults:\n  webhookVersion: %s\n", yamlQuoted(defaultVersion))
	}
	if len(hooks) == 0 {
		w.WriteString("webhooks: []\n")
	} else {
		w.WriteString("webhooks:\n")
	}
	for i, h := range hooks {
		if i > 0 {
			w.WriteString("\n")
		}
		if h.note != "" {
			for _, line := range strings.Split(h.note, "\n") {
				fmt.Fprintf(&w, "  # %s\n", line)
			}
		}
		fmt.Fprintf(&w, "  - name: %s\n", yamlString(h.name))
		if h.pin {
			fmt.Fprintf(&w, "    id: %s\n", yamlString(h.target.ID))
		}
		fmt.Fprintf(&w, "    url: %s\n", yamlQuoted(h.url))
		if len(h.unknownEvents) > 0 {
			fmt.Fprintf(&w, "    # not in Plain's event catalog, so the plan will reject: %s\n", strings.Join(h.unknownEvents, ", "))
		}
		parts := make([]string, len(h.events))
		for j, e := range h.events {
			parts[j] = yamlString(e)
		}
		fmt.Fprintf(&w, "    events: [%s]\n", strings.Join(parts, ", "))
		if h.version != "" {
			fmt.Fprintf(&w, "    webhookVersion: %s\n", yamlQuoted(h.version))
		}
		if !h.target.Enabled {
			w.WriteString("    enabled: false\n")
		}
	}
	return &File{YAML: w.Bytes(), Vars: b.vars, Webhooks: len(hooks), WorkspaceID: snap.Workspace.ID}, nil
}

// Check loads the generated file like validate would, with the variables
// set to the live values, so that export never hands out a file that
// plainsync itself would refuse. The file holds no secret, so a temporary
// copy is harmless.
func (ex *File) Check() error {
	dir, err := os.MkdirTemp("", "plainsync-export-")
	if err != nil {
		return fmt.Errorf("check the exported file: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "export.yaml")
	if err := os.WriteFile(path, ex.YAML, 0o600); err != nil {
		return fmt.Errorf("check the exported file: %w", err)
	}
	values := map[string]string{}
	for _, v := range ex.Vars {
		values[v.Name] = v.Value
	}
	_, problems := spec.Load(path, func(k string) (string, bool) {
		v, ok := values[k]
		return v, ok
	})
	if !spec.HasErrors(problems) {
		return nil
	}
	var msgs []string
	for _, p := range problems {
		if p.Severity == spec.SeverityError {
			// Messages quote URLs as written, with ${VAR}s: no values.
			msgs = append(msgs, fmt.Sprintf("line %d: %s", p.Pos.Line, p.Message))
		}
	}
	return fmt.Errorf("internal error: the exported file would not validate (please report this):\n  %s", strings.Join(msgs, "\n  "))
}

type exportHook struct {
	target        plain.Target
	name          string
	pin           bool
	note          string
	url           string
	events        []string
	unknownEvents []string
	version       string
}

func hasGlob(hooks []exportHook) bool {
	for _, h := range hooks {
		for _, e := range h.events {
			if strings.Contains(e, "*") {
				return true
			}
		}
	}
	return false
}

type assignedName struct {
	name string
	pin  bool
	note string
}

// assignNames names each target (sorted by description, then id). A
// description is kept as the name when it is usable: non-empty, without
// surrounding whitespace (the format refuses that) and unique. Otherwise
// the target is pinned by id; the first of several sharing a description
// keeps it, the others get "<description>-<id>".
func assignNames(ts []plain.Target, nameFrom string) []assignedName {
	out := make([]assignedName, len(ts))
	if nameFrom == NameFromID {
		for i, t := range ts {
			out[i] = assignedName{name: t.ID, pin: true}
		}
		return out
	}
	count := map[string]int{}
	for _, t := range ts {
		count[t.Description]++
	}
	taken := map[string]bool{}
	usable := func(d string) bool { return d != "" && d == strings.TrimSpace(d) }
	for _, t := range ts {
		if usable(t.Description) {
			taken[t.Description] = true
		}
	}
	seen := map[string]bool{}
	// skeletons maps each kept name's lookalike skeleton to it: the
	// format refuses two names that look alike (internal/lookalike), so a
	// description that looks like one already kept is renamed.
	skeletons := map[string]string{}
	keep := func(i int, a assignedName) {
		out[i] = a
		if _, ok := skeletons[lookalike.Skeleton(a.name)]; !ok {
			skeletons[lookalike.Skeleton(a.name)] = a.name
		}
	}
	for i, t := range ts {
		d := t.Description
		like, looks := skeletons[lookalike.Skeleton(d)]
		looks = looks && like != d && usable(d)
		switch {
		case looks:
		case usable(d) && count[d] == 1 && strings.IndexFunc(d, unicode.IsControl) >= 0:
			// The file keeps the description exactly (quoted, escaped);
			// the loader accepts such a name only with an id pin.
			keep(i, assignedName{name: d, pin: true, note: "This target's description holds control characters: it is pinned by id and kept as written."})
			continue
		case usable(d) && count[d] == 1:
			keep(i, assignedName{name: d})
			continue
		case usable(d) && !seen[d]:
			seen[d] = true
			keep(i, assignedName{name: d, pin: true, note: fmt.Sprintf(
				"%d live targets share the description %s: each is pinned by id.", count[d], quoteComment(d))})
			continue
		}
		base := strings.TrimSpace(d)
		if base == "" {
			base = "unnamed"
		}
		name := base + "-" + t.ID
		for n := 2; taken[name]; n++ {
			name = fmt.Sprintf("%s-%s-%d", base, t.ID, n)
		}
		taken[name] = true
		var why string
		switch {
		case looks:
			why = fmt.Sprintf("has the description %s, which looks like %s (%s)", quoteComment(d), quoteComment(like), lookalike.Explain(d, like))
		case d == "":
			why = "has no description"
		case !usable(d):
			why = fmt.Sprintf("has the description %s, with surrounding whitespace", quoteComment(d))
		default:
			why = fmt.Sprintf("shares the description %s with %d other target(s)", quoteComment(d), count[d]-1)
		}
		keep(i, assignedName{name: name, pin: true, note: fmt.Sprintf(
			"This target %s.\nIt is pinned by id and named %s;\nthe next apply stores that name as its description. Rename it as you like.", why, quoteComment(name))})
	}
	return out
}

// commonVersion is the version most exported targets use; ties go to the
// version Plain lists first (the newer). With no targets it is the latest.
func commonVersion(ts []plain.Target, snap *plain.Snapshot) string {
	if len(ts) == 0 {
		return snap.LatestVersion()
	}
	rank := map[string]int{}
	for i, v := range snap.Versions {
		rank[v.Version] = i
	}
	rankOf := func(v string) int {
		if r, ok := rank[v]; ok {
			return r
		}
		return len(snap.Versions)
	}
	count := map[string]int{}
	for _, t := range ts {
		if t.Version != "" {
			count[t.Version]++
		}
	}
	best := ""
	for v, n := range count {
		switch {
		case best == "", n > count[best]:
			best = v
		case n == count[best] && (rankOf(v) < rankOf(best) || rankOf(v) == rankOf(best) && v > best):
			best = v
		}
	}
	return best
}

// compressEvents writes a target's subscriptions as briefly as the catalog
// allows: "*" when it has every type, "ns.*" for each namespace (of at
// least two types) it has completely, exact types otherwise. Types the
// catalog lacks are kept, and also returned so a comment can flag them.
func compressEvents(events []string, catalog []plain.EventType) (out, unknown []string) {
	have := map[string]bool{}
	for _, e := range events {
		have[e] = true
	}
	inCatalog := map[string]bool{}
	byNS := map[string][]string{}
	for _, et := range catalog {
		inCatalog[et.EventType] = true
		ns := plain.Namespace(et.EventType)
		byNS[ns] = append(byNS[ns], et.EventType)
	}
	for _, e := range plain.SortedUnique(events) {
		if !inCatalog[e] {
			unknown = append(unknown, e)
		}
	}
	all := len(catalog) > 0
	for _, et := range catalog {
		all = all && have[et.EventType]
	}
	if all {
		return append([]string{"*"}, unknown...), unknown
	}
	whole := map[string]bool{}
	for ns, types := range byNS {
		full := len(types) >= 2
		for _, t := range types {
			full = full && have[t]
		}
		whole[ns] = full
	}
	globbed := map[string]bool{}
	for _, e := range plain.SortedUnique(events) {
		ns := plain.Namespace(e)
		switch {
		case !inCatalog[e] || !whole[ns]:
			out = append(out, e)
		case !globbed[ns]:
			globbed[ns] = true
			out = append(out, ns+".*")
		}
	}
	return out, unknown
}

// exportBuilder tracks the ${VAR}s handed out so far.
type exportBuilder struct {
	vars     []Var
	usedVars map[string]bool
	short    []string // secret parts kept literal, for a comment
}

// templateURL returns the live URL as the file should spell it: exactly
// the parts that secret.ClassifyURL calls secret (the classifier every
// display uses) become ${VAR} references, and every other "${" is escaped
// as "$${". A secret part shorter than secret.ShortSecret stays literal
// (and is listed in a comment), except a password, which the file format
// requires in a ${VAR} (Build leaves out targets whose password is short). Each variable holds the part's exact text, so
// interpolating the result gives back the live URL byte for byte, which is
// what makes a re-plan show no change.
func (b *exportBuilder) templateURL(raw, name string) string {
	var out strings.Builder
	last := 0
	for _, p := range secret.ClassifyURL(raw) {
		out.WriteString(escapeDollar(raw[last:p.Start]))
		last = p.End
		value := raw[p.Start:p.End]
		label, where := partLabel(p)
		if p.Kind != secret.PartPassword && utf8.RuneCountInString(value) < secret.ShortSecret {
			b.short = append(b.short, fmt.Sprintf("%s of %s", where, quoteComment(name)))
			out.WriteString(escapeDollar(value))
			continue
		}
		out.WriteString(b.ref(name, label, value, where))
	}
	out.WriteString(escapeDollar(raw[last:]))
	return out.String()
}

// shortPassword reports whether raw's Basic-auth password is shorter
// than secret.ShortSecret.
func shortPassword(raw string) bool {
	for _, p := range secret.ClassifyURL(raw) {
		if p.Kind == secret.PartPassword && utf8.RuneCountInString(raw[p.Start:p.End]) < secret.ShortSecret {
			return true
		}
	}
	return false
}

// partLabel names a secret part for its variable ("TOKEN" of a ?token=,
// "PATH", "USER", "PASSWORD", "FRAGMENT") and for the file's comment.
func partLabel(p secret.URLPart) (label, where string) {
	switch p.Kind {
	case secret.PartQueryValue:
		key, err := url.QueryUnescape(p.Key)
		if err != nil {
			key = p.Key
		}
		return key, fmt.Sprintf("query parameter %s", quoteComment(key))
	case secret.PartQueryParam:
		return "param", fmt.Sprintf("query parameter %d", p.Index+1)
	case secret.PartPath:
		return "path", fmt.Sprintf("path segment %d", p.Index+1)
	case secret.PartUser:
		return "user", "user name"
	case secret.PartPassword:
		return "password", "password"
	default:
		return "fragment", "fragment"
	}
}

// ref records a variable for value and returns its ${NAME} reference.
func (b *exportBuilder) ref(target, part, value, where string) string {
	base := envName(target) + "_" + envName(part)
	if envName(part) == "" {
		base = envName(target) + "_PARAM"
	}
	name := base
	for n := 2; b.usedVars[name]; n++ {
		name = fmt.Sprintf("%s_%d", base, n)
	}
	b.usedVars[name] = true
	b.vars = append(b.vars, Var{Name: name, Where: where, Target: target, Value: value})
	return "${" + name + "}"
}

// envName turns text into an upper-case environment variable name part:
// "crm-sync" → "CRM_SYNC". A leading digit gets a WEBHOOK_ prefix, since
// variable names cannot start with one; empty text stays empty.
func envName(s string) string {
	var b strings.Builder
	underscore := false
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			underscore = false
			continue
		}
		if !underscore && b.Len() > 0 {
			b.WriteByte('_')
			underscore = true
		}
	}
	out := strings.TrimRight(b.String(), "_")
	if out != "" && out[0] >= '0' && out[0] <= '9' {
		out = "WEBHOOK_" + out
	}
	return out
}

// escapeDollar keeps a literal "${" literal through interpolation.
func escapeDollar(s string) string { return strings.ReplaceAll(s, "${", "$${") }

// plainScalar matches strings that YAML reads back as the same string
// without quotes.
var plainScalar = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.\-]*$`)

// yamlString writes s unquoted when that is unambiguous, else quoted.
func yamlString(s string) string {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~":
		return yamlQuoted(s)
	}
	if plainScalar.MatchString(s) {
		return s
	}
	return yamlQuoted(s)
}

// yamlQuoted writes s as a double-quoted YAML scalar. JSON's string
// syntax is a subset of YAML's double-quoted style.
func yamlQuoted(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	// JSON leaves invisible formatting characters (bidirectional
	// overrides, zero-width ones) and C1 controls raw; escaped, a file
	// never shows text other than what it holds.
	var out strings.Builder
	for _, r := range strings.TrimSuffix(b.String(), "\n") {
		if (r >= 0x80 && r < 0xa0) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			fmt.Fprintf(&out, `\u%04x`, r)
			continue
		}
		out.WriteRune(r)
	}
	// A "##[" anywhere in a line is a workflow command of the runner's
	// legacy syntax; \x23 is YAML's escape of the second '#'.
	return strings.ReplaceAll(out.String(), "##[", `#\x23[`)
}

// quoteComment renders s on one comment line.
func quoteComment(s string) string { return yamlQuoted(s) }
