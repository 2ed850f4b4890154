package plainmock

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// The webhook surface: every type the mock produces and every field of it
// that it answers, Plain's names exactly. A field is answered either by a
// resolver (fieldResolvers, for root fields and anything that needs the
// caller or lazy work) or by the value the object builder below stores
// under the field's name (servedFields). TestServedFieldsMatchBuilders holds
// the builders and this table together, TestSurfaceIsInPlainsSchema holds
// it to the schema. Anything else a valid query selects is refused before
// execution with "plain-mock does not implement Type.field".

// fieldResolvers are the fields computed on demand, keyed "Type.field".
var fieldResolvers = map[string]fieldResolver{
	"Query.myWorkspace":             root((*Server).resolveWorkspace),
	"Query.myPermissions":           root((*Server).resolvePermissions),
	"Query.webhookVersions":         root(needRead((*Server).resolveVersions)),
	"Query.subscriptionEventTypes":  root(needRead((*Server).resolveEventTypes)),
	"Query.webhookTargets":          root(needRead((*Server).resolveTargets)),
	"Query.webhookTarget":           root(needRead((*Server).resolveTarget)),
	"Query.webhookDeliveryAttempts": root(needRead((*Server).resolveDeliveryAttempts)),
	"Query.workspaceHmac":           root(needRead((*Server).resolveWorkspaceHmac)),
	"Query.publicEventRequestBody":  root(needRead((*Server).resolvePublicEventBody)),

	"Mutation.createWebhookTarget":     root((*Server).resolveCreate),
	"Mutation.updateWebhookTarget":     root((*Server).resolveUpdate),
	"Mutation.deleteWebhookTarget":     root((*Server).resolveDelete),
	"Mutation.regenerateWorkspaceHmac": root((*Server).resolveRegenerateHmac),

	// The machine user is built only when a query asks for it.
	"MachineUserActor.machineUser": func(oc *opCtx, _ obj, _ map[string]any) (any, *fieldError) {
		return machineUserObj(oc.ws), nil
	},
}

// servedFields are the fields answered from the object's stored values.
var servedFields = map[string]map[string]bool{
	"Workspace":                              fieldSet("id name publicName isDemoWorkspace domainName domainNames createdBy createdAt updatedBy updatedAt logo workOSOrganizationId workOSHubOrganizationId"),
	"Permissions":                            fieldSet("permissions"),
	"PageInfo":                               fieldSet("hasPreviousPage hasNextPage startCursor endCursor"),
	"DateTime":                               fieldSet("unixTimestamp iso8601"),
	"WebhookVersionConnection":               fieldSet("edges pageInfo"),
	"WebhookVersionEdge":                     fieldSet("cursor node"),
	"WebhookVersion":                         fieldSet("version isDeprecated isLatest"),
	"SubscriptionEventType":                  fieldSet("eventType description"),
	"WebhookTargetConnection":                fieldSet("edges pageInfo"),
	"WebhookTargetEdge":                      fieldSet("cursor node"),
	"WebhookTarget":                          fieldSet("id url description eventSubscriptions version isEnabled createdAt createdBy updatedAt updatedBy"),
	"WebhookTargetEventSubscription":         fieldSet("eventType"),
	"MachineUserActor":                       fieldSet("machineUserId"),
	"MachineUser":                            fieldSet("id fullName publicName description type avatar createdBy createdAt updatedBy updatedAt isDeleted deletedAt deletedBy"),
	"SystemActor":                            fieldSet("systemId workflowExecutionId workflow"),
	"WebhookDeliveryAttemptConnection":       fieldSet("edges pageInfo"),
	"WebhookDeliveryAttemptEdge":             fieldSet("cursor node"),
	"WebhookDeliveryAttempt":                 fieldSet("id webhookTargetId publicEventId publicEventEventType attemptedAt durationInMilliseconds result"),
	"WebhookDeliveryAttemptSuccessfulResult": fieldSet("status httpStatusCode"),
	"WebhookDeliveryAttemptFailedResult":     fieldSet("status httpStatusCode"),
	"WebhookDeliveryAttemptErrorResult":      fieldSet("status errorCode errorMessage"),
	"WebhookDeliveryAttemptRejectedResult":   fieldSet("status rejectedMessage"),
	"WebhookDeliveryAttemptSchemaValidationFailedResult": fieldSet("status errorMessage"),
	"WorkspaceHmac":                 fieldSet("hmacSecret createdAt createdBy updatedAt updatedBy"),
	"CreateWebhookTargetOutput":     fieldSet("webhookTarget error"),
	"UpdateWebhookTargetOutput":     fieldSet("webhookTarget error"),
	"DeleteWebhookTargetOutput":     fieldSet("error"),
	"RegenerateWorkspaceHmacOutput": fieldSet("workspaceHmac error"),
	"MutationError":                 fieldSet("message type code fields"),
	"MutationFieldError":            fieldSet("field message type"),
}

