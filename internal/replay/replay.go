// Package replay sends an event Plain delivered once more, as a new
// attempt of the same event: the body Plain kept (publicEventRequestBody)
// with a fresh webhookMetadata attempt id, number and timestamp, signed
// with the workspace's HMAC secret and carrying Plain's delivery headers,
// the way Plain's own retries do. It knows nothing of Plain's API or of
// the command line: the caller fetches the body and the secret.
package replay

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oklog/ulid/v2"

	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/loopback"
)

// UserAgent is the User-Agent Plain's webhooks docs list for every
// delivery; a replay sends it too, so that a receiver takes the same path
// as for Plain's own attempts.
const UserAgent = "Plain-Webhooks/1.0 (plain.com; help@plain.com)"

// AttemptIDPrefix starts a delivery attempt id (Plain's docs and payload
// examples: whAttempt_01HD450N6X782MDTDBMS6Z14DJ).
const AttemptIDPrefix = "whAttempt_"

// Timeout bounds one replayed delivery.
const Timeout = 30 * time.Second

// MaxSummary is how many bytes of the receiver's answer a Result keeps.
const MaxSummary = 200

// Delivery is a prepared attempt: the body to send and the headers that
// go with it.
type Delivery struct {
	EventID       string
	EventType     string
	WorkspaceID   string
	TargetID      string
	TargetVersion string
	AttemptID     string
	AttemptNumber int
	AttemptAt     time.Time
	Body          []byte
}

// NewAttemptID is a fresh whAttempt_ id with a ULID of now.
func NewAttemptID(now time.Time) string {
	return AttemptIDPrefix + ulid.MustNew(ulid.Timestamp(now), rand.Reader).String()
}

// Prepare turns a body Plain delivered into the next attempt of its
// event: the same id, type, timestamp, workspace and payload; in
// webhookMetadata the same target id and version, and attemptID, the
// attempt number after the body's own, and now (UTC, milliseconds, as
// Plain writes Plain-Webhook-Delivery-Attempt-Timestamp). Members the
// body has beyond these are kept as they are.
func Prepare(body []byte, attemptID string, now time.Time) (*Delivery, error) {
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("the event body is not a JSON object: %w", err)
	}
	var md map[string]json.RawMessage
	if raw, ok := env["webhookMetadata"]; !ok || json.Unmarshal(raw, &md) != nil || md == nil {
		return nil, errors.New("the event body has no webhookMetadata object")
	}
	d := &Delivery{AttemptID: attemptID, AttemptAt: now.UTC().Truncate(time.Millisecond)}
	for _, f := range []struct {
		obj  map[string]json.RawMessage
		name string
		dst  *string
	}{
		{env, "id", &d.EventID}, {env, "type", &d.EventType}, {env, "workspaceId", &d.WorkspaceID},
		{md, "webhookTargetId", &d.TargetID}, {md, "webhookTargetVersion", &d.TargetVersion},
	} {
		if err := json.Unmarshal(f.obj[f.name], f.dst); err != nil || *f.dst == "" {
			return nil, fmt.Errorf("the event body has no %s string", f.name)
		}
	}
	var prev int
	if err := json.Unmarshal(md["webhookDeliveryAttemptNumber"], &prev); err != nil || prev < 1 {
		return nil, errors.New("the event body has no webhookDeliveryAttemptNumber")
	}
	d.AttemptNumber = prev + 1
	set := func(name string, v any) {
		raw, _ := json.Marshal(v)
		md[name] = raw
	}
	set("webhookDeliveryAttemptId", d.AttemptID)
	set("webhookDeliveryAttemptNumber", d.AttemptNumber)
	set("webhookDeliveryAttemptTimestamp", isoMillis(d.AttemptAt))
	rawMD, err := json.Marshal(md)
	if err != nil {
		return nil, err
	}
	env["webhookMetadata"] = rawMD
	if d.Body, err = json.Marshal(env); err != nil {
		return nil, err
	}
	return d, nil
}

func isoMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Sign is Plain-Request-Signature: the lowercase hex HMAC-SHA256 of the
// raw body keyed with the workspace's HMAC secret (Plain's
// request-signing docs; verifyPlainWebhook in @team-plain/typescript-sdk
// checks exactly this).
func Sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// CheckURL accepts https, or http only to a loopback host, with a host.
func CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("--to is not a URL: %w", errors.Unwrap(err))
	}
	switch {
	case u.Host == "" || u.Hostname() == "":
		return nil, errors.New("--to needs an absolute URL with a host, e.g. http://127.0.0.1:8080/hooks/plain")
	case u.Scheme == "https":
	case u.Scheme == "http" && loopback.Host(u.Hostname()):
	case u.Scheme == "http":
		return nil, errors.New("--to must use https; http is only for loopback receivers (127.0.0.1, ::1, localhost)")
	default:
		return nil, fmt.Errorf("--to must be an https URL (or http to loopback), not %s", u.Scheme+":")
	}
	return u, nil
}

