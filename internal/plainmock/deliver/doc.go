// Package deliver makes plain-mock's real webhook deliveries, the way
// Plain documents them: a body generated from Plain's published payload
// schema for the target's pinned version (the repository's copies in
// internal/plainschema) and checked against it,
// Plain's headers, Authorization: Basic from URL credentials,
// Plain-Request-Signature (hex HMAC-SHA256 of the raw body), a per-attempt
// timeout and Plain's 12-step retry schedule.
//
// It only ever connects to loopback: CheckURL refuses any other URL before
// a request is built, and the dialer refuses any other address whatever
// reaches it, so a test run can never post events to a real integration.
//
// The package knows nothing of workspaces or storage: an Engine is wired to
// them through Config's Secret, Lookup and Record callbacks (package
// plainmock does that).
package deliver
