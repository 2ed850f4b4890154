package api

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// Wire shapes of the documents in documents.go.

type wireTime struct {
	ISO8601 string `json:"iso8601"`
}

// t parses the timestamp. A malformed or missing one becomes the zero time:
// timestamps are informational and must not block a plan or an apply.
func (w *wireTime) t() time.Time {
	if w == nil {
		return time.Time{}
	}
	ts, err := time.Parse(time.RFC3339Nano, w.ISO8601)
	if err != nil {
		return time.Time{}
	}
	return ts
}

type wireTarget struct {
	ID                 string `json:"id"`
	URL                string `json:"url"`
	Description        string `json:"description"`
	EventSubscriptions []struct {
		EventType string `json:"eventType"`
	} `json:"eventSubscriptions"`
	Version   string    `json:"version"`
	IsEnabled bool      `json:"isEnabled"`
	CreatedAt *wireTime `json:"createdAt"`
	UpdatedAt *wireTime `json:"updatedAt"`
}

func (w *wireTarget) target() plain.Target {
	events := make([]string, 0, len(w.EventSubscriptions))
	for _, s := range w.EventSubscriptions {
		events = append(events, s.EventType)
	}
	return plain.Target{
		ID:          w.ID,
		URL:         w.URL,
		Description: w.Description,
		EventTypes:  plain.SortedUnique(events),
		Version:     w.Version,
		Enabled:     w.IsEnabled,
		CreatedAt:   w.CreatedAt.t(),
		UpdatedAt:   w.UpdatedAt.t(),
	}
}

type wireWorkspace struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type wirePermissions struct {
	Permissions []string `json:"permissions"`
}

// Snapshot reads everything a plan needs. The workspace, permissions,
// catalog and first pages ride in one request; only further pages of
// targets (and of versions, if Plain ever has more than 100) cost more.
func (c *Client) Snapshot(ctx context.Context) (*plain.Snapshot, error) {
	readAt := time.Now()
	var resp struct {
		MyWorkspace            *wireWorkspace             `json:"myWorkspace"`
		MyPermissions          wirePermissions            `json:"myPermissions"`
		WebhookVersions        page[plain.WebhookVersion] `json:"webhookVersions"`
		SubscriptionEventTypes []plain.EventType          `json:"subscriptionEventTypes"`
		WebhookTargets         *page[wireTarget]          `json:"webhookTargets"`
	}
	if err := c.run(ctx, "Snapshot", docSnapshot, map[string]any{"first": PageSize}, false, &resp); err != nil {
		return nil, err
	}
	if resp.MyWorkspace == nil {
		return nil, errNoWorkspace
	}
	s := &plain.Snapshot{
		ReadAt:      readAt,
		Workspace:   plain.Workspace(*resp.MyWorkspace),
		Permissions: plain.SortedUnique(resp.MyPermissions.Permissions),
		EventTypes:  resp.SubscriptionEventTypes,
	}
	if s.EventTypes == nil {
		s.EventTypes = []plain.EventType{}
	}
	versions, err := c.versionPages(ctx, &resp.WebhookVersions)
	if err != nil {
		return nil, err
	}
	s.Versions = versions
	if resp.WebhookTargets == nil {
		return nil, fmt.Errorf("%s: %w", opPhrase("Snapshot"), errNoTargets)
	}
	targets, err := c.targetPages(ctx, resp.WebhookTargets)
	if err != nil {
		return nil, err
	}
	s.Targets, s.Leases = splitLeases(targets)
	return s, nil
}

var errNoWorkspace = errors.New("no workspace returned for this API key")

// errNoTargets: Plain's webhookTargets is non-null, so a response without
// it is broken (a proxy, a wrong endpoint). Reading it as an empty list
// would plan to create every target again, duplicating them.
var errNoTargets = errors.New("the response has no webhookTargets; refusing to read the workspace as empty")

