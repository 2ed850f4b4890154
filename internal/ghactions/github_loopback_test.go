package ghactions

import (
	"net/http"
	"strings"
	"testing"
)

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Over plain http the token's connections are checked at dial time
// (loopback.Transport): a transport whose dials cannot be checked is
// refused, and the default one is wrapped.
func TestGitHubPlainHTTPIsCheckedAtDial(t *testing.T) {
	custom := &http.Client{Transport: rtFunc(func(*http.Request) (*http.Response, error) {
		t.Error("the unchecked transport was used")
		return nil, http.ErrUseLastResponse
	})}
	if _, err := NewGitHub("http://localhost:8080", "ghs_TOKEN", custom); err == nil || !strings.Contains(err.Error(), "cannot be checked") || strings.Contains(err.Error(), "ghs_TOKEN") {
		t.Fatalf("err = %v", err)
	}
	gh, err := NewGitHub("http://localhost:8080", "ghs_TOKEN", nil)
	if err != nil {
		t.Fatal(err)
	}
	if tr, ok := gh.http.Transport.(*http.Transport); !ok || tr == http.DefaultTransport || tr.DialContext == nil {
		t.Fatalf("plain-http transport is not the checked one: %#v", gh.http.Transport)
	}
	// https keeps the caller's transport.
	gh, err = NewGitHub("https://api.github.com", "ghs_TOKEN", custom)
	if err != nil || gh.http.Transport == nil {
		t.Fatalf("https: %v", err)
	}
}
