package replay

import "testing"

// ATTACK: SameEndpoint, which decides whether replay asks before sending to production, misses URLs that reach the same receiver: a fully-qualified host with a trailing dot, or a path with a percent-encoded unreserved character (RFC 3986 6.2.2.2), so the confirmation is skipped.
func TestAttackSameEndpointEquivalentURLs(t *testing.T) {
	const live = "https://hooks.example.com/plain"
	for _, to := range []string{
		"https://hooks.example.com./plain",
		"https://hooks.example.com/pl%61in",
		"https://hooks.example.com/%70lain",
	} {
		if !SameEndpoint(to, live) {
			t.Errorf("SameEndpoint(%q, %q) = false: the replay goes to the live target without confirmation", to, live)
		}
	}
}