// SameEndpoint reports whether two URLs reach the same receiver: scheme,
// host (case-insensitive, default ports implied) and path and query equal;
// user info and fragment are ignored.
func SameEndpoint(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	norm := func(u *url.URL) string {
		host, port := strings.ToLower(u.Hostname()), u.Port()
		if port == "" || (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
			port = ""
		}
		path := u.EscapedPath()
		if path == "" {
			path = "/"
		}
		return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(host, port) + path + "?" + u.RawQuery
	}
	return norm(ua) == norm(ub)
}

// Request builds the POST of d to u with the headers Plain's webhooks
// docs list: Accept, Content-Type, User-Agent, Plain-Workspace-Id,
// Plain-Webhook-Target-Id, Plain-Webhook-Target-Version,
// Plain-Webhook-Delivery-Attempt-Id/-Number/-Timestamp, Plain-Event-Type,
// Plain-Event-Id, Authorization (Basic) when u carries credentials, and
// Plain-Request-Signature when secret is set. u's user info is sent only
// as that header.
func Request(ctx context.Context, u *url.URL, d *Delivery, secret string) (*http.Request, error) {
	dest := *u
	dest.User = nil
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dest.String(), bytes.NewReader(d.Body))
	if err != nil {
		return nil, err
	}
	h := req.Header
	h.Set("Accept", "application/json")
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", UserAgent)
	h.Set("Plain-Workspace-Id", d.WorkspaceID)
	h.Set("Plain-Webhook-Target-Id", d.TargetID)
	h.Set("Plain-Webhook-Target-Version", d.TargetVersion)
	h.Set("Plain-Webhook-Delivery-Attempt-Id", d.AttemptID)
	h.Set("Plain-Webhook-Delivery-Attempt-Number", strconv.Itoa(d.AttemptNumber))
	h.Set("Plain-Webhook-Delivery-Attempt-Timestamp", isoMillis(d.AttemptAt))
	h.Set("Plain-Event-Type", d.EventType)
	h.Set("Plain-Event-Id", d.EventID)
	if u.User != nil {
		pass, _ := u.User.Password()
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pass)))
	}
	if secret != "" {
		h.Set("Plain-Request-Signature", Sign(d.Body, secret))
	}
	return req, nil
}

// Result is the receiver's answer, as much of it as is safe to show.
type Result struct {
	Status      int    `json:"status"`
	StatusText  string `json:"statusText"`
	ContentType string `json:"contentType,omitempty"`
	// Bytes is the size of the answer's body (read up to 1 MiB).
	Bytes int `json:"bytes"`
	// Summary is at most MaxSummary bytes of a textual body, with control
	// characters escaped (inert.Text); empty for a binary body.
	Summary  string        `json:"summary,omitempty"`
	Duration time.Duration `json:"-"`
}

// OK reports a 2xx answer, which Plain counts as delivered.
func (r *Result) OK() bool { return r.Status >= 200 && r.Status < 300 }

// Send posts d to u and reads the answer. Redirects are not followed (Plain
// does not follow them, and a body of customer data must not go where the
// user did not point it).
func Send(ctx context.Context, client *http.Client, u *url.URL, d *Delivery, secret string) (*Result, error) {
	if client == nil {
		// Go asks for gzip by default; Plain's deliveries carry no
		// Accept-Encoding, and neither does a replay.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.DisableCompression = true
		client = &http.Client{Timeout: Timeout, Transport: tr}
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := Request(ctx, u, d, secret)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the URL, which may hold credentials
		}
		return nil, fmt.Errorf("the receiver did not answer: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	r := &Result{Status: resp.StatusCode, StatusText: http.StatusText(resp.StatusCode), Bytes: len(raw),
		ContentType: inert.Text(clip(resp.Header.Get("Content-Type"), 100)), Duration: time.Since(start)}
	r.Summary = summarize(raw)
	return r, nil
}

// summarize keeps a short, inert, single-line prefix of a textual body.
func summarize(raw []byte) string {
	s := clip(string(raw), MaxSummary)
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return ""
	}
	s = strings.Join(strings.Fields(s), " ")
	return inert.Text(s)
}

// clip cuts s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
