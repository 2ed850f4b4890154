package schema

import _ "embed"

// PolicyJSON is the content of policy.schema.json, the JSON Schema of
// plainsync policy files (--policy), draft 2020-12.
//
//go:embed policy.schema.json
var PolicyJSON []byte

// PolicyID is policy.schema.json's $id (see ID).
const PolicyID = "https://raw.githubusercontent.com/plainsync/plainsync/main/schema/policy.schema.json"
