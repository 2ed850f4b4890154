package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plainsync/plainsync/internal/loopback"
)

// maxBody bounds how much of a response is read: 250 targets are a few
// hundred kilobytes, so anything near this is not a Plain answer.
const maxBody = 32 << 20

// infoKey carries a *reqInfo from Client.run to the transport through the
// request's context: the transport needs to know whether it may retry.
type infoKey struct{}

type reqInfo struct {
	op       string
	mutation bool
	vars     map[string]any
}

// transport is the RoundTripper under machinebox/graphql. It authenticates,
// throttles, retries and classifies: a response that reaches machinebox is a
// 2xx JSON body with data and no errors; everything else becomes an error
// from errors.go (or wraps plain.ErrOutcomeUnknown).
type transport struct {
	base      http.RoundTripper
	key       string
	userAgent string
	endpoint  string // redacted, for debug output

	timeout     time.Duration
	limiter     *limiter // client-side pacing, Plain's headers and 429 pauses
	maxRetries  int
	backoffBase time.Duration
	backoffMax  time.Duration
	maxRLWait   time.Duration

	debug   io.Writer
	debugMu sync.Mutex
	// mask hides the caller's secrets in server text errors show;
	// untrusted, when set, also withholds text that echoes one in any
	// encoding. Neither set: only key is hidden.
	mask      func(string) string
	untrusted func(string) string

	clock clock
	sent  atomic.Int64
}

