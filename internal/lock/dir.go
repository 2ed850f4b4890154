package lock

import (
	"os"
	"path/filepath"
)

// Dir is where local locks live: the user cache directory (as
// $XDG_CACHE_HOME or $HOME/.cache say), else the temporary directory.
// getenv reads the environment ("" when unset).
func Dir(getenv func(string) string) string {
	if d := getenv("XDG_CACHE_HOME"); filepath.IsAbs(d) {
		return d
	}
	if h := getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Join(h, ".cache")
	}
	return os.TempDir()
}
