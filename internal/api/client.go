// Package api is plainsync's client for Plain's GraphQL API. It owns every
// byte that crosses the network: authentication, timeouts, throttling,
// retries, error decoding and the typed webhook-target operations.
//
// Requests go through github.com/machinebox/graphql, but that library ignores
// HTTP status codes, keeps only the first GraphQL error and drops
// extensions.code. So the http.Client it is given carries a RoundTripper of
// our own (transport.go) that reads every response, decides about retries,
// and turns failures into the typed errors of errors.go before the library
// sees them.
package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/plainsync/plainsync/internal/loopback"

	"github.com/machinebox/graphql"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/version"
)

// DefaultURL is Plain's production GraphQL endpoint.
const DefaultURL = "https://core-api.uk.plain.com/graphql/v1"

// Defaults applied by New to zero Options fields.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultRateLimit        = 450 // requests per minute: Plain's smallest plan
	DefaultMaxRetries       = 4
	DefaultBackoffBase      = 250 * time.Millisecond
	DefaultBackoffMax       = 8 * time.Second
	DefaultMaxRateLimitWait = 70 * time.Second
)

// Options configure a Client. Zero values mean the documented defaults.
type Options struct {
	URL    string // "" → DefaultURL
	APIKey string // required; never printed

	Timeout          time.Duration // per HTTP attempt; 0 → 30s
	RateLimit        int           // requests per rolling minute; 0 → 450; <0 → no client-side limit (Plain's headers and 429s still count)
	MaxRetries       int           // retries of a failed query; 0 → 4; <0 → none
	BackoffBase      time.Duration // first retry delay; 0 → 250ms
	BackoffMax       time.Duration // longest retry delay; 0 → 8s
	MaxRateLimitWait time.Duration // total time one request may wait out 429s; 0 → 70s

	// Debug, when set, receives one block per HTTP attempt: operation name,
	// redacted variables, status and elapsed time. The Authorization header
	// is shown as "Bearer [REDACTED]".
	Debug io.Writer

	// Mask, when set, hides the caller's secrets (interpolated ${VAR}
	// values) in the server text errors show: GraphQL error messages,
	// codes and paths, mutation errors. A body that is not GraphQL is
	// never shown, only described.
	Mask func(string) string
	// Untrusted, when set, is used instead of Mask: it also withholds
	// server text that gives a secret away in an encoding masking cannot
	// undo (secret.Masker.Untrusted).
	Untrusted func(string) string

	// HTTPClient is an optional base client; only its Transport is used,
	// wrapped by the client's own RoundTripper. Its Timeout is ignored
	// because it would also cut short rate-limit waits and retries;
	// Options.Timeout applies to each attempt instead.
	HTTPClient *http.Client

	// resolver replaces the system's resolver for the loopback check of a
	// plain-http API URL (see loopback.Transport); tests set it.
	resolver loopback.Resolver
}

// MinKeyLength is the shortest API key plainsync accepts. Plain's keys are
// long random tokens starting with "plainApiKey_" (the header Plain
// documents is "Authorization: Bearer plainApiKey_…"), and the key is
// masked wherever it occurs in output and, inside GitHub Actions, in the
// whole job log: a key of a few characters would be masked as a substring
// of ordinary words ("list w***bhook targ***ts") and is no key anyway.
const MinKeyLength = 16

// CheckKeyLength refuses a key shorter than MinKeyLength, naming the
// variable that holds it and its length, never the key.
func CheckKeyLength(keyEnv, key string) error {
	if n := len(strings.TrimSpace(key)); n < MinKeyLength {
		return fmt.Errorf("$%s holds %d characters, which is not a Plain API key (Plain's keys are long tokens starting with plainApiKey_); plainsync refuses keys shorter than %d characters, since masking one in every output would blank those characters everywhere", keyEnv, n, MinKeyLength)
	}
	return nil
}

// Client talks to one Plain workspace with one API key. It is safe for
// concurrent use.
type Client struct {
	gql *graphql.Client
	tr  *transport
}