// Workspace returns the workspace the API key belongs to.
func (c *Client) Workspace(ctx context.Context) (plain.Workspace, error) {
	var resp struct {
		MyWorkspace *wireWorkspace `json:"myWorkspace"`
	}
	if err := c.run(ctx, "Workspace", docWorkspace, nil, false, &resp); err != nil {
		return plain.Workspace{}, err
	}
	if resp.MyWorkspace == nil {
		return plain.Workspace{}, errNoWorkspace
	}
	return plain.Workspace(*resp.MyWorkspace), nil
}

// Permissions returns the API key's permissions, sorted.
func (c *Client) Permissions(ctx context.Context) ([]string, error) {
	var resp struct {
		MyPermissions wirePermissions `json:"myPermissions"`
	}
	if err := c.run(ctx, "Permissions", docPermissions, nil, false, &resp); err != nil {
		return nil, err
	}
	return plain.SortedUnique(resp.MyPermissions.Permissions), nil
}

// WebhookVersions returns every webhook payload version, in Plain's order.
func (c *Client) WebhookVersions(ctx context.Context) ([]plain.WebhookVersion, error) {
	return c.versionPages(ctx, nil)
}

// versionPages collects the pages of webhook versions starting with first,
// or from the beginning when first is nil.
func (c *Client) versionPages(ctx context.Context, first *page[plain.WebhookVersion]) ([]plain.WebhookVersion, error) {
	ctx, bc := countBytes(ctx)
	l := newListing("webhook versions", versionLimit, bc, keepAll[plain.WebhookVersion])
	return l.readAll(first, func(vars map[string]any) (*page[plain.WebhookVersion], error) {
		var resp struct {
			WebhookVersions page[plain.WebhookVersion] `json:"webhookVersions"`
		}
		if err := c.run(ctx, "WebhookVersions", docWebhookVersions, vars, false, &resp); err != nil {
			return nil, err
		}
		return &resp.WebhookVersions, nil
	})
}

// EventTypes returns the subscribable event-type catalog.
func (c *Client) EventTypes(ctx context.Context) ([]plain.EventType, error) {
	var resp struct {
		SubscriptionEventTypes []plain.EventType `json:"subscriptionEventTypes"`
	}
	if err := c.run(ctx, "EventTypes", docEventTypes, nil, false, &resp); err != nil {
		return nil, err
	}
	if resp.SubscriptionEventTypes == nil {
		return []plain.EventType{}, nil
	}
	return resp.SubscriptionEventTypes, nil
}

// ListWebhookTargets returns every webhook target except apply leases,
// reading pages of 100.
func (c *Client) ListWebhookTargets(ctx context.Context) ([]plain.Target, error) {
	all, err := c.targetPages(ctx, nil)
	if err != nil {
		return nil, err
	}
	targets, _ := splitLeases(all)
	return targets, nil
}

// ListLeases returns the targets that hold apply leases.
func (c *Client) ListLeases(ctx context.Context) ([]plain.Target, error) {
	all, err := c.targetPages(ctx, nil)
	if err != nil {
		return nil, err
	}
	_, leases := splitLeases(all)
	return leases, nil
}

// splitLeases separates apply leases (plain.ParseLease: the lease URL,
// disabled, the exact description) from the targets every command works
// on: a lease is never planned, pruned, listed or exported. A target that
// only looks like a lease (enabled, at another URL, another description)
// is an ordinary target. Whether a lease's end is believable is for
// internal/lock to judge: one "held until 2099" stays out of plans too, so
// that no prune deletes it, and is neither honoured nor deleted.
func splitLeases(all []plain.Target) (targets, leases []plain.Target) {
	targets = make([]plain.Target, 0, len(all))
	for _, t := range all {
		if _, _, ok := plain.ParseLease(t); ok {
			leases = append(leases, t)
		} else {
			targets = append(targets, t)
		}
	}
	return targets, leases
}

