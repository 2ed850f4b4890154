package deliver

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// UserAgent is the User-Agent Plain's deliveries carry.
const UserAgent = "Plain-Webhooks/1.0 (plain.com; help@plain.com)"

// DefaultTimeout is how long one attempt waits for the receiver's answer.
const DefaultTimeout = 10 * time.Second

// PlainSchedule is Plain's documented retry schedule: after a failed first
// attempt, 12 retries this long after the previous attempt (about 5 days in
// all).
var PlainSchedule = []time.Duration{
	10 * time.Second, 30 * time.Second, 5 * time.Minute, 30 * time.Minute,
	time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 24 * time.Hour, 24 * time.Hour, 24 * time.Hour,
}

// Error codes of ERROR attempts. The network ones are the names Node.js
// gives these failures, as in Plain's own attempt records.
const (
	CodeNotLoopback    = "ENOTLOOPBACK"
	CodeInvalidURL     = "EINVALIDURL"
	CodeTimeout        = "ETIMEDOUT"
	CodeRefused        = "ECONNREFUSED"
	CodeNotFound       = "ENOTFOUND"
	CodeReset          = "ECONNRESET"
	CodeCertExpired    = "CERT_HAS_EXPIRED"
	CodeCertName       = "ERR_TLS_CERT_ALTNAME_INVALID"
	CodeCertUnverified = "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
	CodeProtocol       = "EPROTO"
	CodeAborted        = "ECONNABORTED"
	CodeOther          = "EUNKNOWN"
)

// plainID is the id pattern of Plain's payload schemas.
var plainID = plain.IDShape

// Target is what an attempt needs to know about a webhook target.
type Target struct {
	ID          string
	WorkspaceID string
	URL         string // may carry user:password, sent as Authorization: Basic
	Version     string // the pinned payload version
	Enabled     bool
}

// Attempt is one delivery attempt: the record Plain keeps (a
// WebhookDeliveryAttempt) plus its number, which Plain sends in a header
// but does not list.
type Attempt struct {
	plain.DeliveryAttempt
	Number      int
	WorkspaceID string // the target's workspace
	// Body is the request body this attempt POSTed (or would have, had the
	// receiver been reachable): what publicEventRequestBody answers. Nil
	// when no valid body could be built.
	Body []byte
	// EventAt is when the event happened; Plain keeps an event (and so its
	// body) for 30 days from then.
	EventAt time.Time
}

// Config wires an Engine to its workspace store. Record, Secret and Lookup
// are called without any lock of the engine's held.
type Config struct {
	Timeout  time.Duration   // per attempt; 0 = DefaultTimeout
	Schedule []time.Duration // waits before retries 1..n; nil = PlainSchedule, empty = no retries
	// Dial opens connections; nil = a net.Dialer. It is always wrapped in
	// the loopback-only guard, so even an injected dialer is never asked
	// for anything else.
	Dial    DialFunc
	RootCAs *x509.CertPool // trusted for https receivers; nil = the system pool
	Now     func() time.Time
	NewID   func(prefix string) string // prefix (with its _) + a fresh ULID; nil = NewID
	// Secret returns the workspace's current HMAC secret, read at every
	// attempt so that a rotation signs every later attempt with the new
	// one; "" sends no Plain-Request-Signature.
	Secret func(workspaceID string) string
	// Lookup re-reads a target before each retry: a target that was
	// deleted or disabled meanwhile gets no further attempts, and one whose
	// URL changed gets them at the new URL.
	Lookup func(workspaceID, targetID string) (Target, bool)
	// Record stores an attempt as soon as it has finished.
	Record func(Attempt)
}

// Engine delivers events to targets and retries failed deliveries on a
// schedule. It is safe for concurrent use.
type Engine struct {
	cfg    Config
	client *http.Client
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	timers  map[*time.Timer]struct{}
	pending int // scheduled retries plus attempts in flight
	closed  bool
	wg      sync.WaitGroup
}