// result is what one HTTP attempt produced.
type result struct {
	status  int
	header  http.Header
	body    []byte
	err     error // network-level failure; status is 0
	sent    bool  // request headers were written to a connection
	elapsed time.Duration
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		body = b
	}
	info, _ := ctx.Value(infoKey{}).(*reqInfo)
	if info == nil {
		// Not sent through Client.run: be conservative and treat anything
		// that might be a mutation as one, so it is never retried blindly.
		q := bytes.TrimSpace(bytesAfterQuery(body))
		info = &reqInfo{op: "request", mutation: !bytes.HasPrefix(q, []byte("query")) && !bytes.HasPrefix(q, []byte("{"))}
	}

	retries, limited := 0, 0
	// rlWaited sums the 429 waits this request accepted; ownPause is the
	// last one, which the limiter is about to wait out and which must not
	// be counted twice against MaxRateLimitWait.
	var rlWaited, ownPause time.Duration
	for attempt := 1; ; attempt++ {
		g, err := t.limiter.acquire(ctx, t.maxRLWait-rlWaited+ownPause)
		if err != nil {
			return nil, err
		}
		ownPause = 0
		r := t.attempt(ctx, req, body, info, attempt)

		if r.err != nil {
			if r.sent {
				t.limiter.finish(g, nil, false, time.Time{})
			} else {
				t.limiter.release(g) // nothing reached Plain
			}
			if ctx.Err() != nil {
				// The caller gave up (cancelled or its own deadline).
				if info.mutation && r.sent {
					return nil, &outcomeUnknownError{cause: ctx.Err()}
				}
				return nil, ctx.Err()
			}
			err := r.err
			var dnsErr *net.DNSError
			switch {
			case !r.sent && errors.As(err, &dnsErr) && dnsErr.IsNotFound:
				// The name does not exist (NXDOMAIN): asking again will not
				// create it, and five retries only hide a typo'd --api-url.
				return nil, fmt.Errorf("unknown host %q: no such host (check --api-url or $PLAIN_API_URL)", dnsErr.Name)
			case !r.sent && errors.Is(err, loopback.ErrNotLoopback):
				// The resolver will not change its mind on a retry.
				return nil, fmt.Errorf("API key not sent: %w", loopback.ErrNotLoopback)
			case !r.sent:
				// Nothing reached Plain (refused, DNS, TLS, dial timeout):
				// retrying is safe even for a mutation.
			case info.mutation:
				return nil, &outcomeUnknownError{cause: err}
			}
			if retries >= t.maxRetries {
				return nil, gaveUp(err, attempt)
			}
			if err := t.backoff(ctx, info, retries, err); err != nil {
				return nil, err
			}
			retries++
			continue
		}

		// Every answer feeds the limiter: its headers say what Plain's
		// window has left, and after a 429 all requests, including those
		// queued in the limiter, wait for the reset together instead of
		// each collecting a 429 of its own.
		gerr, noData, jsonErr := decodeErrors(r.status, r.body)
		if gerr != nil {
			t.scrubErrors(gerr)
		}
		desc := &HTTPError{Status: r.status, ContentType: mediaType(r.header.Get("Content-Type")), Size: len(r.body)}
		if t.scrub(desc.ContentType) != desc.ContentType {
			desc.ContentType = "" // even the media type echoes a secret
		}
		rateLimited := r.status == http.StatusTooManyRequests || (gerr != nil && gerr.HasCode(CodeRateLimited))
		var wait time.Duration
		if rateLimited {
			wait = t.rateLimitWait(r.header, limited)
		}
		t.limiter.finish(g, r.header, rateLimited, t.clock.Now().Add(wait))

		if r.status >= 300 && r.status < 400 {
			// Following a redirect would re-send the Authorization header to
			// wherever it points.
			// Where it points is the server's text: not shown.
			desc.Reason = "unexpected redirect"
			return nil, desc
		}

		if rateLimited {
			var rlErr error = gerr
			if gerr == nil {
				rlErr = desc
			}
			if wait > t.maxRLWait-rlWaited {
				return nil, fmt.Errorf("%w (Plain asked to wait %s; waited %s of at most %s)", rlErr, roundDur(wait), roundDur(rlWaited), roundDur(t.maxRLWait))
			}
			t.debugf("    rate limited; waiting %s before retrying %s\n", roundDur(wait), info.op)
			rlWaited += wait
			ownPause = wait
			limited++
			continue
		}

		err = nil
		switch {
		case jsonErr != nil:
			err = desc
		case gerr != nil:
			err = gerr
		case noData:
			desc.Reason = "response has neither data nor errors"
			err = desc
		case r.status < 200 || r.status > 299:
			desc.Reason = "unexpected response"
			err = desc
		}
		if err == nil {
			return &http.Response{
				Status:        strconv.Itoa(r.status) + " " + http.StatusText(r.status),
				StatusCode:    r.status,
				Proto:         "HTTP/1.1",
				ProtoMajor:    1,
				ProtoMinor:    1,
				Header:        r.header,
				Body:          io.NopCloser(bytes.NewReader(r.body)),
				ContentLength: int64(len(r.body)),
				Request:       req,
			}, nil
		}

		// Server-side failure: 5xx, INTERNAL_SERVER_ERROR, or a 2xx that is
		// not GraphQL (a proxy's page). Request-side failures (4xx, parse,
		// validation, auth) are final: repeating them changes nothing, and
		// they prove a mutation was not applied.
		// 501 and 505 say the server cannot handle this kind of request at
		// all: repeating it is pointless, and nothing was applied.
		unsupported := r.status == http.StatusNotImplemented || r.status == http.StatusHTTPVersionNotSupported
		serverSide := (r.status >= 500 && !unsupported) || (r.status < 300 && (jsonErr != nil || noData))
		if gerr != nil {
			serverSide = gerr.retryable()
		}
		if !serverSide {
			return nil, err
		}
		if info.mutation {
			return nil, &outcomeUnknownError{cause: err}
		}
		if retries >= t.maxRetries {
			return nil, gaveUp(err, attempt)
		}
		if err := t.backoff(ctx, info, retries, err); err != nil {
			return nil, err
		}
		retries++
	}
}

// attempt sends the request once with the per-attempt timeout and reads the
// whole response.
func (t *transport) attempt(ctx context.Context, orig *http.Request, body []byte, info *reqInfo, n int) result {
	actx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	var r result
	var sent atomic.Bool
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		// Headers written means Plain may have seen the request; before
		// this, a failure proves nothing was applied.
		WroteHeaders: func() { sent.Store(true) },
	})
	req, err := http.NewRequestWithContext(actx, http.MethodPost, orig.URL.String(), bytes.NewReader(body))
	if err != nil {
		return result{err: fmt.Errorf("build request: %w", err)}
	}
	for k, vs := range orig.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	req.Header.Set("Authorization", "Bearer "+t.key)
	req.Header.Set("User-Agent", t.userAgent)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	t.debugRequest(info, n)

	start := time.Now()
	res, err := t.base.RoundTrip(req)
	if err == nil {
		defer res.Body.Close()
		r.status, r.header = res.StatusCode, res.Header
		r.body, err = io.ReadAll(io.LimitReader(res.Body, maxBody+1))
		if bc, ok := ctx.Value(byteCountKey{}).(*byteCount); ok {
			bc.n.Add(int64(len(r.body)))
		}
		if err == nil && len(r.body) > maxBody {
			err = fmt.Errorf("response body larger than %d MiB", maxBody>>20)
		}
		if err != nil {
			r.status = 0
			err = fmt.Errorf("reading response: %w", err)
		}
	}
	r.elapsed = time.Since(start)
	r.sent = sent.Load()
	if r.sent {
		t.sent.Add(1)
	}
	if err != nil {
		if actx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			err = &timeoutError{after: t.timeout, sent: r.sent}
		}
		r.err = err
		t.debugf("<-- %s failed after %s: %s\n", info.op, roundDur(r.elapsed), redactString(err.Error(), t.key))
		return r
	}
	t.debugf("<-- %s %d %s in %s\n", info.op, r.status, http.StatusText(r.status), roundDur(r.elapsed))
	return r
}

