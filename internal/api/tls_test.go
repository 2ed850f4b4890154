package api

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
)

// noDialTransport fails the test if anything is dialled: the API key must
// never leave over plain http to a non-loopback host, and tests never
// reach outside loopback.
func noDialTransport(t *testing.T) *http.Transport {
	return &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		t.Errorf("dialled %s %s", network, addr)
		return nil, net.ErrClosed
	}}
}

func TestAPIKeyOnlyOverTLSOrLoopback(t *testing.T) {
	for _, u := range []string{
		"http://192.0.2.10/graphql/v1",
		"http://10.1.2.3:8080/graphql/v1",
		"http://core-api.uk.plain.com/graphql/v1",
		"http://[2001:db8::1]/graphql/v1",
		"HTTP://example.com/graphql/v1",
		"http://127.0.0.1.nip.io/graphql/v1",
	} {
		c, err := New(Options{APIKey: testKey, URL: u, HTTPClient: &http.Client{Transport: noDialTransport(t)}})
		if err == nil {
			// Prove nothing is sent even if New were to let it through.
			_, _ = c.Snapshot(context.Background())
			t.Errorf("New(%s) accepted plain http to a non-loopback host", u)
			continue
		}
		if !strings.Contains(err.Error(), "use an https:// API URL") || strings.Contains(err.Error(), testKey) {
			t.Errorf("New(%s) error = %v", u, err)
		}
	}
	for _, u := range []string{"http://127.0.0.1:8080/graphql/v1", "http://[::1]:8080/graphql/v1", "http://localhost:1/graphql/v1", "http://127.1.2.3/x", "https://192.0.2.10/graphql/v1"} {
		if _, err := New(Options{APIKey: testKey, URL: u, HTTPClient: &http.Client{Transport: noDialTransport(t)}}); err != nil {
			t.Errorf("New(%s) = %v, want it allowed", u, err)
		}
	}
}
