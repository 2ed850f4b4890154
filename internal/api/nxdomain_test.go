package api

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// An unknown host is not retried: the name will not exist on the next
// attempt either. The dialer is injected, so no real DNS is asked.
func TestUnknownHostIsNotRetried(t *testing.T) {
	for _, tc := range []struct {
		name      string
		dnsErr    *net.DNSError
		wantCalls int32
		want      string
	}{
		{"NXDOMAIN", &net.DNSError{Err: "no such host", Name: "core-api.plain.invalid", IsNotFound: true}, 1,
			`read the workspace from Plain: unknown host "core-api.plain.invalid": no such host (check --api-url or $PLAIN_API_URL)`},
		{"temporary DNS failure", &net.DNSError{Err: "server misbehaving", Name: "core-api.plain.invalid", IsTemporary: true}, 3, "server misbehaving"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
				calls.Add(1)
				if !strings.HasPrefix(addr, "core-api.plain.invalid:") {
					t.Errorf("dialled %s", addr)
				}
				return nil, &net.OpError{Op: "dial", Net: network, Err: tc.dnsErr}
			}
			c, err := New(Options{
				URL:         "https://core-api.plain.invalid/graphql/v1",
				APIKey:      testKey,
				HTTPClient:  &http.Client{Transport: &http.Transport{DialContext: dial}},
				MaxRetries:  2,
				BackoffBase: time.Millisecond,
				BackoffMax:  time.Millisecond,
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Workspace(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if got := calls.Load(); got != tc.wantCalls {
				t.Errorf("dialled %d times, want %d", got, tc.wantCalls)
			}
			if strings.Contains(err.Error(), testKey) || errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v", err)
			}
		})
	}
}
