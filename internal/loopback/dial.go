package loopback

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrNotLoopback is the error of a plain-http dial that would leave the
// machine.
var ErrNotLoopback = errors.New("refusing to send credentials over plain http: the host resolved to a non-loopback address (plain http is allowed only when the connection stays on this machine; use https)")

// Resolver looks names up; *net.Resolver is one, and tests inject another.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// dialFunc opens a connection, like net.Dialer.DialContext.
type dialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// loopbackDialer is the dialer of a client that sends a credential over
// plain http. The URL's host passed Host by name ("localhost", 127.0.0.1,
// ::1), but a name is only what the resolver answers: a tampered
// /etc/hosts or resolver could send "localhost" anywhere, and the
// credential travels in the clear. So every dial resolves the host itself, refuses unless every
// address is loopback, and connects to the checked address literally;
// the socket's Control hook checks the address once more right before
// connect(2), whatever dial is underneath.
type loopbackDialer struct {
	resolve Resolver
	dial    dialFunc
}

func newLoopbackDialer(base dialFunc) *loopbackDialer {
	d := &loopbackDialer{resolve: net.DefaultResolver, dial: base}
	if d.dial == nil {
		nd := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: controlLoopback}
		d.dial = nd.DialContext
	}
	return d
}

// controlLoopback refuses, at the socket level, to connect anywhere but a
// loopback address.
func controlLoopback(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !ap.Addr().Unmap().IsLoopback() {
		return ErrNotLoopback
	}
	return nil
}

// DialContext resolves addr's host, checks every address and dials the
// first loopback one by its literal address.
func (d *loopbackDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else {
		ipNet := "ip"
		switch network {
		case "tcp4":
			ipNet = "ip4"
		case "tcp6":
			ipNet = "ip6"
		}
		if addrs, err = d.resolve.LookupNetIP(ctx, ipNet, host); err != nil {
			return nil, err
		}
	}
	if len(addrs) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	// One non-loopback answer is enough to distrust the resolver: no
	// address of it is tried.
	for _, a := range addrs {
		if !a.Unmap().IsLoopback() {
			return nil, ErrNotLoopback
		}
	}
	var firstErr error
	for _, a := range addrs {
		c, err := d.dial(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return c, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}

// Transport returns base (nil: http.DefaultTransport) with its dials
// limited to loopback: every connection resolves the host with r (nil: the
// system's resolver) and is refused unless each address is loopback, and
// the socket is checked again right before it connects. Use it for every
// plain-http client that carries a credential. base must be an
// *http.Transport, whose dialing can be checked; the returned one is a
// clone, base is left alone.
func Transport(base http.RoundTripper, r Resolver) (http.RoundTripper, error) {
	if base == nil {
		base = http.DefaultTransport
	}
	ht, ok := base.(*http.Transport)
	if !ok {
		return nil, errors.New("refusing to send credentials over plain http through a custom transport: its dials cannot be checked to stay on this machine")
	}
	var dial dialFunc
	if base != http.DefaultTransport {
		// A transport of the caller's own (tests): keep its dialing.
		dial = ht.DialContext
	}
	ht = ht.Clone()
	d := newLoopbackDialer(dial)
	if r != nil {
		d.resolve = r
	}
	ht.DialContext = d.DialContext
	// A proxy would be dialled instead of the host, and the check above
	// would then refuse it; loopback needs none.
	ht.Proxy = nil
	return ht, nil
}
