// Package schema embeds the JSON Schemas of the desired-state file (so the
// binary validates files offline with exactly the schema editors see) and
// of every -o json document (output/, see output.go).
package schema

import _ "embed"

// JSON is the content of webhooks.schema.json (JSON Schema draft 2020-12).
//
//go:embed webhooks.schema.json
var JSON []byte

// ID is the schema's $id; the validator registers JSON under it so that no
// reference ever resolves over the network.
const ID = "https://raw.githubusercontent.com/plainsync/plainsync/main/schema/webhooks.schema.json"
