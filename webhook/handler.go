package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"time"
)

// DefaultTolerance is how far a delivery's attempt timestamp may be from
// the receiver's clock, either way: 300 seconds, the default of
// verifyPlainWebhook in Plain's TypeScript SDK.
const DefaultTolerance = 300 * time.Second

// DefaultMaxBodyBytes is the largest body [NewHandler] reads unless
// [WithMaxBodyBytes] says otherwise: 4 MiB, far above an event's usual few
// kilobytes, so that a long email still fits.
const DefaultMaxBodyBytes int64 = 4 << 20

// Errors a handler reports to [WithObserver] besides those of [Verify]
// and [Parse].
var (
	// ErrMethod means the request was not a POST (answered 405).
	ErrMethod = errors.New("webhook: method not allowed (Plain delivers with POST)")
	// ErrBodyTooLarge means the body exceeds the size limit (413).
	ErrBodyTooLarge = errors.New("webhook: body too large")
	// ErrTimestampTooOld means the attempt timestamp is further in the
	// past than the tolerance: possibly a replay of an old delivery (401).
	ErrTimestampTooOld = errors.New("webhook: delivery attempt timestamp is too old")
	// ErrTimestampInFuture means the attempt timestamp is further ahead
	// of the clock than the tolerance (401).
	ErrTimestampInFuture = errors.New("webhook: delivery attempt timestamp is in the future")
	// ErrSchema wraps what a [WithValidator] validator returned (400).
	ErrSchema = errors.New("webhook: body does not match the payload schema")
	// ErrDuplicate means the [Deduper] has seen the event id already: the
	// handler answered 200 without calling the function.
	ErrDuplicate = errors.New("webhook: duplicate event")
	// ErrHandler wraps what the function or the [Deduper] returned (500).
	ErrHandler = errors.New("webhook: handling the event failed")
)

// Deduper remembers the events already handled, keyed by event id. Seen
// reports whether Mark was called for id; Mark is called after the
// function succeeded. An error from either makes the handler answer 500,
// so that Plain retries. Two attempts of one event arriving at the same
// time can both pass Seen: the function should still be idempotent.
type Deduper interface {
	Seen(ctx context.Context, eventID string) (bool, error)
	Mark(ctx context.Context, eventID string) error
}

// Outcome is what a handler made of one request, for [WithObserver].
type Outcome struct {
	// Status is the HTTP status answered.
	Status int
	// Err is nil when the function handled the event, [ErrDuplicate] for
	// a duplicate, and otherwise why the request was refused (it wraps
	// one of the package's errors; test with errors.Is).
	Err error
	// Event is the parsed event, or nil when the request did not get
	// that far (method, size, signature or parse errors).
	Event *Event
	// BodyBytes is the number of body bytes read.
	BodyBytes int
}

// Option configures [NewHandler].
type Option func(*config)

type config struct {
	tolerance time.Duration
	maxBody   int64
	now       func() time.Time
	dedupe    Deduper
	validate  func(version string, body []byte) error
	observe   func(*http.Request, Outcome)
}

// WithTolerance sets how far from the handler's clock an attempt timestamp
// may be, in the past or the future ([DefaultTolerance] otherwise). A
// tolerance of zero or less turns the check off, which lets a captured
// delivery be replayed for as long as the secret is unchanged.
func WithTolerance(d time.Duration) Option { return func(c *config) { c.tolerance = d } }

// WithMaxBodyBytes sets the largest body read ([DefaultMaxBodyBytes]
// otherwise); a longer one is answered 413. Values of zero or less keep
// the default.
func WithMaxBodyBytes(n int64) Option {
	return func(c *config) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// WithClock sets the clock attempt timestamps are compared with (time.Now
// otherwise), for tests.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithDeduper makes the handler answer 200 without calling the function
// for an event id d has seen, and mark each id once the function
// succeeded. [NewMemoryDeduper] is one for a single process.
func WithDeduper(d Deduper) Option { return func(c *config) { c.dedupe = d } }

// WithValidator checks each verified body against the payload schema of
// the webhook version it declares (the target's pinned version,
// webhookMetadata.webhookTargetVersion) before the function sees it;
// validate returns an error for a body that does not match, including one
// of a version it does not know. The handler answers 400 then. Plain
// publishes one JSON Schema per version (webhook-event-schema.json in its
// SDK repository); any JSON Schema library can implement validate.
func WithValidator(validate func(version string, body []byte) error) Option {
	return func(c *config) { c.validate = validate }
}

// WithObserver calls observe for every request with what the handler
// answers and why, just before the answer is written, e.g. to log refusals. The package's own errors never
// contain the secret or quote the body (an error of fn or of the validator
// is wrapped as it is); Outcome.Event and the request's headers come from
// the sender: quote them when printing (e.g. with %q or log/slog).
func WithObserver(observe func(r *http.Request, o Outcome)) Option {
	return func(c *config) { c.observe = observe }
}

// NewHandler returns an http.Handler that receives Plain's deliveries for
// a workspace whose HMAC secret is secret, and calls fn once per verified,
// fresh event with the request's context. In order, it answers:
//
//   - 405 to anything but POST;
//   - 413 to a body larger than the limit ([WithMaxBodyBytes]);
//   - 401 to a missing or wrong signature ([Verify]);
//   - 400 to a body that is not a Plain event ([Parse]);
//   - 401 to an attempt timestamp outside the tolerance ([WithTolerance]);
//   - 400 to a body the validator refuses ([WithValidator]);
//   - 200 to a duplicate, without calling fn ([WithDeduper]);
//   - 500 when fn (or the deduper) returns an error, so that Plain retries;
//   - 200 once fn returned nil.
//
// An empty secret makes every request a 500 ([ErrNoSecret]): a
// misconfigured receiver should be retried, not accept unsigned bodies.
// A nil fn answers 500 to every verified event. Answers carry a short
// fixed text, never fn's error.
func NewHandler(secret []byte, fn func(context.Context, *Event) error, opts ...Option) http.Handler {
	c := config{tolerance: DefaultTolerance, maxBody: DefaultMaxBodyBytes, now: time.Now}
	for _, o := range opts {
		o(&c)
	}
	if fn == nil {
		fn = func(context.Context, *Event) error { return errNoFunc }
	}
	return &handler{secret: append([]byte(nil), secret...), fn: fn, c: c}
}

// distance is how far later is than earlier, rounded to the second, or
// "over 290 years" when the difference does not fit a Duration.
func distance(later, earlier time.Time) string {
	d := later.Sub(earlier)
	if d == math.MaxInt64 || d == math.MinInt64 {
		return "over 290 years"
	}
	return d.Round(time.Second).String()
}

// errNoFunc is the error of a handler made without a function.
var errNoFunc = errors.New("no function to handle events was given to NewHandler")

type handler struct {
	secret []byte
	fn     func(context.Context, *Event) error
	c      config
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o := h.serve(w, r)
	if o.Status == 0 {
		o.Status = http.StatusOK
	}
	// The observer runs before the answer is written, so that whatever
	// it records is there once the sender has its answer.
	if h.c.observe != nil {
		h.c.observe(r, o)
	}
	if o.Status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodPost)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(o.Status)
	_, _ = io.WriteString(w, answerText(o)+"\n")
}