// targetPages collects the pages of webhook targets starting with first,
// or from the beginning when first is nil, keeping each ID once even if a
// concurrent change shifted an item across a page boundary.
func (c *Client) targetPages(ctx context.Context, first *page[wireTarget]) ([]plain.Target, error) {
	ctx, bc := countBytes(ctx)
	seen := map[string]bool{}
	l := newListing("webhook targets", targetLimit, bc, func(w wireTarget) (plain.Target, bool) {
		if seen[w.ID] {
			return plain.Target{}, false
		}
		seen[w.ID] = true
		return w.target(), true
	})
	return l.readAll(first, func(vars map[string]any) (*page[wireTarget], error) {
		var resp struct {
			WebhookTargets *page[wireTarget] `json:"webhookTargets"`
		}
		if err := c.run(ctx, "ListWebhookTargets", docListWebhookTargets, vars, false, &resp); err != nil {
			return nil, err
		}
		if resp.WebhookTargets == nil {
			return nil, fmt.Errorf("ListWebhookTargets: %w", errNoTargets)
		}
		return resp.WebhookTargets, nil
	})
}

// GetWebhookTarget returns one target, or nil and no error when Plain has
// no target with that id.
func (c *Client) GetWebhookTarget(ctx context.Context, id string) (*plain.Target, error) {
	if id == "" {
		return nil, errors.New("GetWebhookTarget: empty target id")
	}
	var resp struct {
		WebhookTarget *wireTarget `json:"webhookTarget"`
	}
	if err := c.run(ctx, "GetWebhookTarget", docGetWebhookTarget, map[string]any{"id": id}, false, &resp); err != nil {
		return nil, err
	}
	if resp.WebhookTarget == nil {
		return nil, nil
	}
	t := resp.WebhookTarget.target()
	return &t, nil
}

type eventSub struct {
	EventType string `json:"eventType"`
}

func eventSubs(events []string) []eventSub {
	out := make([]eventSub, 0, len(events))
	for _, e := range plain.SortedUnique(events) {
		out = append(out, eventSub{EventType: e})
	}
	return out
}

// valueInput is Plain's wrapper for an optional update field: its presence
// means "change", its value the new value.
type valueInput[T any] struct {
	Value T `json:"value"`
}

// mutationResult is the common payload of the three mutations.
type mutationResult struct {
	WebhookTarget *wireTarget    `json:"webhookTarget"`
	Error         *MutationError `json:"error"`
}

// result turns a mutation payload into a target or an error. A payload
// with neither means Plain processed the request but did not say how, so
// the outcome is unknown.
func (m *mutationResult) result(op string, wantTarget bool) (plain.Target, error) {
	if m.Error != nil {
		return plain.Target{}, fmt.Errorf("%s: %w", opPhrase(op), m.Error)
	}
	if !wantTarget {
		return plain.Target{}, nil
	}
	if m.WebhookTarget == nil {
		return plain.Target{}, fmt.Errorf("%s: %w", opPhrase(op), &outcomeUnknownError{cause: errors.New("response carried neither a target nor an error")})
	}
	return m.WebhookTarget.target(), nil
}

// CreateWebhookTarget creates a target. It is never retried once the
// request may have reached Plain: an error matching plain.ErrOutcomeUnknown
// means the caller must re-read live state before trying again.
func (c *Client) CreateWebhookTarget(ctx context.Context, in plain.CreateInput) (plain.Target, error) {
	input := map[string]any{
		"url":                in.URL,
		"description":        in.Description,
		"eventSubscriptions": eventSubs(in.EventTypes),
		"isEnabled":          in.Enabled,
	}
	if in.Version != "" {
		input["version"] = in.Version
	}
	var resp struct {
		CreateWebhookTarget mutationResult `json:"createWebhookTarget"`
	}
	if err := c.run(ctx, "CreateWebhookTarget", docCreateWebhookTarget, map[string]any{"input": input}, true, &resp); err != nil {
		return plain.Target{}, err
	}
	c.tr.scrubMutation(resp.CreateWebhookTarget.Error)
	t, err := resp.CreateWebhookTarget.result("CreateWebhookTarget", true)
	return t, redactErr(err, c.tr.key)
}

