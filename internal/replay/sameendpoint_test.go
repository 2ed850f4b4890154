package replay

import "testing"

// SameEndpoint, which decides whether replay asks before sending to a
// live target's URL, sees through the spellings RFC 3986 section 6.2.2
// calls equivalent: a fully-qualified host with a trailing dot, escapes of
// unreserved characters, escape case, dot segments, IP spellings.
func TestSameEndpointEquivalentURLs(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"https://hooks.example.com./plain", "https://hooks.example.com/plain", true},
		{"https://hooks.example.com/pl%61in", "https://hooks.example.com/plain", true},
		{"https://hooks.example.com/%70lain", "https://hooks.example.com/plain", true},
		{"https://hooks.example.com/%7Eops", "https://hooks.example.com/~ops", true},
		{"https://hooks.example.com/a%2fb", "https://hooks.example.com/a%2Fb", true},
		{"https://HOOKS.example.COM.:0443/x/./y/../plain", "https://hooks.example.com/x/plain", true},
		{"https://hooks.example.com/plain?q=%61", "https://hooks.example.com/plain?q=a", true},
		{"http://[::ffff:127.0.0.1]:8080/a", "http://127.0.0.1:8080/a", true},
		{"http://[0:0::1]:8080/a", "http://[::1]:8080/a", true},
		// Different receivers stay different.
		{"https://hooks.example.com/a%2Fb", "https://hooks.example.com/a/b", false},
		{"https://hooks.example.com/plain", "https://hooks.example.com/Plain", false},
		{"https://hooks.example.com:8443/plain", "https://hooks.example.com/plain", false},
		{"http://hooks.example.com/plain", "https://hooks.example.com/plain", false},
		{"https://hooks.example.com/plain", "https://other.example.com/plain", false},
		{"https://hooks.example.com/plain", "::not a url", false},
		{"https://hooks.example.com:99999/plain", "https://hooks.example.com:99999/plain", false},
	} {
		if got := SameEndpoint(tc.a, tc.b); got != tc.same {
			t.Errorf("SameEndpoint(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.same)
		}
		if got := SameEndpoint(tc.b, tc.a); got != tc.same {
			t.Errorf("SameEndpoint(%q, %q) = %v, want %v", tc.b, tc.a, got, tc.same)
		}
	}
}

// SameHost is true for any URL on a live target's host and port, whatever
// its path, and false for another port or host.
func TestSameHost(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"https://hooks.example.com/other?x=1", "https://hooks.example.com/plain", true},
		{"https://Hooks.Example.com.:443", "https://hooks.example.com/plain", true},
		{"http://127.0.0.1:1/a", "http://127.0.0.1:2/a", false},
		{"https://staging.example.com/plain", "https://hooks.example.com/plain", false},
		{"%", "https://hooks.example.com/plain", false},
	} {
		if got := SameHost(tc.a, tc.b); got != tc.same {
			t.Errorf("SameHost(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}

// removeDotSegments follows the examples of RFC 3986 section 5.2.4.
func TestRemoveDotSegments(t *testing.T) {
	for in, want := range map[string]string{
		"/a/b/c/./../../g":   "/a/g",
		"mid/content=5/../6": "mid/6",
		"/a/..":              "/",
		"/..":                "/",
		"/a/./":              "/a/",
		"/plain":             "/plain",
		"":                   "",
	} {
		if got := removeDotSegments(in); got != want {
			t.Errorf("removeDotSegments(%q) = %q, want %q", in, got, want)
		}
	}
}