func fieldSet(names string) map[string]bool {
	out := map[string]bool{}
	for _, n := range strings.Fields(names) {
		out[n] = true
	}
	return out
}

// rootResolver is a root field's resolver: arguments in, value out.
type rootResolver func(s *Server, args map[string]any, oc *opCtx) (any, *fieldError)

func root(r rootResolver) fieldResolver {
	return func(oc *opCtx, _ obj, args map[string]any) (any, *fieldError) { return r(oc.s, args, oc) }
}

// needRead guards the webhook queries: like Plain, a key without
// webhookTarget:read gets a FORBIDDEN error for the field. myWorkspace and
// myPermissions stay open so a client can always find out what it may do.
func needRead(r rootResolver) rootResolver {
	return func(s *Server, args map[string]any, oc *opCtx) (any, *fieldError) {
		if !oc.perms[plain.PermRead] {
			return nil, &fieldError{msg: "Forbidden: the API key lacks the permission " + plain.PermRead + ".", code: codeForbidden}
		}
		return r(s, args, oc)
	}
}

// --- object builders -------------------------------------------------------

var workspaceCreatedAt = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func dateTimeObj(t time.Time) obj {
	return obj{
		"__typename":    "DateTime",
		"iso8601":       t.UTC().Format(isoMillis),
		"unixTimestamp": strconv.FormatInt(t.UnixMilli(), 10),
	}
}

// systemActor is Plain itself: it created the workspace and its machine
// user.
var systemActor = obj{"__typename": "SystemActor", "systemId": "system", "workflowExecutionId": nil, "workflow": nil}

// machineUserID is the id of the machine user behind the workspace's API
// keys. Plain's API keys belong to machine users, and every write through
// the API is attributed to one; the mock has one per workspace, with an id
// derived from the workspace's so it is stable across runs. Plain
// documents no prefix for machine users; the id has Plain's id shape (a
// prefix, _, 26 Crockford characters: hex digits are among them) and
// nothing relies on "mu_".
func machineUserID(w *workspace) string {
	sum := sha256.Sum256([]byte("plain-mock machine user " + w.info.ID))
	return "mu_" + strings.ToUpper(hex.EncodeToString(sum[:13]))
}

// machineUserActor is who created and updated every target: the API key's
// machine user, as Plain reports for API-created targets.
func machineUserActor(w *workspace) obj {
	return obj{"__typename": "MachineUserActor", "machineUserId": machineUserID(w)}
}

func machineUserObj(w *workspace) obj {
	return obj{
		"__typename":  "MachineUser",
		"id":          machineUserID(w),
		"fullName":    "plain-mock API key",
		"publicName":  "plain-mock",
		"description": "The machine user behind plain-mock's API keys.",
		"type":        "API_USER",
		"avatar":      nil,
		"createdBy":   systemActor,
		"createdAt":   dateTimeObj(workspaceCreatedAt),
		"updatedBy":   systemActor,
		"updatedAt":   dateTimeObj(workspaceCreatedAt),
		"isDeleted":   false,
		"deletedAt":   nil,
		"deletedBy":   nil,
	}
}

func workspaceObj(w *workspace) obj {
	return obj{
		"__typename":              "Workspace",
		"id":                      w.info.ID,
		"name":                    w.info.Name,
		"publicName":              w.info.Name,
		"isDemoWorkspace":         false,
		"domainName":              nil,
		"domainNames":             []string{},
		"createdBy":               systemActor,
		"createdAt":               dateTimeObj(workspaceCreatedAt),
		"updatedBy":               systemActor,
		"updatedAt":               dateTimeObj(workspaceCreatedAt),
		"logo":                    nil,
		"workOSOrganizationId":    nil,
		"workOSHubOrganizationId": nil,
	}
}

func targetObj(w *workspace, t plain.Target) obj {
	subs := make([]obj, len(t.EventTypes))
	for i, et := range t.EventTypes {
		subs[i] = obj{"__typename": "WebhookTargetEventSubscription", "eventType": et}
	}
	actor := machineUserActor(w)
	return obj{
		"__typename":         "WebhookTarget",
		"id":                 t.ID,
		"url":                t.URL,
		"description":        t.Description,
		"eventSubscriptions": subs,
		"version":            t.Version,
		"isEnabled":          t.Enabled,
		"createdAt":          dateTimeObj(t.CreatedAt),
		"updatedAt":          dateTimeObj(t.UpdatedAt),
		"createdBy":          actor,
		"updatedBy":          actor,
	}
}

func hmacObj(w *workspace) obj {
	if w.hmac == nil {
		return nil
	}
	actor := machineUserActor(w)
	return obj{
		"__typename": "WorkspaceHmac",
		"hmacSecret": w.hmac.Secret,
		"createdAt":  dateTimeObj(w.hmac.CreatedAt),
		"createdBy":  actor,
		"updatedAt":  dateTimeObj(w.hmac.UpdatedAt),
		"updatedBy":  actor,
	}
}