// UpdateWebhookTarget changes only the fields set in in.
func (c *Client) UpdateWebhookTarget(ctx context.Context, in plain.UpdateInput) (plain.Target, error) {
	if in.ID == "" {
		return plain.Target{}, errors.New("UpdateWebhookTarget: empty target id")
	}
	input := map[string]any{"webhookTargetId": in.ID}
	if in.URL != nil {
		input["url"] = valueInput[string]{*in.URL}
	}
	if in.Description != nil {
		input["description"] = valueInput[string]{*in.Description}
	}
	if in.EventTypes != nil {
		input["eventSubscriptions"] = eventSubs(in.EventTypes)
	}
	if in.Version != nil {
		input["version"] = valueInput[string]{*in.Version}
	}
	if in.Enabled != nil {
		input["isEnabled"] = valueInput[bool]{*in.Enabled}
	}
	var resp struct {
		UpdateWebhookTarget mutationResult `json:"updateWebhookTarget"`
	}
	if err := c.run(ctx, "UpdateWebhookTarget", docUpdateWebhookTarget, map[string]any{"input": input}, true, &resp); err != nil {
		return plain.Target{}, err
	}
	c.tr.scrubMutation(resp.UpdateWebhookTarget.Error)
	t, err := resp.UpdateWebhookTarget.result("UpdateWebhookTarget", true)
	return t, redactErr(err, c.tr.key)
}

// DeleteWebhookTarget deletes a target.
func (c *Client) DeleteWebhookTarget(ctx context.Context, id string) error {
	if id == "" {
		return errors.New("DeleteWebhookTarget: empty target id")
	}
	var resp struct {
		DeleteWebhookTarget mutationResult `json:"deleteWebhookTarget"`
	}
	vars := map[string]any{"input": map[string]any{"webhookTargetId": id}}
	if err := c.run(ctx, "DeleteWebhookTarget", docDeleteWebhookTarget, vars, true, &resp); err != nil {
		return err
	}
	c.tr.scrubMutation(resp.DeleteWebhookTarget.Error)
	_, err := resp.DeleteWebhookTarget.result("DeleteWebhookTarget", false)
	return redactErr(err, c.tr.key)
}

// DeliveryFilter narrows ListDeliveryAttempts.
type DeliveryFilter struct {
	EventTypes   []string // exact event types; empty means all
	ResultStatus string   // a plain.Result* constant or Plain's enum name; "" means all
	Limit        int      // most attempts to return; 0 reads every page
	// Since, when set, stops the paging after the first page that reaches
	// an attempt older than it: Plain lists attempts newest first and has
	// no time filter, so this reads a window's attempts once, page by
	// page, and no further. That last page's older attempts are returned
	// too; the caller drops what it does not want.
	Since time.Time
}

// wire is f's WebhookDeliveryAttemptFilter; empty when f filters nothing.
func (f DeliveryFilter) wire(op string) (map[string]any, error) {
	filters := map[string]any{}
	if len(f.EventTypes) > 0 {
		filters["eventTypes"] = plain.SortedUnique(f.EventTypes)
	}
	if f.ResultStatus != "" {
		status, ok := resultStatuses[strings.ToLower(f.ResultStatus)]
		if !ok {
			return nil, fmt.Errorf("%s: unknown result status %q (want one of successful_response, failed_response, error, rejected, schema_validation_failed)", op, f.ResultStatus)
		}
		filters["resultStatus"] = status
	}
	return filters, nil
}

// resultStatuses maps plain.Result* constants to Plain's
// WebhookDeliveryAttemptResultStatus enum.
var resultStatuses = map[string]string{
	plain.ResultSuccessfulResponse:     "SUCCESSFUL_RESPONSE",
	plain.ResultFailedResponse:         "FAILED_RESPONSE",
	plain.ResultError:                  "ERROR",
	plain.ResultRejected:               "REJECTED",
	plain.ResultSchemaValidationFailed: "SCHEMA_VALIDATION_FAILED",
}

// resultTypes maps the result union's member types to plain.Result*.
var resultTypes = map[string]string{
	"WebhookDeliveryAttemptSuccessfulResult":             plain.ResultSuccessfulResponse,
	"WebhookDeliveryAttemptFailedResult":                 plain.ResultFailedResponse,
	"WebhookDeliveryAttemptErrorResult":                  plain.ResultError,
	"WebhookDeliveryAttemptRejectedResult":               plain.ResultRejected,
	"WebhookDeliveryAttemptSchemaValidationFailedResult": plain.ResultSchemaValidationFailed,
}

