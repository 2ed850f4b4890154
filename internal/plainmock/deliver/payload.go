package deliver

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/plainsync/plainsync/internal/plain"
)

// ErrNoPayload marks an event type that a webhook version's schema has no
// payload for (e.g. thread.thread_tenant_updated before 2026-04-21): Plain
// cannot build a valid body, so the attempt is a schema-validation failure.
var ErrNoPayload = errors.New("the webhook version's schema has no payload for this event type")

// Event is one event as it happened, before it is addressed to a target.
// The same Event (same ID) goes to every subscribed target, on every
// attempt; only webhookMetadata differs.
type Event struct {
	ID          string    // plain.EventIDPrefix + ULID; the body's id and Plain-Event-Id
	Type        string    // e.g. thread.thread_created
	WorkspaceID string    // the body's workspaceId and Plain-Workspace-Id
	Timestamp   time.Time // when it happened; the body's timestamp
	// Overrides are merged into the generated payload member (objects
	// merge key by key, anything else replaces), for a receiver test that
	// needs a particular title or customer.
	Overrides map[string]any
}

// Metadata is the per-attempt part of a body, webhookMetadata.
type Metadata struct {
	TargetID      string
	Version       string // the target's pinned version
	AttemptID     string
	AttemptNumber int
	AttemptAt     time.Time
}

