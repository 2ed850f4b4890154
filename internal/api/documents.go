package api

import (
	"fmt"
	"strings"
)

// Every GraphQL document plainsync sends lives here as a named constant so
// that TestDocumentsValidateAgainstPlainSchema can check each one against
// Plain's published schema; a typo in a field name then fails a unit test
// instead of a user's apply.

// PageSize is the page size plainsync asks for: Plain's maximum for `first`.
const PageSize = 100

const fragTarget = `
fragment WebhookTargetFields on WebhookTarget {
  id
  url
  description
  eventSubscriptions { eventType }
  version
  isEnabled
  createdAt { iso8601 }
  updatedAt { iso8601 }
}
`

const fragTargetPage = `
fragment WebhookTargetPage on WebhookTargetConnection {
  edges { node { ...WebhookTargetFields } }
  pageInfo { hasNextPage endCursor }
}
`

const fragVersionPage = `
fragment WebhookVersionPage on WebhookVersionConnection {
  edges { node { version isDeprecated isLatest } }
  pageInfo { hasNextPage endCursor }
}
`

const fragMutationError = `
fragment MutationErrorFields on MutationError {
  message
  type
  code
  fields { field message type }
}
`

// docSnapshot reads everything a plan needs in one round trip: workspace,
// permissions, catalog and the first page of targets.
const docSnapshot = `query Snapshot($first: Int!) {
  myWorkspace { id name }
  myPermissions { permissions }
  webhookVersions(first: $first) { ...WebhookVersionPage }
  subscriptionEventTypes { eventType description }
  webhookTargets(first: $first) { ...WebhookTargetPage }
}
` + fragVersionPage + fragTargetPage + fragTarget

const docWorkspace = `query Workspace {
  myWorkspace { id name }
}
`

const docPermissions = `query Permissions {
  myPermissions { permissions }
}
`

const docWebhookVersions = `query WebhookVersions($first: Int!, $after: String) {
  webhookVersions(first: $first, after: $after) { ...WebhookVersionPage }
}
` + fragVersionPage

const docEventTypes = `query EventTypes {
  subscriptionEventTypes { eventType description }
}
`

const docListWebhookTargets = `query ListWebhookTargets($first: Int!, $after: String) {
  webhookTargets(first: $first, after: $after) { ...WebhookTargetPage }
}
` + fragTargetPage + fragTarget

const docGetWebhookTarget = `query GetWebhookTarget($id: ID!) {
  webhookTarget(webhookTargetId: $id) { ...WebhookTargetFields }
}
` + fragTarget

const docCreateWebhookTarget = `mutation CreateWebhookTarget($input: CreateWebhookTargetInput!) {
  createWebhookTarget(input: $input) {
    webhookTarget { ...WebhookTargetFields }
    error { ...MutationErrorFields }
  }
}
` + fragTarget + fragMutationError

const docUpdateWebhookTarget = `mutation UpdateWebhookTarget($input: UpdateWebhookTargetInput!) {
  updateWebhookTarget(input: $input) {
    webhookTarget { ...WebhookTargetFields }
    error { ...MutationErrorFields }
  }
}
` + fragTarget + fragMutationError

const docDeleteWebhookTarget = `mutation DeleteWebhookTarget($input: DeleteWebhookTargetInput!) {
  deleteWebhookTarget(input: $input) {
    error { ...MutationErrorFields }
  }
}
` + fragMutationError

// The result union's members share field names with different meanings, so
// each member is asked for by fragment and told apart by __typename.
const docListDeliveryAttempts = `query ListDeliveryAttempts($targetId: ID!, $filters: WebhookDeliveryAttemptFilter, $first: Int!, $after: String) {
  webhookDeliveryAttempts(webhookTargetId: $targetId, filters: $filters, first: $first, after: $after) {
    edges {
      node {
        id
        webhookTargetId
        publicEventId
        publicEventEventType
        attemptedAt { iso8601 }
        durationInMilliseconds
        result {
          __typename
          ... on WebhookDeliveryAttemptSuccessfulResult { httpStatusCode }
          ... on WebhookDeliveryAttemptFailedResult { httpStatusCode }
          ... on WebhookDeliveryAttemptErrorResult { errorCode errorMessage }
          ... on WebhookDeliveryAttemptRejectedResult { rejectedMessage }
          ... on WebhookDeliveryAttemptSchemaValidationFailedResult { errorMessage }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`

