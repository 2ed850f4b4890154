package deliver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/plainsync/plainsync/internal/loopback"
)

// ErrNotLoopback is the reason plain-mock gives for never contacting a
// target: it delivers to loopback only, so that a test run can never post
// a real workspace's events to a real integration.
var ErrNotLoopback = errors.New("plain-mock delivers only to loopback hosts (127.0.0.0/8, ::1, localhost)")

// DialFunc is net.Dialer.DialContext's shape.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// CheckURL says whether u may be delivered to: http or https to a
// loopback host. Anything else is never dialled.
func CheckURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("scheme %q is not http or https: %w", u.Scheme, ErrNotLoopback)
	}
	if !loopback.Host(u.Hostname()) {
		return fmt.Errorf("host %q was not contacted: %w", u.Hostname(), ErrNotLoopback)
	}
	return nil
}

// loopbackOnly wraps dial so that, whatever the URL check let through
// (a redirect, a proxy setting, a bug), a connection is only ever opened to
// a loopback address. localhost is mapped to 127.0.0.1, then ::1, without
// asking a resolver.
func loopbackOnly(dial DialFunc) DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("dial %s: %w", addr, err)
		}
		if strings.EqualFold(host, "localhost") {
			conn, err4 := dial(ctx, network, net.JoinHostPort("127.0.0.1", port))
			if err4 == nil {
				return conn, nil
			}
			conn, err6 := dial(ctx, network, net.JoinHostPort("::1", port))
			if err6 == nil {
				return conn, nil
			}
			return nil, err4
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("dial %s: %w", addr, ErrNotLoopback)
		}
		return dial(ctx, network, addr)
	}
}
