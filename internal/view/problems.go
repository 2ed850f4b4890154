package view

import (
	"fmt"
	"io"
	"os"

	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// DefaultFile is the desired-state file commands read when -f is not given.
const DefaultFile = "plainsync.yaml"

// PrintProblems writes each problem's FILE:LINE:COL: message line to w,
// masking secrets with m (nil masks nothing).
// A missing default file gets a hint: it is what a first run in the wrong
// directory, or before any file exists, runs into.
func PrintProblems(w io.Writer, ps []spec.Problem, m *secret.Masker) {
	for _, p := range ps {
		fmt.Fprintln(w, inert.Text(secret.RedactURLsInText(m.Mask(p.String()))))
		if p.Pos.File == DefaultFile && p.Pos.Line == 0 && p.Message == "file not found" {
			if st, err := os.Stat(DefaultFileYML); err == nil && st.Mode().IsRegular() {
				// The commonest cause: the file is there, spelt .yml.
				fmt.Fprintln(w, ymlHint)
			} else {
				fmt.Fprintln(w, MissingDefaultHint)
			}
		}
	}
}

// DefaultFileYML is the default file's other common spelling.
const DefaultFileYML = "plainsync.yml"

const ymlHint = "hint: ./" + DefaultFileYML + " exists, but without -f plainsync reads ./" + DefaultFile +
	": run with -f " + DefaultFileYML + ", or rename the file"

// MissingDefaultHint follows "file not found" for the default file.
const MissingDefaultHint = "hint: without -f, plainsync reads ./" + DefaultFile +
	"; name files or directories with -f, or write a first file from a live workspace with: plainsync export --out " + DefaultFile
