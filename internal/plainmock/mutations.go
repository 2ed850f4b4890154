package plainmock

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/plainsync/plainsync/internal/plain"
)

// Mutation error codes, each listed in Plain's error-codes reference
// (plain.com/docs/api-reference/graphql/error-codes): input_validation
// ("The provided input failed validation"), forbidden ("Permission
// denied"; @team-plain/typescript-sdk 5.12.1 turns exactly this code into
// its { type: 'forbidden' } result), internal, and too_many_webhook_targets
// ("The maximum number of webhook targets has been reached").
const (
	mutCodeValidation  = "input_validation"
	mutCodeForbidden   = "forbidden"
	mutCodeInternal    = "internal"
	mutCodeTargetLimit = "too_many_webhook_targets"
)

// maxDescriptionLen bounds a target's description; far above anything a
// human writes, it exists so a runaway client gets a validation error.
const maxDescriptionLen = 500

type fieldProblem struct {
	field, message, kind string // kind is a MutationFieldErrorType value
}

func mutationError(typ, code, message string, problems []fieldProblem) obj {
	fields := make([]obj, len(problems))
	for i, p := range problems {
		fields[i] = obj{"__typename": "MutationFieldError", "field": p.field, "message": p.message, "type": p.kind}
	}
	return obj{"__typename": "MutationError", "message": message, "type": typ, "code": code, "fields": fields}
}

func forbiddenError(perm string) obj {
	return mutationError("FORBIDDEN", mutCodeForbidden, "Forbidden: the API key lacks the permission "+perm+".", nil)
}

func validationError(problems []fieldProblem) obj {
	return mutationError("VALIDATION", mutCodeValidation, "There was a validation error.", problems)
}

// limitError refuses a create past the workspace's target limit (Plain
// documents 25 per workspace) with Plain's documented code
// too_many_webhook_targets, whose reference text opens the message. The
// type is VALIDATION, the only one of Plain's three MutationError types
// (VALIDATION, FORBIDDEN, INTERNAL) that fits a refused input; there are no
// field errors, since no single field is at fault.
func limitError(limit int) obj {
	return mutationError("VALIDATION", mutCodeTargetLimit,
		fmt.Sprintf("The maximum number of webhook targets has been reached: a workspace can have at most %d webhook targets; delete one before creating another.", limit), nil)
}

func internalError() obj {
	return mutationError("INTERNAL", mutCodeInternal, "An internal error occurred; the change was not saved. Retry the mutation.", nil)
}

// output builds a mutation payload. Absent members are explicit nils so
// that the executor renders null.
func output(typeName string, target any, mErr any) obj {
	o := obj{"__typename": typeName, "error": mErr}
	if typeName != "DeleteWebhookTargetOutput" {
		o["webhookTarget"] = target
	}
	return o
}

