package view

import (
	"fmt"
	"io"

	"github.com/plainsync/plainsync/internal/version"
)

// Version prints the build's version on w through the gate: its Line for
// output "text" (or ""), the Info as an indented JSON document for "json".
// The version and commit come from the build's flags, which a packager
// sets: they are text like any other.
func (g Gate) Version(w io.Writer, info version.Info, output string) error {
	switch output {
	case "json":
		return g.WriteJSON(w, info)
	case "text", "":
		_, err := fmt.Fprintln(w, g.Text(info.Line()))
		return err
	default:
		return fmt.Errorf("unknown output format %q (want text or json)", output)
	}
}
