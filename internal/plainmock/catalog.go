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
// them. The dates between 2025-07-30 and 2024-09-18 are plausible stand-ins
// for Plain's intermediate releases.
var versionCatalog = []plain.WebhookVersion{
	{Version: "2026-05-06", IsLatest: true},
	{Version: "2026-04-21"}, // webhook-event-schema.json's own version
	{Version: "2026-02-27"}, // the one @team-plain/typescript-sdk 5.12.1 verifies
	{Version: "2025-08-06"},
	{Version: "2025-07-30"},
	{Version: "2025-03-12"},
	{Version: "2024-12-04"},
	{Version: "2024-09-18", IsDeprecated: true},
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
