package api

import (
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// TestConfigure: the flags are checked first, then the key (present, long
// enough, never quoted); the options carry the key, the flags and the
// endpoint.
func TestConfigure(t *testing.T) {
	good := Settings{KeyEnv: "MY_KEY", RateLimit: 450, Timeout: 30 * time.Second, LookupEnv: envOf(map[string]string{"MY_KEY": testKey})}
	o, err := Configure(good)
	if err != nil {
		t.Fatal(err)
	}
	if o.URL != DefaultURL || o.APIKey != testKey || o.Timeout != 30*time.Second || o.RateLimit != 450 || o.Debug != nil || o.Mask != nil {
		t.Errorf("options %+v", o)
	}
	for _, tc := range []struct {
		change func(*Settings)
		want   string
	}{
		{func(s *Settings) { s.RateLimit = 0 }, "--rate-limit must be at least 1 request per minute, got 0"},
		{func(s *Settings) { s.Timeout = 0 }, "--timeout must be positive, got 0s"},
		{func(s *Settings) { s.LookupEnv = envOf(map[string]string{"MY_KEY": "  "}) }, "no API key: set $MY_KEY to a Plain API key (plainsync never takes the key as a flag)"},
		{func(s *Settings) { s.LookupEnv = envOf(nil) }, "no API key: set $MY_KEY"},
		{func(s *Settings) { s.LookupEnv = envOf(map[string]string{"MY_KEY": "short-key"}) }, "$MY_KEY holds 9 characters"},
		// The flags are checked before the key is read.
		{func(s *Settings) { s.RateLimit, s.LookupEnv = -1, envOf(nil) }, "--rate-limit must be at least 1"},
	} {
		s := good
		tc.change(&s)
		_, err := Configure(s)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		} else if strings.Contains(err.Error(), "short-key") {
			t.Errorf("the key is quoted: %v", err)
		}
	}
}

func TestEndpoint(t *testing.T) {
	env := envOf(map[string]string{EnvURL: "http://127.0.0.1:9/graphql"})
	for _, tc := range []struct {
		flag string
		env  func(string) (string, bool)
		want string
	}{
		{"https://flag.example/graphql", env, "https://flag.example/graphql"},
		{"", env, "http://127.0.0.1:9/graphql"},
		{"", envOf(map[string]string{EnvURL: ""}), DefaultURL},
		{"", envOf(nil), DefaultURL},
	} {
		if got := Endpoint(tc.flag, tc.env); got != tc.want {
			t.Errorf("Endpoint(%q) = %q, want %q", tc.flag, got, tc.want)
		}
	}
}
