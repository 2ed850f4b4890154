package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// The headers Plain sends with every delivery (Plain's webhooks docs). Only
// the signature is authenticated: the other values are repeated, signed, in
// the body, and [Parse] reads them from there.
const (
	// SignatureHeader carries the lowercase hex HMAC-SHA256 of the raw
	// body; Plain sends it when the workspace has an HMAC secret.
	SignatureHeader = "Plain-Request-Signature"
	// EventIDHeader is the event's id, the same on every attempt.
	EventIDHeader = "Plain-Event-Id"
	// EventTypeHeader is the event's type, e.g. thread.thread_created.
	EventTypeHeader = "Plain-Event-Type"
	// WorkspaceIDHeader is the id of the workspace the event belongs to.
	WorkspaceIDHeader = "Plain-Workspace-Id"
	// TargetIDHeader is the id of the webhook target being delivered to.
	TargetIDHeader = "Plain-Webhook-Target-Id"
	// TargetVersionHeader is the webhook version the target is pinned to.
	TargetVersionHeader = "Plain-Webhook-Target-Version"
	// AttemptIDHeader is the delivery attempt's id, new on every attempt.
	AttemptIDHeader = "Plain-Webhook-Delivery-Attempt-Id"
	// AttemptNumberHeader is the attempt's number, starting at 1.
	AttemptNumberHeader = "Plain-Webhook-Delivery-Attempt-Number"
	// AttemptTimestampHeader is when the attempt was made, UTC ISO-8601.
	AttemptTimestampHeader = "Plain-Webhook-Delivery-Attempt-Timestamp"
)

// Errors of [Verify]. ErrNoSignature and ErrBadSignature mean the request
// did not come from Plain, or was changed on the way, or was signed with
// another secret (the workspace's secret was regenerated): a handler
// answers 401. ErrNoSecret is the receiver's own misconfiguration (500).
var (
	// ErrNoSecret means the secret given to Verify is empty; Plain's SDK
	// refuses to verify without one too.
	ErrNoSecret = errors.New("webhook: no HMAC secret configured")
	// ErrNoSignature means the request carries no Plain-Request-Signature.
	ErrNoSignature = errors.New("webhook: missing " + SignatureHeader + " header")
	// ErrBadSignature means the signature does not match the body.
	ErrBadSignature = errors.New("webhook: signature does not match the body")
)

// Sign returns the Plain-Request-Signature Plain sends with body when the
// workspace's HMAC secret is secret: the lowercase hex HMAC-SHA256 of the
// raw body. It is meant for tests of a receiver.
func Sign(body, secret []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// Verify checks signature, the value of the Plain-Request-Signature header,
// against the raw request body, exactly as received (before any decoding),
// in constant time. It returns nil, [ErrNoSecret], [ErrNoSignature] or
// [ErrBadSignature]. Like Plain's TypeScript SDK it accepts only the
// lowercase hex form Plain sends.
func Verify(body []byte, signature string, secret []byte) error {
	if len(secret) == 0 {
		return ErrNoSecret
	}
	if signature == "" {
		return ErrNoSignature
	}
	want := Sign(body, secret)
	// hmac.Equal takes time independent of where the inputs differ; a
	// signature of another length is refused without comparing.
	if !hmac.Equal([]byte(want), []byte(signature)) {
		return ErrBadSignature
	}
	return nil
}
