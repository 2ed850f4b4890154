// Package version reports the build's version, commit and Go version.
// Makefile stamps Version and Commit with -ldflags; a plain `go install
// module@version` falls back to the module build info.
package version

import (
	"runtime"
	"runtime/debug"
)

// Set at build time: -X github.com/plainsync/plainsync/internal/version.Version=...
var (
	Version = ""
	Commit  = ""
)

// Info is what `plainsync version` prints.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"goVersion"`
}

// Get returns the stamped values, filling gaps from the binary's build info.
func Get() Info {
	info := Info{Version: Version, Commit: Commit, GoVersion: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		if info.Commit == "" {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" {
					info.Commit = s.Value
				}
			}
		}
	}
	if info.Version == "" {
		info.Version = "dev"
	}
	if info.Commit == "" {
		info.Commit = "unknown"
	}
	return info
}

// UserAgent is the User-Agent header plainsync sends.
func UserAgent() string { return "plainsync/" + Get().Version }
