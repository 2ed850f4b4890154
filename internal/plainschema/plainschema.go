// Package plainschema is the repository's one copy of the schemas Plain
// publishes: its public GraphQL schema and the JSON Schemas of the webhook
// payloads it delivers. plain-mock validates every request and every
// delivery body with them, the api package checks its documents against
// them, and eventtypes snapshots the event types from them; all read these
// bytes, so a clone of the repository alone builds and tests. README.md
// beside this file names each file's upstream, commit and date, and how to
// refresh them.
package plainschema

import _ "embed"

// GraphQL is Plain's complete public GraphQL schema (SDL), verbatim:
// packages/graphql/src/schema.graphql of github.com/team-plain/sdk.
//
//go:embed schema.graphql
var GraphQL string

// PayloadLatest is the JSON Schema (draft 7) of the webhook event payloads
// of version 2026-04-21, verbatim: packages/webhooks/src/webhook-schema.json
// of github.com/team-plain/sdk.
//
//go:embed webhook-event-schema.json
var PayloadLatest []byte

// Payload20260227 is the same for version 2026-02-27: the schema
// @team-plain/typescript-sdk 5.12.1 bundles (src/webhooks/webhook-schema.json)
// and verifies every delivery against.
//
//go:embed webhook-event-schema-2026-02-27.json
var Payload20260227 []byte

// Payloads lists every payload schema, keyed by file name. Each file
// carries its own webhook version as the const of
// definitions.webhookMetadata.properties.webhookTargetVersion.
func Payloads() map[string][]byte {
	return map[string][]byte{
		"webhook-event-schema.json":            PayloadLatest,
		"webhook-event-schema-2026-02-27.json": Payload20260227,
	}
}
