package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// defaultFile is the desired-state file commands read when -f is not given.
const defaultFile = "plainsync.yaml"

// addFileFlag registers -f/--file (repeatable; default "plainsync.yaml")
// on cmd. A directory stands for every *.yaml/*.yml file in it.
func addFileFlag(cmd *cobra.Command, files *[]string) {
	cmd.Flags().StringArrayVarP(files, "file", "f", []string{defaultFile},
		"desired-state file, or a directory of *.yaml/*.yml files (repeatable)")
}

// loadFiles loads the desired-state files with the factory's environment:
// spec.LoadPaths with f.LookupEnv.
func loadFiles(f *Factory, paths []string) ([]*spec.Desired, []spec.Problem) {
	return spec.LoadPaths(paths, f.LookupEnv)
}

// printProblems writes each problem's FILE:LINE:COL: message line to w,
// masking secrets with m (nil masks nothing).
// A missing default file gets a hint: it is what a first run in the wrong
// directory, or before any file exists, runs into.
func printProblems(w io.Writer, ps []spec.Problem, m *secret.Masker) {
	for _, p := range ps {
		fmt.Fprintln(w, secret.RedactURLsInText(m.Mask(p.String())))
		if p.Pos.File == defaultFile && p.Pos.Line == 0 && p.Message == "file not found" {
			if st, err := os.Stat(defaultFileYML); err == nil && st.Mode().IsRegular() {
				// The commonest cause: the file is there, spelt .yml.
				fmt.Fprintln(w, ymlHint)
			} else {
				fmt.Fprintln(w, missingDefaultHint)
			}
		}
	}
}

// defaultFileYML is the default file's other common spelling.
const defaultFileYML = "plainsync.yml"

const ymlHint = "hint: ./" + defaultFileYML + " exists, but without -f plainsync reads ./" + defaultFile +
	": run with -f " + defaultFileYML + ", or rename the file"

const missingDefaultHint = "hint: without -f, plainsync reads ./" + defaultFile +
	"; name files or directories with -f, or write a first file from a live workspace with: plainsync export --out " + defaultFile