// timeoutError is a per-attempt timeout; it matches
// context.DeadlineExceeded for callers that test for timeouts generically.
type timeoutError struct {
	after time.Duration
	sent  bool
}

func (e *timeoutError) Error() string {
	if !e.sent {
		return fmt.Sprintf("could not connect within %s", e.after)
	}
	return fmt.Sprintf("no response within %s", e.after)
}

func (e *timeoutError) Unwrap() error { return context.DeadlineExceeded }

// rateLimitWait reads how long Plain wants us to wait from
// x-ratelimit-reset (an ISO-8601 time) or Retry-After (seconds or an HTTP
// date). A reset that cannot be read or already passed (clock skew) defers
// to Retry-After; without a usable header it falls back to the retry
// backoff.
func (t *transport) rateLimitWait(h http.Header, n int) time.Duration {
	now := t.clock.Now()
	var wait time.Duration
	if v := strings.TrimSpace(h.Get("X-Ratelimit-Reset")); v != "" {
		if ts, err := time.Parse(time.RFC3339Nano, v); err == nil {
			wait = ts.Sub(now)
		}
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); wait <= 0 && v != "" {
		if secs, err := strconv.Atoi(v); err == nil {
			wait = time.Duration(secs) * time.Second
		} else if ts, err := http.ParseTime(v); err == nil {
			wait = ts.Sub(now)
		}
	}
	if wait <= 0 {
		wait = t.backoffDelay(n)
	}
	return wait
}

// backoffDelay is exponential with "equal jitter": half the step is fixed
// so retries never bunch at zero, half is random so clients spread out.
func (t *transport) backoffDelay(n int) time.Duration {
	d := t.backoffBase
	for i := 0; i < n && d < t.backoffMax; i++ {
		d *= 2
	}
	d = min(d, t.backoffMax)
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

func (t *transport) backoff(ctx context.Context, info *reqInfo, n int, cause error) error {
	d := t.backoffDelay(n)
	t.debugf("    retrying %s in %s after: %s\n", info.op, roundDur(d), redactString(cause.Error(), t.key))
	return sleep(ctx, d)
}

func sleep(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func gaveUp(err error, attempts int) error {
	if attempts <= 1 {
		return err
	}
	return fmt.Errorf("%w (gave up after %d attempts)", err, attempts)
}

// wireError is one entry of a response's top-level errors array.
type wireError struct {
	Message    string `json:"message"`
	Path       []any  `json:"path"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// decodeErrors parses a GraphQL response body. jsonErr is set when the body
// is not a JSON object at all; gerr when it carries top-level errors; noData
// when a 2xx response has no data, which machinebox would silently accept
// as empty.
func decodeErrors(status int, body []byte) (gerr *GraphQLError, noData bool, jsonErr error) {
	var resp struct {
		Data   json.RawMessage `json:"data"`
		Errors []wireError     `json:"errors"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, false, err
	}
	if len(resp.Errors) > 0 {
		g := &GraphQLError{Status: status}
		for _, e := range resp.Errors {
			g.Errors = append(g.Errors, ErrorItem{Message: e.Message, Code: e.Extensions.Code, Path: e.Path})
		}
		return g, false, nil
	}
	noData = len(resp.Data) == 0 || string(resp.Data) == "null"
	return nil, noData && status >= 200 && status <= 299, nil
}

// bytesAfterQuery returns the value of the "query" member of a request
// body, or nil.
func bytesAfterQuery(body []byte) []byte {
	var b struct {
		Query string `json:"query"`
	}
	if json.Unmarshal(body, &b) != nil {
		return nil
	}
	return []byte(b.Query)
}

func roundDur(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	}
	return d
}
