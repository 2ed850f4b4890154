package cli

import (
	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/version"
)

// VersionOptions are the version command's inputs.
type VersionOptions struct {
	f      *Factory
	output string
}

// NewCmdVersion binds the flags to VersionOptions; runF does the work
// (nil: versionRun; tests capture it).
func NewCmdVersion(f *Factory, runF func(*VersionOptions) error) *cobra.Command {
	if runF == nil {
		runF = versionRun
	}
	opts := &VersionOptions{f: f}
	cmd := &cobra.Command{
		Use:     "version",
		Short:   "Print plainsync's version, commit and Go version",
		Example: "  plainsync version\n  plainsync version -o json",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return runF(opts) },
	}
	cmd.Flags().StringVarP(&opts.output, "output", "o", "text", "output format: text or json")
	return cmd
}

// versionRun prints the build's version.
func versionRun(opts *VersionOptions) error {
	return opts.f.gate().Version(opts.f.IO.Out, version.Get(), opts.output)
}