// serve decides the answer; ServeHTTP writes it.
func (h *handler) serve(w http.ResponseWriter, r *http.Request) Outcome {
	if r.Method != http.MethodPost {
		return Outcome{Status: http.StatusMethodNotAllowed, Err: ErrMethod}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.c.maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return Outcome{Status: http.StatusRequestEntityTooLarge, Err: ErrBodyTooLarge, BodyBytes: len(body)}
		}
		return Outcome{Status: http.StatusBadRequest, Err: fmt.Errorf("%w: reading the body: %v", ErrInvalidBody, err), BodyBytes: len(body)}
	}
	o := Outcome{BodyBytes: len(body)}
	if err := Verify(body, r.Header.Get(SignatureHeader), h.secret); err != nil {
		o.Status, o.Err = http.StatusUnauthorized, err
		if errors.Is(err, ErrNoSecret) {
			o.Status = http.StatusInternalServerError
		}
		return o
	}
	ev, err := Parse(body)
	if err != nil {
		o.Status, o.Err = http.StatusBadRequest, err
		return o
	}
	o.Event = ev
	if tol := h.c.tolerance; tol > 0 {
		// The times are compared, never subtracted: Time.Sub saturates
		// at ±292 years, and the negation of the minimum Duration is
		// still negative, so a far-future timestamp would pass a check
		// on the difference. Time.Add does not overflow for any tolerance
		// (a Time holds seconds in 64 bits).
		now, at := h.c.now(), ev.Webhook.AttemptTimestamp
		switch {
		case at.Before(now.Add(-tol)):
			o.Status, o.Err = http.StatusUnauthorized, fmt.Errorf("%w: %s old, tolerance %s", ErrTimestampTooOld, distance(now, at), tol)
			return o
		case at.After(now.Add(tol)):
			o.Status, o.Err = http.StatusUnauthorized, fmt.Errorf("%w: %s ahead, tolerance %s", ErrTimestampInFuture, distance(at, now), tol)
			return o
		}
	}
	if h.c.validate != nil {
		if err := h.c.validate(ev.Webhook.TargetVersion, body); err != nil {
			o.Status, o.Err = http.StatusBadRequest, fmt.Errorf("%w (version %q): %w", ErrSchema, ev.Webhook.TargetVersion, err)
			return o
		}
	}
	ctx := r.Context()
	if d := h.c.dedupe; d != nil {
		seen, err := d.Seen(ctx, ev.ID)
		if err != nil {
			o.Status, o.Err = http.StatusInternalServerError, fmt.Errorf("%w: dedupe lookup: %w", ErrHandler, err)
			return o
		}
		if seen {
			o.Status, o.Err = http.StatusOK, ErrDuplicate
			return o
		}
	}
	if err := h.fn(ctx, ev); err != nil {
		o.Status, o.Err = http.StatusInternalServerError, fmt.Errorf("%w: %w", ErrHandler, err)
		return o
	}
	if d := h.c.dedupe; d != nil {
		if err := d.Mark(ctx, ev.ID); err != nil {
			o.Status, o.Err = http.StatusInternalServerError, fmt.Errorf("%w: dedupe mark: %w", ErrHandler, err)
			return o
		}
	}
	o.Status = http.StatusOK
	return o
}

// answerText is the fixed text of each answer: the sender learns the
// class of problem, never a detail of the body, the secret or fn's error.
func answerText(o Outcome) string {
	switch {
	case o.Err == nil:
		return "ok"
	case errors.Is(o.Err, ErrDuplicate):
		return "ok (duplicate event)"
	case errors.Is(o.Err, ErrMethod):
		return "method not allowed"
	case errors.Is(o.Err, ErrBodyTooLarge):
		return "body too large"
	case errors.Is(o.Err, ErrNoSignature), errors.Is(o.Err, ErrBadSignature):
		return "invalid signature"
	case errors.Is(o.Err, ErrTimestampTooOld), errors.Is(o.Err, ErrTimestampInFuture):
		return "delivery attempt timestamp outside the tolerance"
	case errors.Is(o.Err, ErrSchema):
		return "body does not match the payload schema"
	case errors.Is(o.Err, ErrInvalidBody):
		return "invalid event body"
	}
	return "internal error"
}
