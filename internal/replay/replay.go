// Package replay sends an event Plain delivered once more, as a new
// attempt of the same event: the body Plain kept (publicEventRequestBody)
// with a fresh webhookMetadata attempt id, number and timestamp, signed
// with the workspace's HMAC secret and carrying Plain's delivery headers,
// the way Plain's own retries do. Run is the replay command's workflow
// over a small client interface (the caller's Plain client), a Confirmer
// and Notes; it returns the receiver's answer raw, for the caller's output
// gate (internal/view) to screen and show.
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
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

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

// MaxBody is how much of the receiver's answer a Result keeps.
const MaxBody = 1 << 20

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

// SameEndpoint reports whether two URLs reach the same receiver, after
// the normalisations of RFC 3986 section 6.2.2 and 6.2.3 that do not change
// what a server sees: scheme and host case, a host's trailing dot (a
// fully-qualified name resolves to the same address), an IP address in
// any of its spellings, the scheme's default port, percent-encoding
// (unreserved characters decoded, other escapes in upper case), dot
// segments, and an empty path as "/". User info and fragment are
// ignored. A URL that does not parse is the same as nothing.
//
// Paths that differ otherwise are different endpoints here, since the
// confirmation that uses this names the URL as the live target's. A
// receiver may still answer several paths alike (case-insensitive or
// prefix routing); SameHost is the broader test for that reading.
func SameEndpoint(a, b string) bool {
	ea, ok1 := endpoint(a)
	eb, ok2 := endpoint(b)
	return ok1 && ok2 && ea == eb
}

// SameHost reports whether two URLs reach the same server: the host and
// port of SameEndpoint, whatever the path and query. It is the safer test
// for "is this production": a receiver on a live target's host may well
// take the event whatever the path says.
func SameHost(a, b string) bool {
	ea, ok1 := endpoint(a)
	eb, ok2 := endpoint(b)
	return ok1 && ok2 && ea.host == eb.host && ea.port == eb.port
}

// normalURL is a URL in the normal form SameEndpoint compares.
type normalURL struct {
	scheme, host, port, path, query string
}

// endpoint parses raw into its normal form; false when it does not parse
// or is not hierarchical (no host).
func endpoint(raw string) (normalURL, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return normalURL{}, false
	}
	n := normalURL{scheme: strings.ToLower(u.Scheme)}
	n.host = strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if ip, err := netip.ParseAddr(n.host); err == nil {
		n.host = ip.Unmap().String()
	}
	if p := u.Port(); p != "" {
		v, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return normalURL{}, false
		}
		n.port = strconv.FormatUint(v, 10)
	}
	if (n.scheme == "https" && n.port == "443") || (n.scheme == "http" && n.port == "80") {
		n.port = ""
	}
	n.path = removeDotSegments(normalEscapes(u.EscapedPath()))
	if n.path == "" {
		n.path = "/"
	}
	n.query = normalEscapes(u.RawQuery)
	return n, true
}

// normalEscapes decodes the percent-encoded octets of unreserved
// characters (ALPHA, DIGIT, "-", ".", "_", "~"; RFC 3986 sections 2.3 and
// 6.2.2.2) and writes the other escapes' hex digits in upper case (section
// 6.2.2.1).
func normalEscapes(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]) {
			c := unhex(s[i+1])<<4 | unhex(s[i+2])
			if unreserved(c) {
				b.WriteByte(c)
			} else {
				b.WriteString(strings.ToUpper(s[i : i+3]))
			}
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// removeDotSegments is the algorithm of RFC 3986 section 5.2.4: "." and
// ".." segments resolved, as servers do before routing.
func removeDotSegments(in string) string {
	var out []string
	for in != "" {
		switch {
		case strings.HasPrefix(in, "../"):
			in = in[3:]
		case strings.HasPrefix(in, "./"):
			in = in[2:]
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case in == "/.":
			in = "/"
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "/..":
			in = "/"
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "." || in == "..":
			in = ""
		default:
			i := strings.IndexByte(in[1:], '/')
			if i < 0 {
				out = append(out, in)
				in = ""
			} else {
				out = append(out, in[:i+1])
				in = in[i+1:]
			}
		}
	}
	return strings.Join(out, "")
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

// Result is the receiver's answer as it came: whoever shows it screens
// it first (the content type and the body are the receiver's text).
type Result struct {
	Status      int
	StatusText  string
	ContentType string
	// Bytes is the size of the answer's body (read up to MaxBody).
	Bytes int
	// Body is the answer's body as read (at most MaxBody bytes).
	Body     []byte
	Duration time.Duration
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
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	return &Result{Status: resp.StatusCode, StatusText: http.StatusText(resp.StatusCode), Bytes: len(raw),
		ContentType: resp.Header.Get("Content-Type"), Body: raw, Duration: time.Since(start)}, nil
}
