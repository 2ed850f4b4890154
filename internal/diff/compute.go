package diff

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/plainsync/plainsync/internal/eventtypes"
	"github.com/plainsync/plainsync/internal/lookalike"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// Options tune Compute.
type Options struct {
	// Prune deletes unmatched, non-ignored live targets. The effective
	// setting is Options.Prune || the file's prune.
	Prune bool
}

// Matched-by values of Change.MatchedBy.
const (
	MatchedByID          = "id"
	MatchedByDescription = "description"
	MatchedByURL         = "url"
)

// Compute returns the plan that takes live to d, or the problems (errors
// at the offending node of the file, plus any warnings) that prevent
// planning. The plan is nil exactly when an error problem is returned;
// warnings of a successful plan are in Plan.Warnings.
func Compute(d *spec.Desired, live *plain.Snapshot, o Options) (*Plan, []spec.Problem) {
	if d == nil || live == nil {
		return nil, []spec.Problem{{Severity: spec.SeverityError, Message: "internal error: compute needs a desired state and a live snapshot"}}
	}
	c := &computer{d: d, live: live}

	// A file meant for another workspace makes every other finding
	// meaningless (and matching against the wrong workspace dangerous), so
	// the guard stops planning on its own.
	if ws := d.Workspace.Value; ws != "" && ws != live.Workspace.ID {
		c.errorf(d.Workspace.Pos, "workspace guard: file is for %s but the API key belongs to %s (%s)", ws, live.Workspace.ID, live.Workspace.Name)
		return nil, c.problems()
	}

	desired := make([]desiredTarget, len(d.Webhooks))
	for i := range d.Webhooks {
		desired[i] = c.resolve(&d.Webhooks[i])
	}
	// A scoped file owns only the live targets its scope names; the rest
	// belong to other files (or nobody) and take no part in this plan.
	c.outside = make([]bool, len(live.Targets))
	outOfScope := 0
	for i, t := range live.Targets {
		if !d.InScope(t.Description) {
			c.outside[i] = true
			outOfScope++
		}
	}
	c.taken = slices.Clone(c.outside)
	dupOf := c.duplicates()
	c.match(desired)
	c.noteStaleSnapshot()
	if len(c.errs) > 0 {
		return nil, c.problems()
	}

	prune := o.Prune || d.Prune
	var changes []Change
	for i := range desired {
		changes = append(changes, c.change(&desired[i]))
	}
	for i := range live.Targets {
		if c.taken[i] && dupOf[i] == "" {
			continue
		}
		t := &live.Targets[i]
		ch := Change{Name: t.Description, TargetID: t.ID, Before: liveState(t, ""), BeforeSensitive: sensitiveFields(t.URL, false)}
		switch {
		case dupOf[i] != "":
			ch.Action, ch.DuplicateOf = ActionDelete, dupOf[i]
		case c.ignored(t):
			ch.Action, ch.Ignored = ActionUnmanaged, true
		case prune:
			ch.Action = ActionDelete
		default:
			ch.Action = ActionUnmanaged
		}
		changes = append(changes, ch)
	}
	c.markProtected(changes)
	c.noteLookalikes(changes)
	sortChanges(changes)
	if changes == nil {
		changes = []Change{}
	}
	if c.checkLimit(changes, prune); len(c.errs) > 0 {
		return nil, c.problems()
	}
	c.warnDeprecatedLive(changes)
	var scope []string
	for _, g := range d.Scope {
		scope = append(scope, g.Value)
	}

	return &Plan{
		FormatVersion:    FormatVersion,
		File:             d.File,
		FileDigest:       d.Digest,
		Workspace:        live.Workspace,
		Fingerprint:      Fingerprint(live),
		Prune:            prune,
		APIKeyEnv:        d.APIKeyEnv,
		LiveCount:        len(live.Targets),
		Scope:            scope,
		OutOfScope:       outOfScope,
		MaxDeletePercent: d.Guards.MaxDeletePercent,
		MaxUpdatePercent: d.Guards.MaxUpdatePercent,
		Changes:          changes,
		Warnings:         c.warns,
		Secrets:          d.Secrets,
	}, nil
}

