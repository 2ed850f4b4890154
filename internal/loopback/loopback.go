// Package loopback decides whether a URL's host names this machine. It is
// the one rule behind every "plain http only to loopback" check: the file
// format's URLs, the API key on the wire, the GitHub token and plain-mock's
// deliveries. Where a credential goes over plain http (the API key, the
// GitHub token), Transport also checks each connection's address at dial
// time, so that the name is not trusted alone.
package loopback

import (
	"net"
	"strings"
)

// Host reports whether host is "localhost" (any case) or a literal
// loopback address. A name that needs a DNS answer never counts: one that
// resolves to loopback today may resolve elsewhere tomorrow.
func Host(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
