package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// ErrInvalidBody is wrapped by every error of [Parse]: the body is not a
// Plain webhook event. A handler answers 400.
var ErrInvalidBody = errors.New("webhook: invalid event body")

// Event is one delivery of a Plain event, as decoded by [Parse]. Every
// field comes from the (signed) body; the field names are those of Plain's
// webhook payload schema (webhook-event-schema.json, versions 2026-02-27
// and 2026-04-21: id, type, timestamp, workspaceId, payload,
// webhookMetadata).
type Event struct {
	// ID is the event's id (pEv_…), the same on every attempt and for
	// every target: the key to deduplicate on.
	ID string
	// Type is the event type, e.g. thread.thread_created.
	Type string
	// Timestamp is when the event happened.
	Timestamp time.Time
	// WorkspaceID is the id of the workspace the event belongs to (w_…).
	WorkspaceID string
	// Webhook says which target and which attempt this delivery is.
	Webhook Metadata
	// Payload is the body's payload member, raw: its shape depends on Type
	// and on the target's pinned version (Webhook.TargetVersion).
	Payload json.RawMessage
}

// Metadata is the body's webhookMetadata: the part that differs between
// targets and between attempts of one event.
type Metadata struct {
	// TargetID is the webhook target's id (whTarget_…).
	TargetID string
	// TargetVersion is the webhook version the target is pinned to, e.g.
	// 2026-02-27; the payload follows that version's schema.
	TargetVersion string
	// AttemptID is this delivery attempt's id (whAttempt_…), new on every
	// attempt.
	AttemptID string
	// AttemptNumber counts the attempts of this event to this target,
	// from 1.
	AttemptNumber int
	// AttemptTimestamp is when Plain made this attempt; [NewHandler]
	// refuses one too far from its clock.
	AttemptTimestamp time.Time
}

// idPattern is the payload schema's definition of every id
// (definitions.id: pattern and maxLength 50, both versions): a type prefix,
// "_" and a 26-character ULID in Crockford base32.
var idPattern = regexp.MustCompile(`^[a-zA-Z]+_[0123456789ABCDEFGHJKMNPQRSTVWXYZ]{26}$`)

const maxIDLen = 50

// Parse decodes a Plain webhook body. It checks what a receiver relies on —
// the envelope's members are present with the types and id shapes of
// Plain's payload schema, the timestamps are RFC 3339, the attempt number
// is positive and the payload is a JSON object — but not the payload
// itself (see [WithValidator]). Member names match exactly, as in
// JavaScript, and unknown members are allowed (the schema's
// additionalProperties is true). Parse does not verify the signature:
// call [Verify] first, or use [NewHandler]. Every error wraps
// [ErrInvalidBody] and quotes no part of the body.
func Parse(body []byte) (*Event, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return nil, fmt.Errorf("%w: not a JSON object", ErrInvalidBody)
	}
	var ev Event
	var err error
	if ev.ID, err = idMember(top, "id"); err != nil {
		return nil, err
	}
	if ev.Type, err = stringMember(top, "type"); err != nil {
		return nil, err
	}
	if ev.Timestamp, err = timeMember(top, "timestamp"); err != nil {
		return nil, err
	}
	if ev.WorkspaceID, err = idMember(top, "workspaceId"); err != nil {
		return nil, err
	}
	payload, ok := top["payload"]
	if !ok || !isObject(payload) {
		return nil, fmt.Errorf("%w: payload: missing or not an object", ErrInvalidBody)
	}
	ev.Payload = append(json.RawMessage(nil), payload...)

	raw, ok := top["webhookMetadata"]
	var md map[string]json.RawMessage
	if !ok || !isObject(raw) || json.Unmarshal(raw, &md) != nil {
		return nil, fmt.Errorf("%w: webhookMetadata: missing or not an object", ErrInvalidBody)
	}
	m := &ev.Webhook
	if m.TargetID, err = idMember(md, "webhookMetadata.webhookTargetId"); err != nil {
		return nil, err
	}
	if m.TargetVersion, err = stringMember(md, "webhookMetadata.webhookTargetVersion"); err != nil {
		return nil, err
	}
	if m.AttemptID, err = idMember(md, "webhookMetadata.webhookDeliveryAttemptId"); err != nil {
		return nil, err
	}
	if m.AttemptNumber, err = attemptNumber(md); err != nil {
		return nil, err
	}
	if m.AttemptTimestamp, err = timeMember(md, "webhookMetadata.webhookDeliveryAttemptTimestamp"); err != nil {
		return nil, err
	}
	return &ev, nil
}

// member looks up the last path element of name in obj.
func member(obj map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	v, ok := obj[name[strings.LastIndexByte(name, '.')+1:]]
	return v, ok
}

func stringMember(obj map[string]json.RawMessage, name string) (string, error) {
	raw, ok := member(obj, name)
	var s string
	if !ok || json.Unmarshal(raw, &s) != nil || s == "" {
		return "", fmt.Errorf("%w: %s: missing or not a non-empty string", ErrInvalidBody, name)
	}
	return s, nil
}

func idMember(obj map[string]json.RawMessage, name string) (string, error) {
	s, err := stringMember(obj, name)
	if err != nil {
		return "", err
	}
	if len(s) > maxIDLen || !idPattern.MatchString(s) {
		return "", fmt.Errorf("%w: %s: not a Plain id (prefix, \"_\" and a 26-character ULID)", ErrInvalidBody, name)
	}
	return s, nil
}

// timeMember reads a JSON Schema date-time (RFC 3339), which Plain writes
// as UTC ISO-8601 with milliseconds, e.g. 1989-10-28T17:30:00.000Z.
func timeMember(obj map[string]json.RawMessage, name string) (time.Time, error) {
	s, err := stringMember(obj, name)
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s: not an RFC 3339 date-time", ErrInvalidBody, name)
	}
	return t, nil
}

// attemptNumber reads webhookDeliveryAttemptNumber, an integer with
// exclusiveMinimum 0 in the schema.
func attemptNumber(md map[string]json.RawMessage) (int, error) {
	const name = "webhookMetadata.webhookDeliveryAttemptNumber"
	raw, ok := md["webhookDeliveryAttemptNumber"]
	var n int
	if !ok || json.Unmarshal(raw, &n) != nil || n <= 0 {
		return 0, fmt.Errorf("%w: %s: missing or not a positive integer", ErrInvalidBody, name)
	}
	return n, nil
}

func isObject(raw json.RawMessage) bool {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	return len(raw) > 0 && raw[0] == '{'
}
