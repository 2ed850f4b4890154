package version

import "fmt"

// Line is "plainsync v1.2.3 (commit abc123, go1.26.0)", what `plainsync
// version` and --version print.
func (i Info) Line() string {
	return fmt.Sprintf("plainsync %s (commit %s, %s)", i.Version, i.Commit, i.GoVersion)
}
