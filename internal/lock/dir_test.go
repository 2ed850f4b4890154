package lock

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDir: $XDG_CACHE_HOME, then $HOME/.cache, each only when absolute,
// else the temporary directory.
func TestDir(t *testing.T) {
	home := filepath.Join(os.TempDir(), "home")
	cache := filepath.Join(os.TempDir(), "cache")
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_CACHE_HOME": cache, "HOME": home}, cache},
		{map[string]string{"XDG_CACHE_HOME": "relative/cache", "HOME": home}, filepath.Join(home, ".cache")},
		{map[string]string{"HOME": home}, filepath.Join(home, ".cache")},
		{map[string]string{"HOME": "relative"}, os.TempDir()},
		{nil, os.TempDir()},
	} {
		if got := Dir(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("Dir(%v) = %q, want %q", tc.env, got, tc.want)
		}
	}
}