type wireAttempt struct {
	ID                     string    `json:"id"`
	WebhookTargetID        string    `json:"webhookTargetId"`
	PublicEventID          string    `json:"publicEventId"`
	PublicEventEventType   string    `json:"publicEventEventType"`
	AttemptedAt            *wireTime `json:"attemptedAt"`
	DurationInMilliseconds int       `json:"durationInMilliseconds"`
	Result                 struct {
		Typename        string `json:"__typename"`
		HTTPStatusCode  int    `json:"httpStatusCode"`
		ErrorCode       string `json:"errorCode"`
		ErrorMessage    string `json:"errorMessage"`
		RejectedMessage string `json:"rejectedMessage"`
	} `json:"result"`
}

func (w *wireAttempt) attempt() plain.DeliveryAttempt {
	a := plain.DeliveryAttempt{
		ID:                     w.ID,
		WebhookTargetID:        w.WebhookTargetID,
		PublicEventID:          w.PublicEventID,
		EventType:              w.PublicEventEventType,
		AttemptedAt:            w.AttemptedAt.t(),
		DurationInMilliseconds: w.DurationInMilliseconds,
		Result:                 resultTypes[w.Result.Typename],
	}
	if a.Result == "" {
		// A union member added after this build: show it rather than
		// hide the attempt.
		a.Result = w.Result.Typename
	}
	switch a.Result {
	case plain.ResultSuccessfulResponse, plain.ResultFailedResponse:
		a.HTTPStatusCode = w.Result.HTTPStatusCode
	case plain.ResultError:
		a.ErrorCode = w.Result.ErrorCode
		a.Message = w.Result.ErrorMessage
	case plain.ResultRejected:
		a.Message = w.Result.RejectedMessage
	case plain.ResultSchemaValidationFailed:
		a.Message = w.Result.ErrorMessage
	}
	return a
}

// ListDeliveryAttempts returns a target's delivery attempts in Plain's
// order, filtered by f.
func (c *Client) ListDeliveryAttempts(ctx context.Context, targetID string, f DeliveryFilter) ([]plain.DeliveryAttempt, error) {
	if targetID == "" {
		return nil, errors.New("ListDeliveryAttempts: empty target id")
	}
	if f.Limit < 0 {
		return nil, fmt.Errorf("ListDeliveryAttempts: negative limit %d", f.Limit)
	}
	filters, err := f.wire("ListDeliveryAttempts")
	if err != nil {
		return nil, err
	}
	ctx, bc := countBytes(ctx)
	l := c.attemptListing(bc, f)
	return l.readAll(nil, func(vars map[string]any) (*page[wireAttempt], error) {
		vars["targetId"] = targetID
		if len(filters) > 0 {
			vars["filters"] = filters
		}
		var resp struct {
			WebhookDeliveryAttempts page[wireAttempt] `json:"webhookDeliveryAttempts"`
		}
		if err := c.run(ctx, "ListDeliveryAttempts", docListDeliveryAttempts, vars, false, &resp); err != nil {
			return nil, err
		}
		return &resp.WebhookDeliveryAttempts, nil
	})
}

// attemptListing starts a listing of delivery attempts filtered by f (its
// Limit and Since stop it; the rest is the request's filters). Plain's
// record of what a receiver said is server text too: a message or code
// that echoes a secret is withheld.
func (c *Client) attemptListing(bc *byteCount, f DeliveryFilter) *listing[wireAttempt, plain.DeliveryAttempt] {
	l := newListing("delivery attempts", attemptsLimit, bc, func(w wireAttempt) (plain.DeliveryAttempt, bool) {
		at := w.attempt()
		at.Message, at.ErrorCode = c.tr.withholdEcho(at.Message), c.tr.withholdEcho(at.ErrorCode)
		return at, true
	})
	l.max = f.Limit
	if !f.Since.IsZero() {
		l.done = func(out []plain.DeliveryAttempt, before int) bool {
			return len(out) > before && out[len(out)-1].AttemptedAt.Before(f.Since)
		}
	}
	return l
}
