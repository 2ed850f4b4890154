// Package plainmock is a local stand-in for the webhook-target part of
// Plain's GraphQL API, so that plainsync's tests, the README demo and users'
// own CI run without a Plain account. cmd/plain-mock wraps it in a binary.
//
// # What it serves
//
// POST /graphql/v1; GET /healthz answers "ok". Every request is parsed and
// validated with gqlparser against Plain's full schema (verbatim, from the
// repository's copy in internal/plainschema), so validation errors are the
// ones Plain's schema gives. What executes is the webhook surface:
//
//   - queries webhookTargets, webhookTarget, webhookVersions,
//     subscriptionEventTypes, webhookDeliveryAttempts, publicEventRequestBody,
//     myWorkspace, myPermissions and workspaceHmac;
//   - mutations createWebhookTarget, updateWebhookTarget,
//     deleteWebhookTarget and regenerateWorkspaceHmac;
//   - every field of the objects these return: all of WebhookTarget's,
//     createdBy/updatedBy as the InternalActor union member
//     MachineUserActor (with machineUser, the workspace's machine user, as
//     Plain attributes API-key writes), DateTime { iso8601 unixTimestamp },
//     the delivery-attempt result union, MutationError, WorkspaceHmac, and
//     Workspace except its email and chat settings.
//
// The executor is generic (exec.go): a resolver map keyed "Type.field"
// (surface.go) plus plain values on resolved objects, completion by the
// schema's types, unions and interfaces through the object's concrete type,
// null propagation as the spec says. So __typename anywhere, fragments,
// inline fragments on unions and interfaces, aliases, several operations
// with operationName, variables with defaults and @include/@skip all work
// for any client, Plain's TypeScript SDK included (interop/plain-sdk runs it).
// A valid query that selects anything outside the surface, say
// Query.customers or Workspace.workspaceChatSettings, is refused before
// anything runs with one error: HTTP 400, extensions.code
// PLAIN_MOCK_NOT_IMPLEMENTED, "plain-mock does not implement
// Query.customers." Selections under union members the mock never
// produces (... on CustomerActor in createdBy) are valid and simply never
// apply.
//
// # Plain's documented rules
//
// Config.RefuseInvalidHosts (--refuse-invalid-hosts, off by default) makes
// create and update refuse a URL whose host is in the reserved .invalid
// domain with a VALIDATION error on url: a stand-in for a service that
// checks its targets' hosts, for testing clients (plainsync's apply lease
// points at such a host) against it. Whether Plain checks hosts is not
// documented, so it is an option, not the default.
//
// A workspace holds at most 25 targets (Config.MaxTargets, --max-targets):
// the 26th createWebhookTarget answers a MutationError with type VALIDATION,
// code "too_many_webhook_targets" (Plain's error-codes reference: "The
// maximum number of webhook targets has been reached"), no fields and a
// message that opens with that text and names the limit. URLs with
// Basic-auth user info (https://user:pass@host/…), which Plain supports,
// are accepted by create and update and stored and returned verbatim,
// percent-encoding included; no error message ever quotes a URL. workspaceHmac is null until regenerateWorkspaceHmac (which
// needs webhookTarget:edit, an assumption: Plain does not document the
// permission) makes a random 64-hex-digit secret; the state file keeps it.
//
// # How it fails, like Plain
//
//   - syntax error: HTTP 400, extensions.code GRAPHQL_PARSE_FAILED
//   - unknown field, bad fragment, …: HTTP 400, GRAPHQL_VALIDATION_FAILED
//   - variables that do not coerce: HTTP 400, BAD_USER_INPUT
//   - first/last outside 0..100, a bad cursor, or forward (first, after)
//     and backward (last, before) arguments mixed in one field, which
//     Plain's pagination docs make a validation error: HTTP 200,
//     BAD_USER_INPUT on the field (data is null when the field is non-null)
//   - missing or unknown Bearer key: HTTP 401, UNAUTHENTICATED
//   - a webhook query (workspaceHmac and publicEventRequestBody included)
//     without webhookTarget:read: HTTP 403, FORBIDDEN on the field, its
//     message naming the permission, what did resolve still in data
//     (myWorkspace and myPermissions need no permission). Plain's SDKs know a
//     missing permission by that status: @team-plain/typescript-sdk answers
//     { type: 'forbidden', message } for it, @team-plain/graphql throws
//     ForbiddenError
//   - a mutation without webhookTarget:create/edit/delete: HTTP 200 with
//     error { type: FORBIDDEN code: "forbidden" }, which the SDK also turns
//     into { type: 'forbidden', message }; invalid input (URL,
//     unknown event type or version, empty description) or an unknown id:
//     error { type: VALIDATION code: "input_validation" fields { field
//     message type } }, the field type NOT_FOUND for ids.
//
// Every response carries x-ratelimit-limit, x-ratelimit-remaining and
// x-ratelimit-reset (ISO-8601, end of the key's fixed one-minute window).
//
// # Workspaces
//
// One Server serves many workspaces and, as on Plain, the API key decides
// which one a request sees: Config.Keys (--key KEY) belong to the primary
// workspace (Config.Workspace, --workspace-id), Config.WorkspaceKeys
// (--key KEY@WORKSPACE_ID) to the workspace with that id, created empty
// when neither the state file nor Config names it. Each workspace has its
// own targets, delivery attempts, event-type and version catalog, HMAC
// secret (WorkspaceHMAC, SetWorkspaceHMAC) and, since rate-limit windows are
// per key, its own rate-limit budget. A key never sees or changes another
// workspace's targets: get answers null, update and delete NOT_FOUND.
// Server methods ending in In (PutTargetIn, TargetsIn,
// AddDeliveryAttemptsIn, SimulateDeliveriesIn) take a workspace id, "" for
// the primary; the ones without In act on the primary.
//
// Ids have Plain's shape: targets get whTarget_, delivery attempts
// whAttempt_ and events pEv_, each followed by a monotonic ULID
// (github.com/oklog/ulid/v2); DateTimes have milliseconds; create without a
// version gets the latest; update changes only the fields given (and writes
// nothing when they equal the current values). Listings are Relay
// connections with opaque base64 cursors, 25 per page by default, at most
// 100. Delivery attempts come from the state file, AddDeliveryAttempts or
// SimulateDeliveries (every one of the five result kinds), newest first,
// filterable by eventTypes and resultStatus.
//
// # State
//
// With Config.StatePath (--state FILE) the workspaces, keys, targets and
// delivery attempts are loaded at start and the whole file is rewritten
// atomically (temporary file, fsync, rename) after changes, and only then:
// read-only traffic leaves it byte-identical. A mutation is answered only
// once its state is on disk, so a kill -9 loses nothing acknowledged;
// delivery attempts are written in batches (with the next mutation or at
// most 50 ms later, and before an emit answers), so that deliveries keep
// their rate as the file grows. A missing file is created on
// the first change. Hand-written files may omit target ids, timestamps and
// versions; they are filled in and written back once. Format:
//
//	{"workspace": {"id": "w_…", "name": "…"},
//	 "keys": {"plainApiKey_ci": ["webhookTarget:read"]},
//	 "hmac": {"hmacSecret": "…", "createdAt": "…", "updatedAt": "…"},
//	 "targets": [{"url": "https://…", "description": "crm-sync",
//	              "eventTypes": ["thread.thread_created"], "version": "2026-05-06", "enabled": true}],
//	 "deliveryAttempts": [{"webhookTargetId": "whTarget_…", "eventType": "…", "result": "failed_response", "httpStatusCode": 503}],
//	 "workspaces": [{"workspace": {"id": "w_eu", "name": "EU"}, "keys": {…}, "targets": […], "deliveryAttempts": […],
//	                 "eventTypes": [{"eventType": "…", "description": "…"}], "webhookVersions": [{"version": "…", "isLatest": true}]}]}
//
// The top level is the primary workspace, in exactly the format of the
// single-workspace files of earlier versions (which load unchanged);
// "workspaces" lists the others. "hmac", "eventTypes", "webhookVersions"
// and "publicEvents" are optional in every record: without a catalog a
// workspace uses the built-in one, without "hmac" it has no signing secret.
// "publicEvents" ([{"id": "pEv_…", "createdAt": "…", "body": "…"}]) are the
// delivered bodies publicEventRequestBody answers, dropped from the file
// once 30 days old. Keys come from
// Config and the state file (each key in one workspace); with none at all,
// the only key is DefaultKey with every permission on the primary.
//
// Listings cost O(log n + page): targets are kept in listing order and a
// cursor's place is found by binary search, so benchmarks measure the
// client, not the mock.
//
// # Real deliveries
//
// POST /mock/v1/events (Server.Emit) makes events happen in the key's
// workspace and delivers each, through package deliver, to every enabled
// target subscribed to its type: schema-valid signed bodies with Plain's
// headers, to loopback receivers only, retried on Plain's schedule
// (DeliveryConfig.Schedule), every attempt recorded as a delivery attempt
// and persisted. publicEventRequestBody(publicEventId) answers the exact
// body of the event's latest attempt (kept in the state file as
// "publicEvents"), null for an event plain-mock never delivered and, as the
// schema's comment says of Plain, once the event is 30 days old on the
// server's clock (PublicEventRetention). POST /mock/v1/age-attempts
// (Server.AgeAttempts) moves the recorded attempts and event bodies into
// the past so that health windows move on and events expire. Close stops
// scheduled retries.
//
// # Fault injection
//
// Latency (--latency), a per-key rate limit (--rate-limit 450/min: HTTP 429,
// RATE_LIMITED body, Retry-After), a fail rate (--fail-rate: HTTP 502 with an
// HTML body before anything runs) and drop-after-commit (--drop-after-commit:
// a mutation is applied and persisted, then the connection is closed without
// an answer). Decisions come from a math/rand/v2 source seeded with
// Config.Seed (--seed), so a test's faults are reproducible; SetFaults
// changes them while running.
//
// # Usage
//
//	plain-mock --state ./plain-state.json --url-file ./plain-mock.url &
//	export PLAIN_API_URL=$(cat ./plain-mock.url) PLAIN_API_KEY=plainApiKey_mock
//
//	curl -s "$PLAIN_API_URL" -H "Authorization: Bearer $PLAIN_API_KEY" -H 'Content-Type: application/json' \
//	  -d '{"query":"{ myWorkspace { id name } webhookTargets(first: 100) { edges { node { id description url } } pageInfo { hasNextPage endCursor } } }"}'
//
//	curl -s "$PLAIN_API_URL" -H "Authorization: Bearer $PLAIN_API_KEY" -H 'Content-Type: application/json' \
//	  -d '{"query":"mutation($i: CreateWebhookTargetInput!) { createWebhookTarget(input: $i) { webhookTarget { id version } error { message fields { field message } } } }",
//	       "variables":{"i":{"url":"https://example.com/hook","description":"demo","eventSubscriptions":[{"eventType":"thread.thread_created"}],"isEnabled":true}}}'
//
// # Running your own client against it
//
// Start plain-mock, then point the client's API URL at the printed (or
// --url-file) endpoint and use one of its keys; nothing else changes. With
// Plain's TypeScript SDK:
//
//	plain-mock --key plainApiKey_dev --url-file /tmp/plain-mock.url &
//	const plain = new PlainClient({ apiKey: 'plainApiKey_dev', apiUrl: fs.readFileSync('/tmp/plain-mock.url', 'utf8').trim() });
//	const { data, error } = await plain.getWebhookTargets({ first: 10 });
//
// interop/plain-sdk/interop.mjs is a complete example (make interop runs it).
//
// In Go tests: srv, _ := plainmock.New(plainmock.Config{Seed: 1}); then
// httptest.NewServer(srv) and point the client at URL + "/graphql/v1".
package plainmock
