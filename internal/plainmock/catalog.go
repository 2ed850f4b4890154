package plainmock

//go:generate go run ../eventtypes/gen -in ../plainschema/webhook-event-schema.json -descriptions event-descriptions.tsv -out eventcatalog.go

import "github.com/plainsync/plainsync/internal/plain"

// versionCatalog is the webhookVersions answer, newest first as Plain lists
// them: only versions there is evidence for, and flags only as that
// evidence sets them.
//
//   - 2026-05-06, 2025-08-06, 2025-07-30, 2024-09-18 and unversioned are the
//     versions Plain's webhook versions page lists (plain.com/docs/webhooks/
//     versions), 2026-05-06 marked "(Latest)".
//   - 2026-04-21 and 2026-02-27 are the webhookMetadata.webhookTargetVersion
//     consts of the payload schemas Plain ships (packages/webhooks in
//     team-plain/sdk, and @team-plain/typescript-sdk 5.12.1, which verifies
//     only 2026-02-27): versions the live webhookVersions query knows although
//     the page does not list them.
//   - isDeprecated: the page calls no dated version deprecated ("the
//     currently available versions"), so none is. unversioned is "the legacy
//     webhook payload schema before versioning was implemented", followed by
//     an upgrade guide: the case WebhookVersion.isDeprecated describes
//     ("targets pinned to it should be migrated to a newer version"), so it
//     alone is deprecated.
var versionCatalog = []plain.WebhookVersion{
	{Version: "2026-05-06", IsLatest: true},
	{Version: "2026-04-21"},
	{Version: "2026-02-27"},
	{Version: "2025-08-06"},
	{Version: "2025-07-30"},
	{Version: "2024-09-18"},
	{Version: "unversioned", IsDeprecated: true},
}

// latestVersion is the built-in catalog's newest version.
func latestVersion() string {
	for _, w := range versionCatalog {
		if w.IsLatest {
			return w.Version
		}
	}
	return versionCatalog[0].Version
}