// The messages below never quote the URL: webhook URLs carry interpolated
// secrets, and errors end up in CI logs.
func checkURL(raw string) *fieldProblem {
	if strings.TrimSpace(raw) == "" {
		return &fieldProblem{"url", "url is required.", "REQUIRED"}
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Hostname() == "" {
		return &fieldProblem{"url", "url must be an absolute http or https URL.", "VALIDATION"}
	}
	return nil
}

// checkURL is checkURL plus, with Config.RefuseInvalidHosts, a refusal
// of hosts in the reserved .invalid domain.
func (s *Server) checkURL(raw string) *fieldProblem {
	if p := checkURL(raw); p != nil {
		return p
	}
	if !s.refuseInvalid {
		return nil
	}
	u, _ := url.Parse(raw)
	if h := strings.ToLower(strings.TrimSuffix(u.Hostname(), ".")); h == "invalid" || strings.HasSuffix(h, ".invalid") {
		return &fieldProblem{"url", "url must point at a host that can receive webhooks.", "VALIDATION"}
	}
	return nil
}

func checkDescription(d string) *fieldProblem {
	if strings.TrimSpace(d) == "" {
		return &fieldProblem{"description", "description must not be empty.", "REQUIRED"}
	}
	if len(d) > maxDescriptionLen {
		return &fieldProblem{"description", fmt.Sprintf("description must be at most %d characters.", maxDescriptionLen), "VALIDATION"}
	}
	return nil
}

func checkVersion(w *workspace, v string) *fieldProblem {
	if !w.knownVersion(v) {
		return &fieldProblem{"version", fmt.Sprintf("version %q is not a known webhook version.", v), "VALIDATION"}
	}
	return nil
}

// eventTypesFrom reads [{eventType}] and reports unknown types, one
// problem per bad entry so a client can show them all.
func eventTypesFrom(w *workspace, v any) ([]string, []fieldProblem) {
	list, _ := v.([]any)
	var out []string
	var probs []fieldProblem
	for i, item := range list {
		m, _ := item.(map[string]any)
		et, _ := asString(m["eventType"])
		if !w.knownEventType(et) {
			probs = append(probs, fieldProblem{
				field:   fmt.Sprintf("eventSubscriptions[%d].eventType", i),
				message: fmt.Sprintf("%q is not a subscribable event type.", et),
				kind:    "VALIDATION",
			})
			continue
		}
		out = append(out, et)
	}
	return plain.SortedUnique(out), probs
}

// wrapped reads {value: X} inputs (StringInput, BooleanInput); ok is false
// when the field was not given or was null, meaning "leave unchanged".
func wrapped(input map[string]any, name string) (any, bool) {
	m, ok := input[name].(map[string]any)
	if !ok {
		return nil, false
	}
	v, ok := m["value"]
	return v, ok && v != nil
}

func (s *Server) resolveCreate(args map[string]any, oc *opCtx) (any, *fieldError) {
	const outType = "CreateWebhookTargetOutput"
	if !oc.perms[plain.PermCreate] {
		return output(outType, nil, forbiddenError(plain.PermCreate)), nil
	}
	input, _ := args["input"].(map[string]any)
	var probs []fieldProblem
	rawURL, _ := asString(input["url"])
	if p := s.checkURL(rawURL); p != nil {
		probs = append(probs, *p)
	}
	desc, _ := asString(input["description"])
	if p := checkDescription(desc); p != nil {
		probs = append(probs, *p)
	}
	events, eprobs := eventTypesFrom(oc.ws, input["eventSubscriptions"])
	probs = append(probs, eprobs...)
	version := oc.ws.latestVersion()
	if v, ok := input["version"]; ok && v != nil {
		version, _ = asString(v)
		if p := checkVersion(oc.ws, version); p != nil {
			probs = append(probs, *p)
		}
	}
	enabled, _ := input["isEnabled"].(bool)
	if len(probs) > 0 {
		return output(outType, nil, validationError(probs)), nil
	}
	if limit := s.maxTargets; limit > 0 && oc.ws.targets.len() >= limit {
		return output(outType, nil, limitError(limit)), nil
	}

	now := s.nowMS()
	t := plain.Target{
		ID:          s.ids.id(plain.TargetIDPrefix, now),
		URL:         rawURL,
		Description: desc,
		EventTypes:  events,
		Version:     version,
		Enabled:     enabled,
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	oc.ws.targets.put(t)
	if err := s.persistLocked(); err != nil {
		oc.ws.targets.remove(t.ID)
		logPersistError(err)
		return output(outType, nil, internalError()), nil
	}
	oc.changed = true
	return output(outType, targetObj(oc.ws, t), nil), nil
}

func (s *Server) resolveUpdate(args map[string]any, oc *opCtx) (any, *fieldError) {
	const outType = "UpdateWebhookTargetOutput"
	if !oc.perms[plain.PermEdit] {
		return output(outType, nil, forbiddenError(plain.PermEdit)), nil
	}
	input, _ := args["input"].(map[string]any)
	id, _ := asString(input["webhookTargetId"])
	old, ok := oc.ws.targets.get(id)
	if !ok {
		return output(outType, nil, validationError([]fieldProblem{{
			field: "webhookTargetId", message: "No webhook target with this id exists.", kind: "NOT_FOUND",
		}})), nil
	}
	t := cloneTarget(old)
	var probs []fieldProblem
	if v, ok := wrapped(input, "url"); ok {
		t.URL, _ = asString(v)
		if p := s.checkURL(t.URL); p != nil {
			probs = append(probs, *p)
		}
	}
	if v, ok := wrapped(input, "description"); ok {
		t.Description, _ = asString(v)
		if p := checkDescription(t.Description); p != nil {
			probs = append(probs, *p)
		}
	}
	if v, ok := wrapped(input, "version"); ok {
		t.Version, _ = asString(v)
		if p := checkVersion(oc.ws, t.Version); p != nil {
			probs = append(probs, *p)
		}
	}
	if v, ok := wrapped(input, "isEnabled"); ok {
		t.Enabled, _ = v.(bool)
	}
	if v, ok := input["eventSubscriptions"]; ok && v != nil {
		var eprobs []fieldProblem
		t.EventTypes, eprobs = eventTypesFrom(oc.ws, v)
		probs = append(probs, eprobs...)
	}
	if len(probs) > 0 {
		return output(outType, nil, validationError(probs)), nil
	}
	if sameTarget(old, t) {
		// Nothing changed: no new updatedAt and no write, so re-running a
		// converged apply leaves the state file alone.
		return output(outType, targetObj(oc.ws, old), nil), nil
	}
	t.UpdatedAt = s.nowMS()
	oc.ws.targets.put(t)
	if err := s.persistLocked(); err != nil {
		oc.ws.targets.put(old)
		logPersistError(err)
		return output(outType, nil, internalError()), nil
	}
	oc.changed = true
	return output(outType, targetObj(oc.ws, t), nil), nil
}

func sameTarget(a, b plain.Target) bool {
	return a.URL == b.URL && a.Description == b.Description && a.Version == b.Version &&
		a.Enabled == b.Enabled && slices.Equal(a.EventTypes, b.EventTypes)
}

func (s *Server) resolveDelete(args map[string]any, oc *opCtx) (any, *fieldError) {
	const outType = "DeleteWebhookTargetOutput"
	if !oc.perms[plain.PermDelete] {
		return output(outType, nil, forbiddenError(plain.PermDelete)), nil
	}
	input, _ := args["input"].(map[string]any)
	id, _ := asString(input["webhookTargetId"])
	old, ok := oc.ws.targets.get(id)
	if !ok {
		return output(outType, nil, validationError([]fieldProblem{{
			field: "webhookTargetId", message: "No webhook target with this id exists.", kind: "NOT_FOUND",
		}})), nil
	}
	oldAttempts, hadAttempts := oc.ws.attempts[id]
	oc.ws.targets.remove(id)
	delete(oc.ws.attempts, id)
	if err := s.persistLocked(); err != nil {
		oc.ws.targets.put(old)
		if hadAttempts {
			oc.ws.attempts[id] = oldAttempts
		}
		logPersistError(err)
		return output(outType, nil, internalError()), nil
	}
	oc.changed = true
	return output(outType, nil, nil), nil
}

// resolveRegenerateHmac replaces the workspace's signing secret with a
// new random one (creating it when there was none). It needs
// webhookTarget:edit: Plain does not document which permission it checks,
// and the mock knows only the webhook permissions.
func (s *Server) resolveRegenerateHmac(_ map[string]any, oc *opCtx) (any, *fieldError) {
	const outType = "RegenerateWorkspaceHmacOutput"
	if !oc.perms[plain.PermEdit] {
		return obj{"__typename": outType, "workspaceHmac": nil, "error": forbiddenError(plain.PermEdit)}, nil
	}
	old := oc.ws.hmac
	secret, err := newHMACSecret()
	if err == nil {
		s.setHMACLocked(oc.ws, secret)
		err = s.persistLocked()
	}
	if err != nil {
		oc.ws.hmac = old
		logPersistError(err)
		return obj{"__typename": outType, "workspaceHmac": nil, "error": internalError()}, nil
	}
	oc.changed = true
	return obj{"__typename": outType, "workspaceHmac": hmacObj(oc.ws), "error": nil}, nil
}

// newHMACSecret is 32 random bytes, hex: a signing secret must not be
// guessable even in a mock, whose secrets end up in users' receivers.
func newHMACSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("plainmock: generate HMAC secret: %w", err)
	}
	return hex.EncodeToString(b), nil
}

func logPersistError(err error) {
	log.New(os.Stderr, "plain-mock: ", 0).Print(err)
}
