package api

import (
	"context"
	"errors"
	"fmt"
	"regexp"
)

// docPublicEventRequestBody asks for the body Plain delivered for an event.
// Plain's schema: publicEventRequestBody(publicEventId: ID!): String,
// "Returns null if the event has expired (events are retained for 30
// days)".
const docPublicEventRequestBody = `query PublicEventRequestBody($publicEventId: ID!) {
  publicEventRequestBody(publicEventId: $publicEventId)
}
`

// docWorkspaceHmac reads the workspace's request-signing secret
// (workspaceHmac: WorkspaceHmac, hmacSecret: String!; Plain's
// request-signing docs). It is null until a secret was generated.
const docWorkspaceHmac = `query WorkspaceHmac {
  workspaceHmac { hmacSecret }
}
`

// ErrEventExpired is returned for an event whose body Plain no longer
// keeps (or never had: publicEventRequestBody answers null for both).
//
//lint:ignore ST1005 Plain is a proper noun; the message is shown as is.
var ErrEventExpired = errors.New("Plain has no body for this event: it is unknown, or older than the 30 days Plain keeps events")

// ErrNoHmacSecret is returned when the workspace has no HMAC secret.
var ErrNoHmacSecret = errors.New("the workspace has no HMAC secret (Plain signs nothing until one is generated in its settings)")

// PublicEventIDPattern is the shape of a public event id: "pEv_" and a
// 26-character Crockford base32 ULID (the payload schema's id pattern
// ^[a-zA-Z]+_[0123456789ABCDEFGHJKMNPQRSTVWXYZ]{26}$ with Plain's pEv_
// prefix, as in its docs' examples).
var PublicEventIDPattern = regexp.MustCompile(`^pEv_[0123456789ABCDEFGHJKMNPQRSTVWXYZ]{26}$`)

// PublicEventRequestBody returns the exact body Plain delivered for the
// event, or ErrEventExpired.
func (c *Client) PublicEventRequestBody(ctx context.Context, eventID string) ([]byte, error) {
	var resp struct {
		Body *string `json:"publicEventRequestBody"`
	}
	if err := c.run(ctx, "PublicEventRequestBody", docPublicEventRequestBody, map[string]any{"publicEventId": eventID}, false, &resp); err != nil {
		return nil, fmt.Errorf("event %s: %w", eventID, err)
	}
	if resp.Body == nil {
		return nil, fmt.Errorf("event %s: %w", eventID, ErrEventExpired)
	}
	return []byte(*resp.Body), nil
}

// WorkspaceHmacSecret returns the workspace's request-signing secret, or
// ErrNoHmacSecret.
func (c *Client) WorkspaceHmacSecret(ctx context.Context) (string, error) {
	var resp struct {
		WorkspaceHmac *struct {
			HmacSecret string `json:"hmacSecret"`
		} `json:"workspaceHmac"`
	}
	if err := c.run(ctx, "WorkspaceHmac", docWorkspaceHmac, nil, false, &resp); err != nil {
		return "", err
	}
	if resp.WorkspaceHmac == nil || resp.WorkspaceHmac.HmacSecret == "" {
		return "", ErrNoHmacSecret
	}
	return resp.WorkspaceHmac.HmacSecret, nil
}
