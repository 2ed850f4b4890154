package schema

import "embed"

// Output holds the JSON Schemas (draft 2020-12) of plainsync's -o json
// documents, one per command, as output/<command>.schema.json. Each
// schema's $id is OutputBase followed by its file name.
//
//go:embed output/*.schema.json
var Output embed.FS

// OutputBase is the $id prefix of the output schemas.
const OutputBase = "https://raw.githubusercontent.com/plainsync/plainsync/main/schema/output/"
