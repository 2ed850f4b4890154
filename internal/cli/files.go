package cli

import (
	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/spec"
	"github.com/plainsync/plainsync/internal/view"
)

// defaultFile is the desired-state file commands read when -f is not given.
const defaultFile = view.DefaultFile

// addFileFlag registers -f/--file (repeatable; default "plainsync.yaml")
// on cmd. A directory stands for every *.yaml/*.yml file in it.
func addFileFlag(cmd *cobra.Command, files *[]string) {
	cmd.Flags().StringArrayVarP(files, "file", "f", []string{defaultFile},
		"desired-state file, or a directory of *.yaml/*.yml files (repeatable)")
}

// loadFiles loads the desired-state files with the factory's environment:
// spec.LoadPaths with f.LookupEnv. Each file's masker also learns the
// Basic-auth headers its URLs' user info makes, so that a server echoing
// one cannot show it.
func loadFiles(f *Factory, paths []string) ([]*spec.Desired, []spec.Problem) {
	ds, probs := spec.LoadPaths(paths, f.LookupEnv)
	for _, d := range ds {
		learnBasicAuth(d)
	}
	return ds, probs
}

// learnBasicAuth registers the Basic-auth forms of d's URLs with d.Secrets.
func learnBasicAuth(d *spec.Desired) {
	if d == nil || d.Secrets == nil {
		return
	}
	for _, w := range d.Webhooks {
		d.Secrets.AddBasicAuthOf(w.URL.Value)
	}
}