// New returns an Engine for cfg.
func New(cfg Config) *Engine {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Schedule == nil {
		cfg.Schedule = PlainSchedule
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewID == nil {
		cfg.NewID = NewID
	}
	if cfg.Secret == nil {
		cfg.Secret = func(string) string { return "" }
	}
	if cfg.Record == nil {
		cfg.Record = func(Attempt) {}
	}
	dial := cfg.Dial
	if dial == nil {
		dial = (&net.Dialer{Timeout: cfg.Timeout}).DialContext
	}
	tr := &http.Transport{
		// Never a proxy from the environment: HTTPS_PROXY would otherwise
		// carry a delivery off the machine.
		Proxy:               nil,
		DialContext:         loopbackOnly(dial),
		TLSClientConfig:     &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout: cfg.Timeout,
		// A fresh connection per attempt, as a receiver sees from Plain; a
		// pooled one could turn "refused" into a stale-connection reset.
		DisableKeepAlives: true,
		// No Accept-Encoding of Go's own: the receiver sees Plain's headers.
		DisableCompression: true,
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Engine{
		cfg: cfg,
		client: &http.Client{
			Transport: tr,
			// Plain does not follow redirects: a 3xx is the answer.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		ctx:    ctx,
		cancel: cancel,
		timers: map[*time.Timer]struct{}{},
	}
}

// Deliver makes the first attempt to deliver ev to t, records it, and,
// when it failed in a way Plain retries, schedules the retries. It returns
// the first attempt.
func (e *Engine) Deliver(ev Event, t Target) Attempt {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return Attempt{}
	}
	e.pending++
	e.wg.Add(1)
	e.mu.Unlock()
	defer e.done()
	a, retry := e.attempt(ev, t, 1)
	e.cfg.Record(a)
	if retry {
		e.schedule(ev, t, 1)
	}
	return a
}

func (e *Engine) done() {
	e.mu.Lock()
	e.pending--
	e.mu.Unlock()
	e.wg.Done()
}

// schedule arranges the retry that follows attempt number n.
func (e *Engine) schedule(ev Event, t Target, n int) {
	if n-1 >= len(e.cfg.Schedule) {
		return // the schedule is used up: Plain gives up on this event
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	e.pending++
	e.wg.Add(1)
	var timer *time.Timer
	timer = time.AfterFunc(e.cfg.Schedule[n-1], func() {
		e.mu.Lock()
		delete(e.timers, timer)
		e.mu.Unlock()
		defer e.done()
		e.retry(ev, t, n+1)
	})
	e.timers[timer] = struct{}{}
}

func (e *Engine) retry(ev Event, t Target, n int) {
	if e.ctx.Err() != nil {
		return
	}
	if e.cfg.Lookup != nil {
		cur, ok := e.cfg.Lookup(t.WorkspaceID, t.ID)
		if !ok || !cur.Enabled {
			return
		}
		t = cur
	}
	a, again := e.attempt(ev, t, n)
	e.cfg.Record(a)
	if again {
		e.schedule(ev, t, n)
	}
}

// Pending is the number of retries scheduled plus attempts in flight.
func (e *Engine) Pending() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.pending
}

// Close cancels every scheduled retry and attempt in flight and waits for
// them to end. Retries are not persisted: a restarted plain-mock does not
// resume them.
func (e *Engine) Close() {
	e.mu.Lock()
	e.closed = true
	for t := range e.timers {
		if t.Stop() {
			e.pending--
			e.wg.Done()
		}
		delete(e.timers, t)
	}
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
}

// attempt makes attempt number n and says whether Plain would retry it.
func (e *Engine) attempt(ev Event, t Target, n int) (Attempt, bool) {
	at := e.cfg.Now().UTC().Truncate(time.Millisecond)
	a := Attempt{Number: n, WorkspaceID: t.WorkspaceID, EventAt: ev.Timestamp, DeliveryAttempt: plain.DeliveryAttempt{
		ID:              e.cfg.NewID(plain.AttemptIDPrefix),
		WebhookTargetID: t.ID,
		PublicEventID:   ev.ID,
		EventType:       ev.Type,
		AttemptedAt:     at,
	}}
	fail := func(code, msg string) {
		a.Result, a.ErrorCode, a.Message = plain.ResultError, code, msg
	}
	u, err := url.Parse(t.URL)
	if err != nil {
		fail(CodeInvalidURL, "The webhook target's URL could not be parsed.")
		return a, false
	}
	if err := CheckURL(u); err != nil {
		// Never retried: the address will not become loopback.
		fail(CodeNotLoopback, err.Error()+".")
		return a, false
	}
	for _, id := range []struct{ what, id string }{{"workspace", ev.WorkspaceID}, {"webhook target", t.ID}} {
		if !plainID.MatchString(id.id) {
			// A hand-written state file's id: no payload carrying it
			// validates, so say that rather than quote the schema.
			a.Result = plain.ResultSchemaValidationFailed
			a.Message = fmt.Sprintf("The %s event could not be delivered: the %s id %q is not a Plain id (a prefix, _, then 26 Crockford base32 characters), so no payload carrying it validates.", ev.Type, id.what, id.id)
			return a, false
		}
	}
	body, err := Body(ev, Metadata{TargetID: t.ID, Version: t.Version, AttemptID: a.ID, AttemptNumber: n, AttemptAt: at})
	if err != nil {
		a.Result = plain.ResultSchemaValidationFailed
		a.Message = fmt.Sprintf("The %s event could not be delivered: %v.", ev.Type, err)
		return a, false
	}
	a.Body = body

	// The clock starts with the timeout, so a timed-out attempt lasts at
	// least the timeout, as the receiver saw it.
	start := time.Now()
	ctx, cancel := context.WithTimeout(e.ctx, e.cfg.Timeout)
	defer cancel()
	req, err := e.request(ctx, u, body, ev, t, a)
	if err != nil {
		fail(CodeInvalidURL, "The webhook target's URL could not be used: "+err.Error())
		return a, false
	}
	resp, err := e.client.Do(req)
	if err == nil {
		// The answer is complete once its body is in; a receiver that
		// stalls mid-body is a timeout like one that never answers.
		_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
		if err != nil && ctx.Err() == nil {
			err = nil // a body cut short after the status: the status stands
		}
	}
	a.DurationInMilliseconds = int(time.Since(start).Milliseconds())
	switch {
	case err != nil:
		code, msg := classify(err, ctx, e.ctx, e.cfg.Timeout)
		fail(code, msg)
		return a, code != CodeAborted
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		a.Result, a.HTTPStatusCode = plain.ResultSuccessfulResponse, resp.StatusCode
		return a, false
	default:
		a.Result, a.HTTPStatusCode = plain.ResultFailedResponse, resp.StatusCode
		return a, true
	}
}

// request builds the POST with every header Plain's webhook docs list
// (Accept, Content-Type, User-Agent, Plain-Workspace-Id,
// Plain-Webhook-Target-Id, Plain-Webhook-Target-Version,
// Plain-Webhook-Delivery-Attempt-Id/-Number/-Timestamp, Plain-Event-Type,
// Plain-Event-Id, Authorization for URL credentials,
// Plain-Request-Signature with an HMAC secret) and no other. The URL goes
// without its user info, which travels as Authorization: Basic instead.
func (e *Engine) request(ctx context.Context, u *url.URL, body []byte, ev Event, t Target, a Attempt) (*http.Request, error) {
	dest := *u
	dest.User = nil
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dest.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	h := req.Header
	h.Set("Accept", "application/json")
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", UserAgent)
	h.Set("Plain-Workspace-Id", ev.WorkspaceID)
	h.Set("Plain-Webhook-Target-Id", t.ID)
	// The target's pinned version, the one webhookMetadata.webhookTargetVersion
	// carries: Plain's webhook docs list Plain-Webhook-Target-Version among
	// the delivery headers.
	h.Set("Plain-Webhook-Target-Version", t.Version)
	h.Set("Plain-Webhook-Delivery-Attempt-Id", a.ID)
	h.Set("Plain-Webhook-Delivery-Attempt-Number", strconv.Itoa(a.Number))
	h.Set("Plain-Webhook-Delivery-Attempt-Timestamp", isoMillis(a.AttemptedAt))
	h.Set("Plain-Event-Type", ev.Type)
	h.Set("Plain-Event-Id", ev.ID)
	if u.User != nil {
		pass, _ := u.User.Password()
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pass)))
	}
	if secret := e.cfg.Secret(ev.WorkspaceID); secret != "" {
		h.Set("Plain-Request-Signature", Sign(body, secret))
	}
	return req, nil
}

