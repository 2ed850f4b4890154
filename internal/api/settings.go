package api

import (
	"fmt"
	"strings"
	"time"
)

// EnvURL overrides the endpoint, like --api-url.
const EnvURL = "PLAIN_API_URL"

// Settings are a connection as the user gave it: the flags and the
// environment it is read from.
type Settings struct {
	// KeyEnv names the variable holding the API key.
	KeyEnv string
	// URL is --api-url; "" falls back as Endpoint says.
	URL string
	// RateLimit (--rate-limit) and Timeout (--timeout) must be positive.
	RateLimit int
	Timeout   time.Duration
	// LookupEnv reads the environment (os.LookupEnv in production).
	LookupEnv func(string) (string, bool)
}

// Configure checks s and reads the key, returning the Options of a client
// (without Debug, Mask or Untrusted, which are the caller's). The key's
// length is checked here, before the caller registers it with any
// masker: masking a short value would garble the very message refusing
// it, and every line after it.
func Configure(s Settings) (Options, error) {
	// The API client reads zero as "use the default"; a user who typed 0
	// meant something else, so say so instead of guessing.
	if s.RateLimit < 1 {
		return Options{}, fmt.Errorf("--rate-limit must be at least 1 request per minute, got %d", s.RateLimit)
	}
	if s.Timeout <= 0 {
		return Options{}, fmt.Errorf("--timeout must be positive, got %s", s.Timeout)
	}
	key, _ := s.LookupEnv(s.KeyEnv)
	if strings.TrimSpace(key) == "" {
		return Options{}, fmt.Errorf("no API key: set $%s to a Plain API key (plainsync never takes the key as a flag)", s.KeyEnv)
	}
	if err := CheckKeyLength(s.KeyEnv, key); err != nil {
		return Options{}, err
	}
	return Options{URL: Endpoint(s.URL, s.LookupEnv), APIKey: key, Timeout: s.Timeout, RateLimit: s.RateLimit}, nil
}

// Endpoint is the GraphQL endpoint: flag (--api-url) when given, else
// $PLAIN_API_URL when set and non-empty, else DefaultURL.
func Endpoint(flag string, lookupEnv func(string) (string, bool)) string {
	if flag != "" {
		return flag
	}
	if u, _ := lookupEnv(EnvURL); u != "" {
		return u
	}
	return DefaultURL
}