// EventTypes lists the event types version's payload schema (or its
// stand-in, see schemaFor) has a payload for, sorted.
func EventTypes(version string) ([]string, error) {
	s, err := schemaFor(version)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, b := range payloadBranches(s.doc) {
		if t := branchEventType(s.doc, b); t != "" {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Body builds the raw JSON body Plain would POST for ev to a target pinned
// to m.Version, and checks it against that version's schema. The payload
// member depends only on ev (the same bytes on every attempt);
// webhookMetadata carries m. A body that does not validate is returned
// with the validation error, so that a caller can record it truthfully.
func Body(ev Event, m Metadata) ([]byte, error) {
	s, err := schemaFor(m.Version)
	if err != nil {
		return nil, err
	}
	payload, err := generatePayload(s.doc, ev)
	if err != nil {
		return nil, err
	}
	env := map[string]any{
		"timestamp":   isoMillis(ev.Timestamp),
		"workspaceId": ev.WorkspaceID,
		"payload":     payload,
		"id":          ev.ID,
		"type":        ev.Type,
		"webhookMetadata": map[string]any{
			"webhookTargetId":                 m.TargetID,
			"webhookTargetVersion":            m.Version,
			"webhookDeliveryAttemptId":        m.AttemptID,
			"webhookDeliveryAttemptNumber":    m.AttemptNumber,
			"webhookDeliveryAttemptTimestamp": isoMillis(m.AttemptAt),
		},
	}
	md := env["webhookMetadata"].(map[string]any)
	if s.version != m.Version {
		// A stand-in schema: check the body as its own version, then send
		// it with the target's.
		md["webhookTargetVersion"] = s.version
	}
	body, err := json.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("encode %s payload: %w", ev.Type, err)
	}
	// What is checked is what is sent: the bytes, decoded again.
	if err := validateBody(s, s.validatorFor(ev.Type), body); err != nil {
		return body, err
	}
	if s.version != m.Version {
		md["webhookTargetVersion"] = m.Version
		if body, err = json.Marshal(env); err != nil {
			return nil, fmt.Errorf("encode %s payload: %w", ev.Type, err)
		}
	}
	return body, nil
}

// ValidationError says why a body does not match a version's schema.
type ValidationError struct {
	Version string
	Err     error
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("payload does not validate against webhook version %s: %v", e.Version, e.Err)
}

func (e *ValidationError) Unwrap() error { return e.Err }

// validateBody checks raw against v, one of s's validators, reporting
// under s's version.
func validateBody(s *payloadSchema, v *jsonschema.Schema, raw []byte) error {
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return &ValidationError{Version: s.version, Err: err}
	}
	if err := v.Validate(doc); err != nil {
		return &ValidationError{Version: s.version, Err: err}
	}
	return nil
}

// Validate checks a body against the schema of version (for tests and the
// admin API's override check).
func Validate(version string, raw []byte) error {
	s, err := schemaFor(version)
	if err != nil {
		return err
	}
	return validateBody(s, s.validator, raw)
}

func isoMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func payloadBranches(doc map[string]any) []any {
	branches, _ := lookupPointer(doc, "#/properties/payload/anyOf").([]any)
	return branches
}

// branchEventType is the eventType const of one payload branch.
func branchEventType(doc map[string]any, branch any) string {
	n, _ := resolve(doc, branch).(map[string]any)
	if alts, ok := n["anyOf"].([]any); ok && len(alts) > 0 {
		// customer.customer_group_changed: one branch per changeType.
		return branchEventType(doc, alts[0])
	}
	props, _ := n["properties"].(map[string]any)
	et, _ := props["eventType"].(map[string]any)
	c, _ := et["const"].(string)
	return c
}

// generatePayload fills in the payload member for ev from the branch of
// the schema whose eventType is ev.Type.
func generatePayload(doc map[string]any, ev Event) (map[string]any, error) {
	var branch any
	for _, b := range payloadBranches(doc) {
		if branchEventType(doc, b) == ev.Type {
			branch = b
			break
		}
	}
	if branch == nil {
		return nil, fmt.Errorf("%s: %w", ev.Type, ErrNoPayload)
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(ev.ID))
	g := &generator{
		doc: doc,
		rng: rand.New(rand.NewPCG(h.Sum64(), 0x9a7)),
		now: ev.Timestamp.UTC(),
		ids: map[string]string{"w": ev.WorkspaceID},
	}
	p, _ := g.value(branch, genCtx{})
	out, _ := p.(map[string]any)
	if out == nil {
		return nil, fmt.Errorf("%s: payload schema is not an object", ev.Type)
	}
	if ev.Overrides != nil {
		mergeInto(out, ev.Overrides)
	}
	return out, nil
}

// mergeInto merges src into dst: objects key by key, anything else
// replaces. What it takes from src is copied: one event's overrides serve
// every target's payload, built concurrently.
func mergeInto(dst, src map[string]any) {
	for k, v := range src {
		if sv, ok := v.(map[string]any); ok {
			if dv, ok := dst[k].(map[string]any); ok {
				mergeInto(dv, sv)
				continue
			}
		}
		dst[k] = deepCopy(v)
	}
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// resolve follows $refs until n is a schema without one.
func resolve(doc map[string]any, n any) any {
	for range 32 {
		m, ok := n.(map[string]any)
		if !ok {
			return n
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return n
		}
		n = lookupPointer(doc, ref)
	}
	return n
}

// generator builds a value for a schema node: every property filled in
// (its default when the schema gives one), realistic strings by property
// name, ids with Plain's prefixes that agree within one event, and Plain's
// "UNKNOWN" placeholder branches avoided.
type generator struct {
	doc map[string]any
	rng *rand.Rand
	now time.Time
	ids map[string]string // id prefix → the id, so that references agree
}

// genCtx is where in the payload a node sits: the definition it belongs to
// and the property that holds it.
type genCtx struct {
	def, prop string
	depth     int
}

// maxDepth stops recursive definitions (components in containers in
// components) from growing without bound: past it, arrays stay at their
// minimum length and nullable values are null.
const maxDepth = 12

// value returns a value for n; ok is false when n cannot be satisfied
// (which the caller's anyOf treats as a reason to try the next branch).
func (g *generator) value(n any, c genCtx) (v any, ok bool) {
	m, isMap := n.(map[string]any)
	if !isMap {
		return nil, n == true || n == nil
	}
	if ref, ok := m["$ref"].(string); ok {
		segs := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
		switch {
		case len(segs) == 2 && segs[0] == "definitions":
			// Scalar helpers (id, datetime, emailAddress) keep the
			// enclosing object's name: a thread's id is still a thread's.
			if target, _ := lookupPointer(g.doc, ref).(map[string]any); target["properties"] != nil || target["anyOf"] != nil {
				c.def = segs[1]
			}
		case len(segs) >= 2 && segs[len(segs)-2] == "properties":
			c.prop = segs[len(segs)-1]
		}
		return g.value(lookupPointer(g.doc, ref), c)
	}
	if cv, ok := m["const"]; ok {
		return cv, true
	}
	if ev, ok := m["enum"].([]any); ok {
		return g.enumValue(ev, c), len(ev) > 0
	}
	if all, ok := m["allOf"].([]any); ok {
		merged := map[string]any{}
		for _, b := range all {
			if bm, ok := resolve(g.doc, b).(map[string]any); ok {
				for k, v := range bm {
					merged[k] = v
				}
			}
		}
		for k, v := range m {
			if k != "allOf" {
				merged[k] = v
			}
		}
		return g.value(merged, c)
	}
	if d, ok := m["default"]; ok && c.depth > 0 {
		return d, true
	}
	if any, ok := m["anyOf"].([]any); ok {
		return g.anyOf(any, c)
	}
	types := schemaTypes(m)
	if len(types) == 0 {
		if _, ok := m["properties"]; ok {
			types = []string{"object"}
		}
	}
	if slices.Contains(types, "null") && (preferNull(c) || c.depth > maxDepth) {
		return nil, true
	}
	for _, t := range types {
		if t == "null" {
			continue
		}
		return g.typed(t, m, c), true
	}
	if slices.Contains(types, "null") {
		return nil, true
	}
	return nil, true // {} accepts anything
}

// anyOf picks the first branch that is neither null nor one of Plain's
// "UNKNOWN" placeholders; null only when the property is one that is
// realistically empty or recursion has gone deep.
func (g *generator) anyOf(branches []any, c genCtx) (any, bool) {
	var real []any
	hasNull := false
	for _, b := range branches {
		r, _ := resolve(g.doc, b).(map[string]any)
		if isNullSchema(r) {
			hasNull = true
			continue
		}
		if isUnknownPlaceholder(g.doc, r) {
			continue
		}
		real = append(real, b)
	}
	if hasNull && (preferNull(c) || c.depth > maxDepth) {
		return nil, true
	}
	for _, b := range real {
		if v, ok := g.value(b, c); ok {
			return v, true
		}
	}
	if hasNull {
		return nil, true
	}
	if len(branches) > 0 {
		return g.value(branches[0], c)
	}
	return nil, false
}

func isNullSchema(m map[string]any) bool {
	if m == nil {
		return false
	}
	t := schemaTypes(m)
	return len(t) == 1 && t[0] == "null"
}

// isUnknownPlaceholder recognises branches such as
// {"actorType": {"const": "UNKNOWN"}} that Plain adds for forward
// compatibility; a real payload never uses them.
func isUnknownPlaceholder(doc map[string]any, m map[string]any) bool {
	props, _ := m["properties"].(map[string]any)
	for _, p := range props {
		pm, _ := resolve(doc, p).(map[string]any)
		if s, ok := pm["const"].(string); ok && strings.HasPrefix(s, "UNKNOWN") {
			return true
		}
	}
	return false
}

func schemaTypes(m map[string]any) []string {
	switch t := m["type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func (g *generator) enumValue(vals []any, c genCtx) any {
	if h, ok := enumHints[c.prop]; ok && slices.Contains(vals, any(h)) {
		return h
	}
	for _, v := range vals {
		if s, ok := v.(string); ok && strings.HasPrefix(s, "UNKNOWN") {
			continue
		}
		return v
	}
	if len(vals) > 0 {
		return vals[0]
	}
	return nil
}

func (g *generator) typed(t string, m map[string]any, c genCtx) any {
	switch t {
	case "object":
		out := map[string]any{}
		props, _ := m["properties"].(map[string]any)
		names := make([]string, 0, len(props))
		for k := range props {
			names = append(names, k)
		}
		sort.Strings(names) // the same event always gets the same ids
		for _, k := range names {
			v, _ := g.value(props[k], genCtx{def: c.def, prop: k, depth: c.depth + 1})
			out[k] = v
		}
		return out
	case "array":
		n := 1
		if c.depth > maxDepth/2 {
			n = 0
		}
		if mi, ok := m["minItems"].(float64); ok && int(mi) > n {
			n = int(mi)
		}
		items := m["items"]
		out := make([]any, 0, n)
		for range n {
			v, _ := g.value(items, genCtx{def: c.def, prop: c.prop, depth: c.depth + 1})
			out = append(out, v)
		}
		return out
	case "string":
		return g.stringValue(m, c)
	case "integer", "number":
		v := 1.0
		if h, ok := numberHints[c.prop]; ok {
			v = h
		}
		if mn, ok := m["minimum"].(float64); ok && v < mn {
			v = mn
		}
		if mn, ok := m["exclusiveMinimum"].(float64); ok && v <= mn {
			v = mn + 1
		}
		return v
	case "boolean":
		return boolHints[c.prop]
	}
	return nil
}

func (g *generator) stringValue(m map[string]any, c genCtx) string {
	var s string
	format, _ := m["format"].(string)
	pattern, _ := m["pattern"].(string)
	switch {
	case format == "date-time":
		s = isoMillis(g.timeFor(c.prop))
	case format == "uuid":
		s = g.uuid()
	case format == "uri":
		s = "https://example.com/" + strings.ToLower(c.prop)
	case strings.Contains(pattern, "{26}"): // Plain's id pattern: PREFIX_ULID
		s = g.id(idPrefix(c.def, c.prop))
	case strings.Contains(pattern, "@"):
		s = g.email(c)
	case strings.HasPrefix(pattern, "^#"):
		s = "#1F6FEB"
	default:
		s = stringHint(c.def, c.prop)
	}
	if mx, ok := m["maxLength"].(float64); ok && len(s) > int(mx) {
		s = s[:int(mx)]
	}
	if mn, ok := m["minLength"].(float64); ok {
		for len(s) < int(mn) {
			s += "x"
		}
	}
	return s
}

// timeFor dates things shortly before the event: a thread or customer was
// created an hour earlier, everything else happened with the event.
func (g *generator) timeFor(prop string) time.Time {
	switch prop {
	case "createdAt", "verifiedAt", "assignedAt":
		return g.now.Add(-time.Hour)
	}
	return g.now
}

func (g *generator) id(prefix string) string {
	if id, ok := g.ids[prefix]; ok {
		return id
	}
	id := prefix + "_" + ulidAt(g.now.Add(-time.Hour), g.rng)
	g.ids[prefix] = id
	return id
}

func (g *generator) uuid() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(g.rng.Uint32())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (g *generator) email(c genCtx) string {
	switch c.def {
	case "user":
		return "grace.hopper@support.example.com"
	case "emailActor", "email":
		if c.prop == "supportEmailAddress" {
			return "help@support.example.com"
		}
	}
	return "ada.lovelace@example.com"
}

// idPrefix is the prefix Plain gives an id: by the object it identifies
// (a thread's id is th_…) or by the property that refers to it (userId).
func idPrefix(def, prop string) string {
	name := def
	if prop != "id" {
		name = strings.TrimSuffix(prop, "Id")
	}
	if p, ok := idPrefixes[name]; ok {
		return p
	}
	// Initials of the camel-case words: customerGroup → cg.
	var b strings.Builder
	for i, r := range name {
		if i == 0 || ('A' <= r && r <= 'Z') {
			b.WriteRune(r | 0x20)
		}
	}
	if b.Len() == 0 {
		return "id"
	}
	return b.String()
}

// idPrefixes: th_, c_ and w_ (threads, customers, workspaces) and the
// webhook ones are the prefixes of Plain's SDK payload fixtures
// (team-plain/sdk packages/webhooks/src/__tests__/webhook-payloads); the
// rest are plain-mock's own picks, which Plain's schema allows (any
// letters before the _).
var idPrefixes = map[string]string{
	"thread":                  "th",
	"customer":                "c",
	"user":                    "u",
	"machineUser":             "mu",
	"customerGroup":           "cg",
	"customerGroupMembership": "cgm",
	"label":                   "l",
	"labelType":               "lt",
	"tier":                    "tier",
	"timelineEntry":           "te",
	"workspace":               "w",
	"attachment":              "att",
	"email":                   "em",
	"chat":                    "chat",
	"threadField":             "tf",
	"serviceLevelAgreement":   "sla",
	"note":                    "n",
	"webhookTarget":           strings.TrimSuffix(plain.TargetIDPrefix, "_"),
	"webhookDeliveryAttempt":  strings.TrimSuffix(plain.AttemptIDPrefix, "_"),
}

// preferNull lists the nullable properties that real payloads mostly leave
// empty: external ids, spam marks, archive marks, replies.
func preferNull(c genCtx) bool {
	switch c.prop {
	case "externalId", "markedAsSpamAt", "markedAsSpamBy", "archivedAt", "archivedBy", "icon",
		"inReplyToEmailId", "replyTo", "deletedAt", "deletedBy", "previousCustomer", "dateValue", "numberValue":
		return true
	}
	return false
}

var enumHints = map[string]any{
	"status":        "TODO",
	"messageSource": "EMAIL",
	"changeType":    "ADDED",
}

var numberHints = map[string]float64{
	"priority":                 2,
	"fileSizeBytes":            48213,
	"firstResponseTimeMinutes": 60,
	"nextResponseTimeMinutes":  120,
}

var boolHints = map[string]bool{
	"isVerified": true,
}

// stringHint is a realistic value for a free-text property.
func stringHint(def, prop string) string {
	switch prop {
	case "title":
		if def == "customEntry" {
			return "Order #1042 refunded"
		}
		return "Order #1042 arrived damaged"
	case "previewText", "textContent", "text", "resolvedText", "plainText":
		return "Hi, my order #1042 arrived with a cracked screen. Could you send a replacement?"
	case "markdown", "markdownContent":
		return "Hi, my order **#1042** arrived with a cracked screen. Could you send a replacement?"
	case "subject":
		return "Order #1042 arrived damaged"
	case "fullName":
		switch def {
		case "user":
			return "Grace Hopper"
		case "machineUser":
			return "Support Bot"
		}
		return "Ada Lovelace"
	case "publicName":
		if def == "machineUser" {
			return "Support Bot"
		}
		return "Grace"
	case "shortName":
		return "Ada"
	case "name":
		switch def {
		case "customerGroup":
			return "Enterprise"
		case "labelType":
			return "Bug"
		case "tier":
			return "Premium"
		case "emailParticipant":
			return "Ada Lovelace"
		}
		return "Acme"
	case "key":
		return "order_id"
	case "stringValue":
		return "1042"
	case "fileName":
		return "photo-of-damage.jpg"
	case "fileMimeType":
		return "image/jpeg"
	case "description":
		return "Answers order-status questions"
	case "color":
		return "#1F6FEB"
	case "system":
		return "workflow"
	case "type":
		return "order_refunded"
	case "slackChannelName":
		return "support"
	case "slackMessageLink":
		return "https://acme.slack.com/archives/C0123456789/p1700000000000100"
	}
	if strings.HasSuffix(prop, "Label") {
		return "Open order"
	}
	if strings.HasSuffix(prop, "Id") || strings.HasSuffix(prop, "Key") || strings.HasSuffix(prop, "Value") {
		return strings.ToUpper(prop[:1]) + "0123456789"
	}
	if strings.HasSuffix(prop, "Addresses") || strings.HasSuffix(prop, "Address") {
		return "help@support.example.com"
	}
	return "example " + prop
}
