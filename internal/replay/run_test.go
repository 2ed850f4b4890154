package replay

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
)

// fakePlain is a Client with one live target, the delivered body and the
// workspace's HMAC secret (or hmacErr).
type fakePlain struct {
	targets []plain.Target
	body    string
	hmac    string
	hmacErr error
}

func (p *fakePlain) ListWebhookTargets(context.Context) ([]plain.Target, error) {
	return p.targets, nil
}
func (p *fakePlain) PublicEventRequestBody(_ context.Context, id string) ([]byte, error) {
	if id != eventID {
		return nil, errors.New("no such event")
	}
	return []byte(p.body), nil
}
func (p *fakePlain) WorkspaceHmacSecret(context.Context) (string, error) { return p.hmac, p.hmacErr }

// onlyTargets cannot read event bodies.
type onlyTargets struct{}

func (onlyTargets) ListWebhookTargets(context.Context) ([]plain.Target, error) { return nil, nil }

// answer is a Confirmer that records the targets it was asked about.
type answer struct {
	ok    bool
	err   error
	asked []string
}

func (a *answer) ConfirmProduction(target string) (bool, error) {
	a.asked = append(a.asked, target)
	return a.ok, a.err
}

// notes records what Run noted.
type notes struct{ auto, noHmac []string }

func (n *notes) AutoApproved(target string) { n.auto = append(n.auto, target) }
func (n *notes) NoHmacSecret()              { n.noHmac = append(n.noHmac, "no hmac") }

// receiver answers 200 and keeps the signature of each request.
func receiver(t *testing.T) (*httptest.Server, *[]string) {
	var sigs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		sigs = append(sigs, r.Header.Get("Plain-Request-Signature"))
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv, &sigs
}

func runTo(t *testing.T, c Targets, to string, o Options, a *answer, n *notes) (*Outcome, error) {
	t.Helper()
	u, err := url.Parse(to)
	if err != nil {
		t.Fatal(err)
	}
	o.EventID, o.To, o.Now = eventID, u, func() time.Time { return now }
	if o.Secrets == nil {
		o.Secrets = &secret.Masker{}
	}
	return Run(context.Background(), c, o, a, n)
}

// A --to elsewhere than a live target's host is sent without asking, signed
// with the workspace's secret, which the run's masker learns.
func TestRunSignsWithTheWorkspaceSecret(t *testing.T) {
	srv, sigs := receiver(t)
	p := &fakePlain{targets: []plain.Target{{ID: targetID, Description: "live", URL: "https://hooks.example.com/plain"}}, body: delivered, hmac: "whsec_workspace"}
	m := &secret.Masker{}
	a, n := &answer{err: errors.New("must not be asked")}, &notes{}
	out, err := runTo(t, p, srv.URL+"/in", Options{Secrets: m}, a, n)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Signed || out.Delivery.AttemptNumber != 4 || out.Result.Status != 200 || string(out.Result.Body) != "ok" || out.Accepted() != nil {
		t.Errorf("outcome %+v %+v", out, out.Result)
	}
	if len(*sigs) != 1 || (*sigs)[0] != Sign(out.Delivery.Body, "whsec_workspace") {
		t.Errorf("signatures %q", *sigs)
	}
	if m.Mask("whsec_workspace") == "whsec_workspace" {
		t.Error("the masker did not learn the workspace's HMAC secret")
	}
	if len(a.asked) != 0 || len(n.auto) != 0 || len(n.noHmac) != 0 {
		t.Errorf("asked %q, notes %+v", a.asked, n)
	}
}

// Sending to a live target's host (any path) asks first: a yes sends, a no
// cancels, a refusal (no terminal) is the error; --auto-approve sends with a
// note instead of asking.
func TestRunAsksBeforeALiveTargetsHost(t *testing.T) {
	srv, sigs := receiver(t)
	p := &fakePlain{targets: []plain.Target{
		{ID: "whTarget_other", Description: "elsewhere", URL: "https://hooks.example.com/plain"},
		{ID: targetID, Description: "", URL: srv.URL + "/live?token=x"},
	}, body: delivered, hmac: "whsec_workspace"}

	a := &answer{ok: true}
	if _, err := runTo(t, p, srv.URL+"/other-path", Options{}, a, &notes{}); err != nil || len(a.asked) != 1 || a.asked[0] != targetID || len(*sigs) != 1 {
		t.Errorf("yes: %v, asked %q, sent %d", err, a.asked, len(*sigs))
	}
	a = &answer{}
	if _, err := runTo(t, p, srv.URL+"/live", Options{}, a, &notes{}); !errors.Is(err, ErrCancelled) || err.Error() != "replay cancelled" || len(*sigs) != 1 {
		t.Errorf("no: %v, sent %d", err, len(*sigs))
	}
	refusal := errors.New("refusing to replay to the host of live target x (production) without confirmation: stdin is not a terminal; pass --auto-approve")
	if _, err := runTo(t, p, srv.URL+"/live", Options{}, &answer{err: refusal}, &notes{}); err != refusal || len(*sigs) != 1 {
		t.Errorf("no terminal: %v, sent %d", err, len(*sigs))
	}
	a, n := &answer{err: errors.New("must not be asked")}, &notes{}
	if _, err := runTo(t, p, srv.URL+"/live", Options{AutoApprove: true}, a, n); err != nil || len(a.asked) != 0 || len(n.auto) != 1 || n.auto[0] != targetID || len(*sigs) != 2 {
		t.Errorf("--auto-approve: %v, asked %q, notes %+v, sent %d", err, a.asked, n, len(*sigs))
	}
}

