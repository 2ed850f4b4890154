package plainmock

import "github.com/plainsync/plainsync/internal/plain"

// eventCatalog is the subscriptionEventTypes answer: the 30 event types of
// Plain's latest webhook payload schema, in Plain's alphabetical order.
var eventCatalog = []plain.EventType{
	{EventType: "customer.customer_changed", Description: "A customer was created, updated or deleted."},
	{EventType: "customer.customer_created", Description: "A customer was created."},
	{EventType: "customer.customer_deleted", Description: "A customer was deleted."},
	{EventType: "customer.customer_group_changed", Description: "A customer group was created, updated or deleted."},
	{EventType: "customer.customer_group_memberships_changed", Description: "A customer joined or left a customer group."},
	{EventType: "customer.customer_updated", Description: "A customer's details were updated."},
	{EventType: "thread.chat_received", Description: "A chat message was received from a customer."},
	{EventType: "thread.chat_sent", Description: "A chat message was sent to a customer."},
	{EventType: "thread.discord_message_received", Description: "A Discord message was received in a thread."},
	{EventType: "thread.discord_message_sent", Description: "A Discord message was sent from a thread."},
	{EventType: "thread.discord_message_updated", Description: "A Discord message in a thread was edited."},
	{EventType: "thread.email_received", Description: "An email was received in a thread."},
	{EventType: "thread.email_sent", Description: "An email was sent from a thread."},
	{EventType: "thread.ms_teams_message_received", Description: "A Microsoft Teams message was received in a thread."},
	{EventType: "thread.ms_teams_message_sent", Description: "A Microsoft Teams message was sent from a thread."},
	{EventType: "thread.note_created", Description: "An internal note was added to a thread."},
	{EventType: "thread.service_level_agreement_status_transitioned", Description: "A thread's SLA changed status (for example breached)."},
	{EventType: "thread.slack_message_received", Description: "A Slack message was received in a thread."},
	{EventType: "thread.slack_message_sent", Description: "A Slack message was sent from a thread."},
	{EventType: "thread.slack_message_updated", Description: "A Slack message in a thread was edited."},
	{EventType: "thread.thread_assignment_transitioned", Description: "A thread was assigned, reassigned or unassigned."},
	{EventType: "thread.thread_created", Description: "A thread was created."},
	{EventType: "thread.thread_field_created", Description: "A thread field was set for the first time."},
	{EventType: "thread.thread_field_deleted", Description: "A thread field was removed."},
	{EventType: "thread.thread_field_updated", Description: "A thread field's value changed."},
	{EventType: "thread.thread_labels_changed", Description: "Labels were added to or removed from a thread."},
	{EventType: "thread.thread_priority_changed", Description: "A thread's priority changed."},
	{EventType: "thread.thread_status_transitioned", Description: "A thread moved between statuses (todo, snoozed, done)."},
	{EventType: "thread.thread_tenant_updated", Description: "A thread's tenant changed."},
	{EventType: "timeline.timeline_entry_changed", Description: "A timeline entry was created, updated or deleted."},
}

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
