// Package webhook receives Plain's webhook deliveries in Go: it verifies
// the Plain-Request-Signature of each request, parses the event, rejects
// stale or replayed attempts and calls your function once per event.
//
// Plain (https://www.plain.com) POSTs every event to each subscribed
// webhook target as JSON and, when the workspace has an HMAC secret, signs
// the raw body: Plain-Request-Signature is the lowercase hex HMAC-SHA256 of
// the body keyed with that secret (Plain's request-signing docs; the secret
// is workspaceHmac.hmacSecret in Plain's GraphQL API). Plain's own verifier,
// verifyPlainWebhook in @team-plain/typescript-sdk, additionally refuses a
// body whose webhookMetadata.webhookDeliveryAttemptTimestamp is more than
// 300 seconds from now (either way). This package does the same in Go,
// comparing signatures in constant time.
//
// The pieces can be used alone:
//
//   - [Verify] checks a signature against the raw body.
//   - [Parse] decodes a body into an [Event]: id, type, timestamp,
//     workspace, the per-attempt webhook metadata, and the payload raw.
//   - [NewHandler] is a [net/http.Handler] doing everything in order:
//     method, size limit, signature, parsing, timestamp tolerance, an
//     optional schema check ([WithValidator]) and duplicate check
//     ([WithDeduper]), then your function. It answers the way Plain's
//     retries expect: 2xx once the event is handled (or was already), 4xx
//     for a request that will never be accepted, 500 when your function
//     fails, so that Plain tries again later.
//
// Plain delivers at least once: a failed attempt is retried (10 s, 30 s,
// 5 min, … about 5 days in all, Plain's webhooks docs) with the same event
// id and a new attempt id, number and timestamp. The event id (the body's
// id and the Plain-Event-Id header) is the idempotency key.
//
// The package uses only the standard library and embeds no payload schema:
// Plain ships one JSON Schema per webhook version, and a receiver that
// wants them checks bodies with its own validator through [WithValidator].
package webhook
