package policy

import (
	"path/filepath"

	"github.com/plainsync/plainsync/internal/spec"
)

// LoadOrEnv loads the --policy paths, or those $PLAINSYNC_POLICY lists
// (separated like PATH) when the flag is not given; lookupEnv reads the
// environment. No paths: a nil set, which checks nothing.
func LoadOrEnv(paths []string, lookupEnv func(string) (string, bool)) (*Set, []spec.Problem) {
	if len(paths) == 0 {
		if v, ok := lookupEnv(EnvPolicy); ok {
			for _, p := range filepath.SplitList(v) {
				if p != "" {
					paths = append(paths, p)
				}
			}
		}
	}
	if len(paths) == 0 {
		return nil, nil
	}
	return Load(paths)
}