const fragAttemptPage = `
fragment DeliveryAttemptPage on WebhookDeliveryAttemptConnection {
  edges {
    node {
      id
      webhookTargetId
      publicEventId
      publicEventEventType
      attemptedAt { iso8601 }
      durationInMilliseconds
      result {
        __typename
        ... on WebhookDeliveryAttemptSuccessfulResult { httpStatusCode }
        ... on WebhookDeliveryAttemptFailedResult { httpStatusCode }
        ... on WebhookDeliveryAttemptErrorResult { errorCode errorMessage }
        ... on WebhookDeliveryAttemptRejectedResult { rejectedMessage }
        ... on WebhookDeliveryAttemptSchemaValidationFailedResult { errorMessage }
      }
    }
  }
  pageInfo { hasNextPage endCursor }
}
`

// MaxAttemptAliases is how many targets one DeliveryAttemptsBatch request
// asks about: 25, Plain's maximum number of webhook targets per workspace
// (error code too_many_webhook_targets, Plain's error-codes reference), so
// one request covers a whole workspace. Plain publishes no alias or
// complexity limit for its GraphQL API; a bounded chunk keeps each
// response bounded too (25 pages of at most PageSize attempts).
const MaxAttemptAliases = 25

// docAttemptsBatch holds DeliveryAttemptsBatch for 1..MaxAttemptAliases
// aliases, built once.
var docAttemptsBatch = func() []string {
	docs := make([]string, MaxAttemptAliases+1)
	for n := 1; n <= MaxAttemptAliases; n++ {
		docs[n] = buildAttemptsBatch(n)
	}
	return docs
}()

// buildAttemptsBatch is DeliveryAttemptsBatch with n aliases t0…t(n-1),
// one per target: webhookDeliveryAttempts of $id<i> from $after<i>, at most
// $first<i> of them, under the filters all share.
func buildAttemptsBatch(n int) string {
	var b strings.Builder
	b.WriteString("query DeliveryAttemptsBatch($filters: WebhookDeliveryAttemptFilter")
	for i := range n {
		fmt.Fprintf(&b, ", $id%d: ID!, $first%d: Int!, $after%d: String", i, i, i)
	}
	b.WriteString(") {\n")
	for i := range n {
		fmt.Fprintf(&b, "  t%d: webhookDeliveryAttempts(webhookTargetId: $id%d, filters: $filters, first: $first%d, after: $after%d) { ...DeliveryAttemptPage }\n", i, i, i, i)
	}
	b.WriteString("}\n")
	b.WriteString(fragAttemptPage)
	return b.String()
}

// AttemptsBatchDocument is the DeliveryAttemptsBatch document for n
// targets (1 ≤ n ≤ MaxAttemptAliases), for validation in tests.
func AttemptsBatchDocument(n int) string { return docAttemptsBatch[n] }

// Documents returns every GraphQL document the client sends, by operation
// name, for validation in tests and by tools. DeliveryAttemptsBatch is its
// largest form; AttemptsBatchDocument gives each smaller one.
func Documents() map[string]string {
	return map[string]string{
		"Snapshot":              docSnapshot,
		"Workspace":             docWorkspace,
		"Permissions":           docPermissions,
		"WebhookVersions":       docWebhookVersions,
		"EventTypes":            docEventTypes,
		"ListWebhookTargets":    docListWebhookTargets,
		"GetWebhookTarget":      docGetWebhookTarget,
		"CreateWebhookTarget":   docCreateWebhookTarget,
		"UpdateWebhookTarget":   docUpdateWebhookTarget,
		"DeleteWebhookTarget":   docDeleteWebhookTarget,
		"ListDeliveryAttempts":  docListDeliveryAttempts,
		"DeliveryAttemptsBatch": docAttemptsBatch[MaxAttemptAliases],
		// events.go
		"PublicEventRequestBody": docPublicEventRequestBody,
		"WorkspaceHmac":          docWorkspaceHmac,
	}
}