// New validates o and returns a Client. It makes no network call.
func New(o Options) (*Client, error) {
	key := strings.TrimSpace(o.APIKey)
	if key == "" {
		return nil, errors.New("no API key: set PLAIN_API_KEY")
	}
	// A key with embedded whitespace or control characters would either be
	// rejected by net/http with a confusing error or, worse, split headers.
	if strings.IndexFunc(key, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return nil, errors.New("API key contains whitespace or control characters; check how PLAIN_API_KEY is set")
	}
	if err := CheckKeyLength("PLAIN_API_KEY", key); err != nil {
		return nil, err
	}
	endpoint := strings.TrimSpace(o.URL)
	if endpoint == "" {
		endpoint = DefaultURL
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		// url.Parse echoes its input; the redacted form is safe to show.
		return nil, fmt.Errorf("invalid API URL %q: it must be an absolute http(s) URL", secret.RedactURL(endpoint))
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("invalid API URL %q: it must be an absolute http(s) URL", secret.RedactURL(endpoint))
	}
	// The key travels as a bearer token: over plain http anyone on the
	// path reads it. Loopback (plain-mock, a local proxy) never leaves
	// the machine.
	if u.Scheme == "http" && !loopback.Host(u.Hostname()) {
		return nil, fmt.Errorf("refusing to send the API key over plain http to %s: use an https:// API URL (http is allowed only for loopback: localhost, 127.0.0.0/8, ::1)", secret.RedactURL(u.Scheme+"://"+u.Host))
	}

	tr := &transport{
		base:        http.DefaultTransport,
		key:         key,
		userAgent:   version.UserAgent(),
		endpoint:    secret.RedactURL(endpoint),
		timeout:     o.Timeout,
		maxRetries:  o.MaxRetries,
		backoffBase: o.BackoffBase,
		backoffMax:  o.BackoffMax,
		maxRLWait:   o.MaxRateLimitWait,
		debug:       o.Debug,
		mask:        o.Mask,
		untrusted:   o.Untrusted,
		clock:       realClock{},
	}
	if o.HTTPClient != nil && o.HTTPClient.Transport != nil {
		tr.base = o.HTTPClient.Transport
	}
	if u.Scheme == "http" {
		// The name said loopback; the dial must agree (https needs no
		// such check: TLS authenticates the host).
		if tr.base, err = loopback.Transport(tr.base, o.resolver); err != nil {
			return nil, err
		}
	}
	if tr.timeout <= 0 {
		tr.timeout = DefaultTimeout
	}
	switch {
	case tr.maxRetries == 0:
		tr.maxRetries = DefaultMaxRetries
	case tr.maxRetries < 0:
		tr.maxRetries = 0
	}
	if tr.backoffBase <= 0 {
		tr.backoffBase = DefaultBackoffBase
	}
	if tr.backoffMax <= 0 {
		tr.backoffMax = DefaultBackoffMax
	}
	if tr.backoffMax < tr.backoffBase {
		tr.backoffMax = tr.backoffBase
	}
	if tr.maxRLWait <= 0 {
		tr.maxRLWait = DefaultMaxRateLimitWait
	}
	rl := o.RateLimit
	if rl == 0 {
		rl = DefaultRateLimit
	}
	tr.limiter = newLimiter(rl, tr.clock) // rl < 0: no client-side limit, Plain's headers still count

	hc := &http.Client{Transport: tr}
	// The machinebox Log hook is deliberately left at its no-op default: it
	// would print request headers, including the API key.
	return &Client{gql: graphql.NewClient(endpoint, graphql.WithHTTPClient(hc)), tr: tr}, nil
}

// RequestCount returns how many HTTP requests were actually sent (written
// to a connection), retries included.
func (c *Client) RequestCount() int { return int(c.tr.sent.Load()) }

// run sends one GraphQL operation and decodes its data into out. Every error
// it returns names the operation, never contains the API key, and, for a
// mutation that may have been applied, matches plain.ErrOutcomeUnknown.
func (c *Client) run(ctx context.Context, op, doc string, vars map[string]any, mutation bool, out any) error {
	req := graphql.NewRequest(doc)
	for k, v := range vars {
		req.Var(k, v)
	}
	ctx = context.WithValue(ctx, infoKey{}, &reqInfo{op: op, mutation: mutation, vars: vars})
	err := c.gql.Run(ctx, req, out)
	if err == nil {
		return nil
	}
	var ue *url.Error
	switch {
	case errors.As(err, &ue):
		// http.Client wraps whatever the transport returned in a *url.Error
		// whose text repeats the endpoint; the transport's error is already
		// classified and self-explanatory.
		err = ue.Err
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		// Cancelled before anything was sent.
	default:
		// The transport accepted the response, so the failure is machinebox
		// decoding data into out: the server answered with an unexpected
		// shape. A mutation got that far on the server, so its effect is
		// unknown.
		// A decoding error may quote a value of the body (a number
		// literal): server text, scrubbed like the rest.
		err = &redactedError{msg: "unexpected response shape: " + c.tr.scrub(err.Error()), err: err}
		if mutation {
			err = &outcomeUnknownError{cause: err}
		}
	}
	return redactErr(fmt.Errorf("%s: %w", opPhrase(op), err), c.tr.key)
}

// opPhrases word each GraphQL operation for users: errors say what
// plainsync was doing ("create webhook target: …"), not which function or
// operation name it used. Debug output keeps the operation names.
var opPhrases = map[string]string{
	"Snapshot":              "read the workspace from Plain",
	"Workspace":             "read the workspace from Plain",
	"Permissions":           "read the API key's permissions",
	"WebhookVersions":       "list webhook versions",
	"EventTypes":            "list event types",
	"ListWebhookTargets":    "list webhook targets",
	"GetWebhookTarget":      "read webhook target",
	"CreateWebhookTarget":   "create webhook target",
	"UpdateWebhookTarget":   "update webhook target",
	"DeleteWebhookTarget":   "delete webhook target",
	"ListDeliveryAttempts":  "list delivery attempts",
	"DeliveryAttemptsBatch": "list delivery attempts",
}

// opPhrase is op in words, or op itself for one not in the table.
func opPhrase(op string) string {
	if s, ok := opPhrases[op]; ok {
		return s
	}
	return op
}

// outcomeUnknownError wraps a failure after a mutation was sent: it matches
// both plain.ErrOutcomeUnknown and its cause with errors.Is/As.
type outcomeUnknownError struct{ cause error }

func (e *outcomeUnknownError) Error() string {
	return plain.ErrOutcomeUnknown.Error() + ": " + e.cause.Error()
}

func (e *outcomeUnknownError) Unwrap() []error {
	return []error{plain.ErrOutcomeUnknown, e.cause}
}
