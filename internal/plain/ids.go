package plain

import "regexp"

// Plain's ids are a camel-case type prefix, _, and a 26-character ULID in
// Crockford base32. The shape is the id pattern of Plain's webhook payload
// schema (internal/plainschema/webhook-event-schema.json, definitions.id:
// ^[a-zA-Z]+_[0123456789ABCDEFGHJKMNPQRSTVWXYZ]{26}$); the prefixes below
// are the ones Plain's docs and SDK fixtures show for each object, e.g.
// whTarget_01HD4400VTDJQ646V6RY37SR7K. Nothing else about an id is
// documented, so plainsync relies on nothing else: it never parses an id,
// and only the desired file's id: pin checks the target prefix.
const (
	// TargetIDPrefix starts a webhook target's id.
	TargetIDPrefix = "whTarget_"
	// AttemptIDPrefix starts a webhook delivery attempt's id.
	AttemptIDPrefix = "whAttempt_"
	// EventIDPrefix starts a public event's id (a delivery body's id and
	// its Plain-Event-Id header).
	EventIDPrefix = "pEv_"

	// ExampleTargetID is the target id of Plain's docs, for messages.
	ExampleTargetID = "whTarget_01HD4400VTDJQ646V6RY37SR7K"
)

// IDShape is the id pattern of Plain's payload schema; its group is the
// type prefix (without the _).
var IDShape = regexp.MustCompile(`^([a-zA-Z]+)_[0123456789ABCDEFGHJKMNPQRSTVWXYZ]{26}$`)
