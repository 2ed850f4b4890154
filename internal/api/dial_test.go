package api

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/plainsync/plainsync/internal/loopback"
)

// fakeResolver answers every name with addrs and counts the lookups.
type fakeResolver struct {
	addrs []netip.Addr
	calls atomic.Int32
}

func (r *fakeResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	r.calls.Add(1)
	return r.addrs, nil
}

// A tampered resolver that maps "localhost" to another machine does not
// get the key over plain http: the dial checks the address, and nothing
// is dialled at all. The dialer under the check fails the test if it is
// ever called with a non-loopback address, so no real one is dialled.
func TestPlainHTTPDialsOnlyLoopback(t *testing.T) {
	for _, answer := range [][]netip.Addr{
		{netip.MustParseAddr("203.0.113.7")},
		{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("203.0.113.7")},
		{netip.MustParseAddr("2001:db8::7")},
		{netip.MustParseAddr("::ffff:198.51.100.9")},
	} {
		res := &fakeResolver{addrs: answer}
		var dialled atomic.Int32
		dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
			dialled.Add(1)
			t.Errorf("dialled %s %s", network, addr)
			return nil, net.ErrClosed
		}
		c, err := New(Options{
			APIKey: testKey, URL: "http://localhost:8080/graphql/v1",
			HTTPClient: &http.Client{Transport: &http.Transport{DialContext: dial}},
			resolver:   res,
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Workspace(context.Background())
		if err == nil || !errors.Is(err, loopback.ErrNotLoopback) && !strings.Contains(err.Error(), "non-loopback address") {
			t.Fatalf("%v: err = %v, want the loopback refusal", answer, err)
		}
		if strings.Contains(err.Error(), testKey) {
			t.Errorf("key in error: %v", err)
		}
		if res.calls.Load() == 0 || dialled.Load() != 0 || c.RequestCount() != 0 {
			t.Errorf("%v: %d lookups, %d dials, %d requests sent", answer, res.calls.Load(), dialled.Load(), c.RequestCount())
		}
	}
}

// When "localhost" does resolve to loopback, the request goes through, to
// the checked address; https is not affected by the check at all.
func TestPlainHTTPToLoopbackStillWorks(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":{"myWorkspace":{"id":"w_01HD4400VTDJQ646V6RY37SR7K","name":"Acme"}}}`))
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	res := &fakeResolver{addrs: []netip.Addr{netip.MustParseAddr("127.0.0.1")}}
	var dialled []string
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialled = append(dialled, addr)
		if ap, err := netip.ParseAddrPort(addr); err != nil || !ap.Addr().IsLoopback() {
			t.Fatalf("dialled %s", addr)
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	c, err := New(Options{APIKey: testKey, URL: "http://localhost:" + port + "/graphql/v1",
		HTTPClient: &http.Client{Transport: &http.Transport{DialContext: dial}}, resolver: res})
	if err != nil {
		t.Fatal(err)
	}
	ws, err := c.Workspace(context.Background())
	if err != nil || ws.ID != "w_01HD4400VTDJQ646V6RY37SR7K" {
		t.Fatalf("workspace %+v, err %v", ws, err)
	}
	if len(dialled) != 1 || dialled[0] != "127.0.0.1:"+port {
		t.Errorf("dialled %v, want the checked address 127.0.0.1:%s", dialled, port)
	}

	// https: the resolver is never consulted by the check.
	res = &fakeResolver{addrs: []netip.Addr{netip.MustParseAddr("203.0.113.7")}}
	c, err = New(Options{APIKey: testKey, URL: "https://core-api.plain.invalid/graphql/v1", MaxRetries: -1,
		HTTPClient: &http.Client{Transport: noDialTransport(t)}, resolver: res})
	if err != nil {
		t.Fatal(err)
	}
	_ = c // not dialled: only New's choice of transport is under test
	if res.calls.Load() != 0 {
		t.Errorf("https consulted the loopback resolver")
	}
}

// A transport whose dials cannot be checked is refused for plain http.
func TestPlainHTTPNeedsACheckableTransport(t *testing.T) {
	rt := roundTripperFunc(func(*http.Request) (*http.Response, error) {
		t.Error("custom transport used")
		return nil, net.ErrClosed
	})
	_, err := New(Options{APIKey: testKey, URL: "http://127.0.0.1:1/graphql/v1", HTTPClient: &http.Client{Transport: rt}})
	if err == nil || !strings.Contains(err.Error(), "custom transport") {
		t.Fatalf("err = %v", err)
	}
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