// classify names a failed attempt the way Plain's records do. Messages
// never quote the URL (it may hold tokens).
func classify(err error, attemptCtx, engineCtx context.Context, timeout time.Duration) (code, msg string) {
	var (
		dnsErr      *net.DNSError
		hostErr     x509.HostnameError
		authErr     x509.UnknownAuthorityError
		invalidErr  x509.CertificateInvalidError
		recordErr   tls.RecordHeaderError
		netErr      net.Error
		innerErr    = err
		urlErr      *url.Error
		certVerfErr *tls.CertificateVerificationError
	)
	if errors.As(err, &urlErr) {
		innerErr = urlErr.Err // url.Error's text quotes the URL
	}
	switch {
	case errors.Is(err, ErrNotLoopback):
		return CodeNotLoopback, ErrNotLoopback.Error() + "; the connection was refused before dialling."
	case engineCtx.Err() != nil:
		return CodeAborted, "plain-mock shut down during the attempt."
	case errors.Is(attemptCtx.Err(), context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return CodeTimeout, fmt.Sprintf("The webhook target did not respond within %s.", timeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		return CodeRefused, "Connection refused by the webhook target."
	case errors.As(err, &dnsErr):
		return CodeNotFound, "The webhook target's host name could not be resolved."
	case errors.As(err, &invalidErr) && invalidErr.Reason == x509.Expired:
		return CodeCertExpired, "The webhook target's TLS certificate has expired."
	case errors.As(err, &hostErr):
		return CodeCertName, "The webhook target's TLS certificate does not match its host name."
	case errors.As(err, &authErr), errors.As(err, &certVerfErr), errors.As(err, &invalidErr):
		return CodeCertUnverified, "The webhook target's TLS certificate could not be verified."
	case errors.As(err, &recordErr):
		return CodeProtocol, "The webhook target did not speak TLS."
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return CodeReset, "The webhook target closed the connection before responding."
	}
	return CodeOther, "The delivery failed: " + innerErr.Error()
}