// A workspace without an HMAC secret sends unsigned, with a note; a secret
// of the caller's (--hmac-secret-env) signs without asking Plain for one;
// another failure to read the secret stops the replay.
func TestRunSigningKey(t *testing.T) {
	srv, sigs := receiver(t)
	p := &fakePlain{body: delivered, hmacErr: api.ErrNoHmacSecret}
	n := &notes{}
	out, err := runTo(t, p, srv.URL+"/in", Options{}, &answer{}, n)
	if err != nil || out.Signed || len(n.noHmac) != 1 || (*sigs)[0] != "" {
		t.Errorf("no HMAC secret: %v signed %v, notes %+v, signature %q", err, out != nil && out.Signed, n, *sigs)
	}
	n = &notes{}
	out, err = runTo(t, p, srv.URL+"/in", Options{Secret: "whsec_receivers_own"}, &answer{}, n)
	if err != nil || !out.Signed || len(n.noHmac) != 0 || (*sigs)[1] != Sign(out.Delivery.Body, "whsec_receivers_own") {
		t.Errorf("--hmac-secret-env: %v, notes %+v, signatures %q", err, n, *sigs)
	}
	p.hmacErr = errors.New("forbidden")
	if _, err := runTo(t, p, srv.URL+"/in", Options{}, &answer{}, &notes{}); err == nil || err.Error() != "read the workspace's HMAC secret (or pass --hmac-secret-env): forbidden" || len(*sigs) != 2 {
		t.Errorf("HMAC read failure: %v", err)
	}
}

// What cannot be replayed stops before anything is sent; a receiver that
// does not answer is a SendError, and a non-2xx answer is not accepted.
func TestRunFailures(t *testing.T) {
	if _, err := Run(context.Background(), &fakePlain{}, Options{EventID: eventID, To: &url.URL{Scheme: "http", Host: "127.0.0.1:1"}}, &answer{}, &notes{}); err == nil || err.Error() != "replay: Options.Secrets is required" {
		t.Errorf("without Secrets: %v", err)
	}
	if _, err := runTo(t, onlyTargets{}, "http://127.0.0.1:1/x", Options{}, &answer{}, &notes{}); err == nil || err.Error() != "this client cannot read event bodies" {
		t.Errorf("no event client: %v", err)
	}
	if _, err := runTo(t, &fakePlain{body: `{"id":"x"}`, hmac: "k"}, "http://127.0.0.1:1/x", Options{}, &answer{}, &notes{}); err == nil || !strings.HasPrefix(err.Error(), "event "+eventID+": ") {
		t.Errorf("bad body: %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	out, err := runTo(t, &fakePlain{body: delivered, hmac: "k"}, srv.URL, Options{}, &answer{}, &notes{})
	if err != nil || out.Accepted() == nil || out.Accepted().Error() != "the receiver did not accept the replayed delivery (HTTP 418); Plain would count it as failed" {
		t.Errorf("418: %v %v", err, out)
	}
	srv.Close()
	var se *SendError
	if _, err := runTo(t, &fakePlain{body: delivered, hmac: "k"}, srv.URL, Options{}, &answer{}, &notes{}); !errors.As(err, &se) {
		t.Errorf("dead receiver: %v", err)
	}
}

// CheckFlags wants a --to, reads the --hmac-secret-env variable, and
// teaches the masker the --to password (and its Basic-auth form) and that
// secret.
func TestCheckFlags(t *testing.T) {
	env := map[string]string{"OWN": "whsec_own"}
	getenv := func(k string) string { return env[k] }
	m := &secret.Masker{}
	to, key, err := CheckFlags("https://bob:Rq7-yUw3-Ht9x@hooks.example.com/x", "OWN", getenv, m)
	if err != nil || to.Host != "hooks.example.com" || key != "whsec_own" {
		t.Fatalf("%v %v %q", to, err, key)
	}
	for _, s := range []string{"Rq7-yUw3-Ht9x", "whsec_own", "Ym9iOlJxNy15VXczLUh0OXg="} {
		if m.Mask(s) == s {
			t.Errorf("%s is not masked", s)
		}
	}
	for _, tc := range []struct{ to, env, want string }{
		{"", "", "--to URL is required"},
		{"http://hooks.example.com/", "", "http is only for loopback"},
		{"https://x.example.com/", "NOPE", "--hmac-secret-env NOPE: the variable is not set or empty"},
	} {
		if _, _, err := CheckFlags(tc.to, tc.env, getenv, &secret.Masker{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q %q: %v, want %q", tc.to, tc.env, err, tc.want)
		}
	}
}
