package loopback

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"testing"
)

// The socket-level hook refuses any non-loopback address, whatever name
// led to it.
func TestControlLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:80": true, "127.9.9.9:1": true, "[::1]:443": true, "[::ffff:127.0.0.1]:80": true,
		"203.0.113.7:80": false, "[2001:db8::1]:80": false, "0.0.0.0:80": false, "localhost:80": false,
	} {
		if err := controlLoopback("tcp", addr, nil); (err == nil) != ok {
			t.Errorf("controlLoopback(%s) = %v", addr, err)
		}
	}
}

type mapResolver map[string][]netip.Addr

func (m mapResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return m[host], nil
}

// Transport's dialer resolves through the injected resolver and dials
// only checked loopback literals; a non-loopback answer is never dialled.
// The dialer underneath fails the test if it sees anything else.
func TestTransportDialsOnlyCheckedLoopback(t *testing.T) {
	var dialled []string
	base := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialled = append(dialled, addr)
		if ap, err := netip.ParseAddrPort(addr); err != nil || !ap.Addr().IsLoopback() {
			t.Errorf("dialled %s", addr)
		}
		return nil, net.ErrClosed
	}}
	rt, err := Transport(base, mapResolver{
		"localhost": {netip.MustParseAddr("203.0.113.7")},
		"good":      {netip.MustParseAddr("::1")},
	})
	if err != nil {
		t.Fatal(err)
	}
	dial := rt.(*http.Transport).DialContext
	if _, err := dial(context.Background(), "tcp", "localhost:80"); !errors.Is(err, ErrNotLoopback) {
		t.Errorf("tampered localhost: err = %v", err)
	}
	if _, err := dial(context.Background(), "tcp", "203.0.113.8:80"); !errors.Is(err, ErrNotLoopback) {
		t.Errorf("literal non-loopback: err = %v", err)
	}
	if _, err := dial(context.Background(), "tcp", "good:8080"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("good: err = %v", err)
	}
	if len(dialled) != 1 || dialled[0] != "[::1]:8080" {
		t.Errorf("dialled %v, want only [::1]:8080", dialled)
	}
	if base.DialContext == nil || rt == http.RoundTripper(base) {
		t.Error("Transport changed its base instead of cloning it")
	}
	if _, err := Transport(roundTripperFunc(nil), nil); err == nil {
		t.Error("a custom RoundTripper was accepted")
	}
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