// desiredTarget is a webhook with its events expanded and its version
// checked, plus the live target it matched (-1 for none).
type desiredTarget struct {
	w         *spec.Webhook
	events    []string
	live      int
	matchedBy string
	// ambiguous is set when several live targets carry the name.
	ambiguous bool
}

type computer struct {
	d     *spec.Desired
	live  *plain.Snapshot
	errs  []spec.Problem
	warns []spec.Problem
	taken []bool // live targets already matched, by index
	// outside marks live targets outside the file's scope, by index.
	outside []bool
}

func (c *computer) errorf(pos spec.Pos, format string, args ...any) {
	c.errs = append(c.errs, spec.Problem{Pos: pos, Severity: spec.SeverityError, Message: fmt.Sprintf(format, args...)})
}

func (c *computer) warnf(pos spec.Pos, format string, args ...any) {
	p := spec.Problem{Pos: pos, Severity: spec.SeverityWarning, Message: fmt.Sprintf(format, args...)}
	// A version set in defaults warns once, not once per webhook.
	if !slices.Contains(c.warns, p) {
		c.warns = append(c.warns, p)
	}
}

// problems returns errors and warnings together, in file order.
func (c *computer) problems() []spec.Problem {
	out := append(slices.Clone(c.errs), c.warns...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Pos, out[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return out
}

// resolve expands a webhook's events and checks its version.
func (c *computer) resolve(w *spec.Webhook) desiredTarget {
	dt := desiredTarget{w: w, live: -1}
	var all []string
	for _, ev := range w.Events {
		got := expandOne(ev.Value, c.live.EventTypes)
		if len(got) > 0 {
			all = append(all, got...)
			continue
		}
		if IsGlob(ev.Value) {
			c.errorf(ev.Pos, "event pattern %q matches no event type", ev.Value)
			continue
		}
		msg := fmt.Sprintf("unknown event type %q", ev.Value)
		if s := suggest(ev.Value, c.live.EventTypes); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		c.errs = append(c.errs, spec.Problem{Pos: ev.Pos, Severity: spec.SeverityError, Message: msg})
	}
	dt.events = sortedCopy(all)

	if v := w.WebhookVersion.Value; v != "" {
		idx := slices.IndexFunc(c.live.Versions, func(x plain.WebhookVersion) bool { return x.Version == v })
		switch {
		case idx < 0:
			c.errorf(w.WebhookVersion.Pos, "unknown webhook version %q; valid versions include %s", v, c.someVersions())
		case c.live.Versions[idx].IsDeprecated:
			if latest := c.live.LatestVersion(); latest != "" {
				c.warnf(w.WebhookVersion.Pos, "webhook version %q is deprecated; the latest is %q", v, latest)
			} else {
				c.warnf(w.WebhookVersion.Pos, "webhook version %q is deprecated", v)
			}
		}
	}
	return dt
}

// someVersions lists a few valid versions for an error message, newest
// (as Plain lists them) first, deprecated ones last.
func (c *computer) someVersions() string {
	const max = 4
	var parts []string
	for _, dep := range []bool{false, true} {
		for _, v := range c.live.Versions {
			if v.IsDeprecated != dep || len(parts) == max {
				continue
			}
			s := v.Version
			if v.IsLatest {
				s += " (latest)"
			}
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "none (the workspace reports no webhook versions)"
	}
	if len(c.live.Versions) > len(parts) {
		parts = append(parts, "…")
	}
	return strings.Join(parts, ", ")
}

// match pairs desired targets with live ones following the contract's
// rules, each rule over all desired targets before the next, so that a
// weaker rule (URL) never takes a target a stronger one (id, description)
// would claim.
func (c *computer) match(desired []desiredTarget) {
	targets := c.live.Targets
	byID := make(map[string]int, len(targets))
	byDesc := make(map[string][]int, len(targets))
	byURL := make(map[string][]int, len(targets))
	for i, t := range targets {
		byID[t.ID] = i
		byDesc[t.Description] = append(byDesc[t.Description], i)
		byURL[t.URL] = append(byURL[t.URL], i)
	}

	// 1. id pins.
	for k := range desired {
		dt := &desired[k]
		id := dt.w.ID.Value
		if id == "" {
			continue
		}
		i, ok := byID[id]
		switch {
		case !ok:
			c.errorf(dt.w.ID.Pos, "webhook target %s (pinned by %q) does not exist in workspace %s", id, dt.w.Name.Value, c.live.Workspace.ID)
		case c.outside[i]:
			c.errorf(dt.w.ID.Pos, "webhook target %s (pinned by %q) is named %q, outside this file's scope (%s): it belongs to another file; pin a target inside the scope", id, dt.w.Name.Value, targets[i].Description, c.d.ScopeList())
		case c.taken[i]:
			c.errorf(dt.w.ID.Pos, "webhook target %s is pinned by more than one webhook", id)
		default:
			c.claimUnlessIgnored(dt, i, MatchedByID, dt.w.ID.Pos)
		}
	}

	// 2. description == name, among targets no pin has claimed.
	for k := range desired {
		dt := &desired[k]
		if dt.w.ID.Value != "" {
			continue
		}
		var cands []int
		for _, i := range byDesc[dt.w.Name.Value] {
			if !c.taken[i] {
				cands = append(cands, i)
			}
		}
		switch len(cands) {
		case 0:
		case 1:
			c.claimUnlessIgnored(dt, cands[0], MatchedByDescription, dt.w.Name.Pos)
		default:
			ids := make([]string, len(cands))
			for n, i := range cands {
				ids[n] = targets[i].ID
			}
			sort.Strings(ids)
			dt.ambiguous = true
			c.errorf(dt.w.Name.Pos, "%d live targets have the description %q (%s); pin one with id", len(ids), dt.w.Name.Value, strings.Join(ids, ", "))
		}
	}

	// 3. a rename: exactly one unmatched, non-ignored live target with the
	// same URL.
	for k := range desired {
		dt := &desired[k]
		if dt.live >= 0 || dt.w.ID.Value != "" || dt.ambiguous {
			// Ambiguous descriptions are already an error; guessing by URL
			// would hide it.
			continue
		}
		var cands []int
		for _, i := range byURL[dt.w.URL.Value] {
			if !c.taken[i] && !c.ignored(&targets[i]) {
				cands = append(cands, i)
			}
		}
		switch len(cands) {
		case 0:
		case 1:
			c.claim(dt, cands[0], MatchedByURL)
		default:
			// A rename in Plain's UI is adopted by URL only while the URL is
			// unique; say why this one is not, or the plan's create and
			// unmanaged entries look like a bug.
			ids := make([]string, len(cands))
			for n, i := range cands {
				ids[n] = targets[i].ID
			}
			sort.Strings(ids)
			c.warnf(dt.w.URL.Pos, "webhook %q is planned as a create: %d unmanaged live targets (%s) have its URL, so none can be matched as a rename; pin one with id: to adopt it", dt.w.Name.Value, len(ids), strings.Join(ids, ", "))
		}
	}
	// 4. everything else is a create (dt.live stays -1).
}

// duplicates finds the live targets that are exact copies (description,
// URL, events, version, enabled) of another one the file manages by name
// or by id pin: two racing or late creates leave such pairs, and matching
// by description could otherwise never pick one (a wedge that only a
// manual delete would clear). In each group it keeps the target the file
// pins by id, else the oldest (then the smallest id), marks the others
// taken and returns them, by live index, mapped to the kept target's id.
// Ignored targets are never touched, so a group holding one is left alone.
func (c *computer) duplicates() map[int]string {
	names := map[string]bool{}
	pinned := map[string]bool{}
	for _, w := range c.d.Webhooks {
		if w.ID.Value != "" {
			pinned[w.ID.Value] = true
		} else {
			names[w.Name.Value] = true
		}
	}
	groups := map[string][]int{}
	var keys []string
	for i := range c.live.Targets {
		if c.outside[i] {
			continue // another file's (or nobody's) target
		}
		t := &c.live.Targets[i]
		k := exactKey(t)
		if len(groups[k]) == 0 {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	out := map[int]string{}
	for _, k := range keys {
		g := groups[k]
		if len(g) < 2 {
			continue
		}
		managed := names[c.live.Targets[g[0]].Description]
		pins, ignored := 0, false
		for _, i := range g {
			t := &c.live.Targets[i]
			if pinned[t.ID] {
				pins++
			}
			ignored = ignored || c.ignored(t)
		}
		// Two pins in one group: the file asks for both copies.
		if !(managed || pins == 1) || pins > 1 || ignored {
			continue
		}
		keep := g[0]
		for _, i := range g[1:] {
			if older(&c.live.Targets[i], &c.live.Targets[keep], pinned) {
				keep = i
			}
		}
		for _, i := range g {
			if i != keep {
				c.taken[i] = true
				out[i] = c.live.Targets[keep].ID
			}
		}
	}
	return out
}

// exactKey identifies a target by everything a duplicate shares.
func exactKey(t *plain.Target) string {
	ev := plain.SortedUnique(t.EventTypes)
	return fmt.Sprintf("%q %q %q %q %t", t.Description, t.URL, strings.Join(ev, " "), t.Version, t.Enabled)
}

// older reports whether a should be kept rather than b: a pinned target
// first, then the earlier creation time, then the smaller id.
func older(a, b *plain.Target, pinned map[string]bool) bool {
	if pinned[a.ID] != pinned[b.ID] {
		return pinned[a.ID]
	}
	switch {
	case a.CreatedAt.IsZero() != b.CreatedAt.IsZero():
		return !a.CreatedAt.IsZero()
	case !a.CreatedAt.Equal(b.CreatedAt):
		return a.CreatedAt.Before(b.CreatedAt)
	}
	return a.ID < b.ID
}

// checkLimit fails the plan when the workspace would hold more targets
// than Plain allows: every live target (in scope or not, ignored or not)
// plus the creates, minus the deletes. Plain would refuse the extra creates
// half-way through apply; refusing here writes nothing.
func (c *computer) checkLimit(changes []Change, prune bool) {
	var creates, deletes int
	var prunable []string
	for _, ch := range changes {
		switch {
		case ch.Action == ActionCreate:
			creates++
		case ch.Action == ActionDelete:
			deletes++
		case ch.Action == ActionUnmanaged && !ch.Ignored:
			prunable = append(prunable, fmt.Sprintf("%q (%s)", ch.Name, ch.TargetID))
		}
	}
	total := len(c.live.Targets) + creates - deletes
	if creates == 0 || total <= spec.MaxWebhooks {
		return
	}
	over := total - spec.MaxWebhooks
	msg := fmt.Sprintf("after this plan the workspace would hold %d webhook targets, %d over Plain's limit of %d per workspace (%d live, %d to create, %d to delete)",
		total, over, spec.MaxWebhooks, len(c.live.Targets), creates, deletes)
	switch {
	case len(prunable) > 0:
		msg += fmt.Sprintf("; unmanaged targets that --prune (or prune: true) would delete: %s", strings.Join(prunable, ", "))
	case prune:
		msg += "; remove webhooks from the file, or delete targets that other files or people keep"
	default:
		msg += "; remove webhooks from the file"
	}
	pos := c.d.WebhooksPos
	if pos.Line == 0 {
		pos = spec.Pos{File: c.d.File}
	}
	c.errorf(pos, "%s", msg)
}

// noteLookalikes marks and warns about live targets whose description
// looks like a name the file manages without being that text: Cyrillic с
// for c, a no-break space, another normalisation form. Matching by
// description compares exact text, so such a target is never taken for
// the webhook; the warning says why a reviewer sees what looks like the
// same name twice (a create beside an unmanaged target, or a delete), and
// which characters differ. A rename (matched by URL or id) that changes
// only such characters is pointed out too.
func (c *computer) noteLookalikes(changes []Change) {
	skeletons := make([]string, len(c.d.Webhooks))
	for i, w := range c.d.Webhooks {
		skeletons[i] = lookalike.Skeleton(w.Name.Value)
	}
	like := func(desc string) *spec.Webhook {
		sk := ""
		for i := range c.d.Webhooks {
			w := &c.d.Webhooks[i]
			if desc == w.Name.Value {
				continue
			}
			if sk == "" {
				sk = lookalike.Skeleton(desc)
			}
			if sk == skeletons[i] {
				return w
			}
		}
		return nil
	}
	for i := range changes {
		ch := &changes[i]
		if ch.Before == nil {
			continue // a create
		}
		desc := ch.Before.Description
		switch {
		case ch.Action == ActionUnmanaged, ch.Action == ActionDelete && ch.DuplicateOf == "":
			w := like(desc)
			if w == nil {
				continue
			}
			ch.LookalikeOf = w.Name.Value
			fate := "keeps it as an unmanaged target"
			if ch.Action == ActionDelete {
				fate = "deletes it (prune)"
			}
			c.warnf(w.Name.Pos, "live target %s is described %q, which looks like this webhook's name %q but is different text (%s): it is not matched by description, and this plan %s; rename it in Plain, or pin it with id: to manage it",
				ch.TargetID, desc, w.Name.Value, lookalike.Explain(desc, w.Name.Value), fate)
		case ch.After != nil && lookalike.Confusable(desc, ch.After.Description):
			c.warnf(ch.Pos, "webhook %q renames live target %s from %q, which looks the same but is different text (%s)",
				ch.After.Description, ch.TargetID, desc, lookalike.Explain(desc, ch.After.Description))
		}
	}
	// Targets outside a scope are not in the plan, but a lookalike of a
	// managed name there is as misleading.
	for i := range c.live.Targets {
		t := &c.live.Targets[i]
		if !c.outside[i] {
			continue
		}
		if w := like(t.Description); w != nil {
			c.warnf(w.Name.Pos, "live target %s, outside this file's scope, is described %q, which looks like this webhook's name %q but is different text (%s)",
				t.ID, t.Description, w.Name.Value, lookalike.Explain(t.Description, w.Name.Value))
		}
	}
}

// noteStaleSnapshot warns when the live catalog has event types that
// plainsync's offline snapshot lacks: validate's event warnings are then
// out of date, while this plan, which reads the live catalog, is not.
func (c *computer) noteStaleSnapshot() {
	live := make([]string, len(c.live.EventTypes))
	for i, et := range c.live.EventTypes {
		live[i] = et.EventType
	}
	missing := eventtypes.Missing(live)
	if len(missing) == 0 {
		return
	}
	shown := missing
	if len(shown) > 5 {
		shown = append(slices.Clone(shown[:5]), "…")
	}
	c.warnf(spec.Pos{File: c.d.File}, "the live catalog has %d event types that plainsync's offline snapshot (payload schema %s) lacks (%s): validate may warn about them, but this plan checks against the live catalog; a newer plainsync has a newer snapshot",
		len(missing), eventtypes.SnapshotVersion, strings.Join(shown, ", "))
}

func (c *computer) claim(dt *desiredTarget, i int, by string) {
	c.taken[i] = true
	dt.live, dt.matchedBy = i, by
}

// markProtected marks the changes that a protect: rule guards: a delete
// (other than an exact duplicate's, whose twin is kept) or a URL change of
// a live target whose description or URL a rule matches.
func (c *computer) markProtected(changes []Change) {
	for i := range changes {
		ch := &changes[i]
		if ch.Before == nil || ch.Action == ActionDelete && ch.DuplicateOf != "" {
			continue
		}
		switch {
		case ch.Action == ActionDelete:
		case ch.Action == ActionUpdate && ch.changes(FieldURL):
		default:
			continue
		}
		for _, r := range c.d.Protect {
			if (r.Name != "" && MatchGlob(r.Name, ch.Before.Description)) || (r.URL != "" && MatchGlob(r.URL, ch.Before.URL)) {
				ch.Protected = true
				pos := r.Pos
				ch.ProtectedBy = &pos
				break
			}
		}
	}
}

// Ignored reports whether one of d's ignore rules protects t: plainsync
// never touches such a target, an expired apply lease included.
func Ignored(d *spec.Desired, t *plain.Target) bool {
	return d != nil && (&computer{d: d}).ignored(t)
}

// ignored reports whether an ignore rule protects t.
func (c *computer) ignored(t *plain.Target) bool {
	return c.ignoreRule(t) != nil
}

// ignoreRule returns the first ignore rule that protects t, or nil.
func (c *computer) ignoreRule(t *plain.Target) *spec.IgnoreRule {
	for i, r := range c.d.Ignore {
		if r.Name != "" && MatchGlob(r.Name, t.Description) {
			return &c.d.Ignore[i]
		}
		if r.URL != "" && MatchGlob(r.URL, t.URL) {
			return &c.d.Ignore[i]
		}
	}
	return nil
}

// claimUnlessIgnored claims live target i for dt, unless an ignore rule
// protects it: the file would then both manage and never touch the same
// target, and guessing which was meant could change a target someone
// keeps by hand. That conflict is an error at pos.
func (c *computer) claimUnlessIgnored(dt *desiredTarget, i int, by string, pos spec.Pos) {
	t := &c.live.Targets[i]
	if r := c.ignoreRule(t); r != nil {
		c.taken[i] = true
		dt.ambiguous = true
		c.errorf(pos, "webhook %q matches live target %s (by %s), which the ignore rule at %s protects; plainsync never changes ignored targets: rename the webhook or narrow the rule", dt.w.Name.Value, t.ID, by, r.Pos)
		return
	}
	c.claim(dt, i, by)
}

// change builds the create, update or no-op for one matched desired target.
func (c *computer) change(dt *desiredTarget) Change {
	w := dt.w
	after := &TargetState{
		Description: w.Name.Value,
		URL:         w.URL.Value,
		EventTypes:  dt.events,
		Version:     w.WebhookVersion.Value,
		Enabled:     w.Enabled,
	}
	ch := Change{
		Name:          w.Name.Value,
		After:         after,
		EventPatterns: rawPatterns(w.Events),
		Pos:           w.Pos,
		// A URL with ${VAR}s is shown with references, not values.
		AfterSensitive: sensitiveFields(after.URL, w.URL.Secret),
	}
	if dt.live < 0 {
		ch.Action = ActionCreate
		if after.Version == "" {
			after.Version = c.live.LatestVersion()
		}
		return ch
	}
	t := &c.live.Targets[dt.live]
	before := liveState(t, after.URL)
	ch.TargetID, ch.MatchedBy, ch.Before = t.ID, dt.matchedBy, before
	ch.BeforeSensitive = sensitiveFields(t.URL, false)
	after.ID = t.ID
	if after.Version == "" {
		// No version in the file: leave the live one alone.
		after.Version = before.Version
	}

	if before.Description != after.Description {
		ch.Fields = append(ch.Fields, FieldChange{Field: FieldDescription, Before: before.Description, After: after.Description})
	}
	if t.URL != after.URL {
		ch.Fields = append(ch.Fields, urlChange(t.URL, before.URL, after.URL))
	}
	added, removed := setDiff(after.EventTypes, before.EventTypes), setDiff(before.EventTypes, after.EventTypes)
	if len(added)+len(removed) > 0 {
		ch.Fields = append(ch.Fields, FieldChange{Field: FieldEvents, Added: added, Removed: removed})
	}
	if before.Version != after.Version {
		ch.Fields = append(ch.Fields, FieldChange{Field: FieldVersion, Before: before.Version, After: after.Version})
	}
	if before.Enabled != after.Enabled {
		ch.Fields = append(ch.Fields, FieldChange{Field: FieldEnabled, Before: fmt.Sprint(before.Enabled), After: fmt.Sprint(after.Enabled)})
	}
	if len(ch.Fields) > 0 {
		ch.Action = ActionUpdate
	} else {
		ch.Action = ActionNoop
	}
	return ch
}

// urlChange describes a changed URL without the secrets of either side:
// it names the secret parts whose value changes, and says when nothing
// else does (a rotated token), so renderers can show the change as
// "(sensitive value changed)" instead of an old and a new value.
func urlChange(live, shownLive, desired string) FieldChange {
	f := FieldChange{Field: FieldURL, Before: shownLive, After: desired}
	changed := secret.ChangedParts(live, desired)
	for _, p := range secret.ClassifyURL(desired) {
		if changed[p.ID()] {
			f.SecretsChanged = append(f.SecretsChanged, p.ID())
		}
	}
	f.OnlySecrets = secret.RedactURL(live) == secret.RedactURL(desired)
	return f
}

// sensitiveFields marks the fields of a target state whose shown value has
// secret parts hidden, like Terraform's before_sensitive/after_sensitive.
func sensitiveFields(url string, fromVars bool) map[string]bool {
	if fromVars || len(secret.ClassifyURL(url)) > 0 {
		return map[string]bool{FieldURL: true}
	}
	return nil
}

// liveState is t as a plan shows it. Its URL is redacted by liveURL: the
// plan never needs the live URL's secrets (apply sends desired values, and
// the fingerprint is taken from the snapshot itself).
func liveState(t *plain.Target, desiredURL string) *TargetState {
	return &TargetState{
		ID:          t.ID,
		Description: t.Description,
		URL:         liveURL(t.URL, desiredURL),
		EventTypes:  sortedCopy(t.EventTypes),
		Version:     t.Version,
		Enabled:     t.Enabled,
		CreatedAt:   t.CreatedAt,
	}
}

func rawPatterns(events []spec.Text) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Value
	}
	return out
}

// actionRank orders the plan's groups: creates, updates, deletes, no-ops,
// unmanaged.
var actionRank = map[Action]int{ActionCreate: 0, ActionUpdate: 1, ActionDelete: 2, ActionNoop: 3, ActionUnmanaged: 4}

func sortChanges(cs []Change) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if actionRank[a.Action] != actionRank[b.Action] {
			return actionRank[a.Action] < actionRank[b.Action]
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.TargetID < b.TargetID
	})
}

// liveURL returns a live target's URL fit for plans, PR comments and saved
// plan files. Tokens in live URLs are not ${VAR} values the file declares, so
// the masker cannot know them: a hand-made target, or the old token of a
// rotated one, would otherwise be printed in the clear. Every part that
// secret.ClassifyURL calls secret becomes secret.Marker, except a part
// whose text is exactly the desired URL's part at the same position (that
// text comes from the file, and is masked or redacted like every file
// value). An identical URL is kept as is.
//
// The redactions are spliced into the URL's own text rather than
// re-serialising a parsed URL: re-encoding would percent-encode a ${VAR}
// value in the path (say one holding "|" or a space), and the masker, which
// knows only the value, would then print the encoded secret in full.
func liveURL(live, desired string) string {
	if live == desired {
		return live
	}
	changed := secret.ChangedParts(desired, live)
	return secret.Rewrite(live, secret.ClassifyURL(live), func(p secret.URLPart, text string) string {
		if desired != "" && !changed[p.ID()] {
			return text
		}
		return secret.Marker
	})
}
