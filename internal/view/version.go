package view

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/plainsync/plainsync/internal/version"
)

// Version prints the build's version on w: its Line for output "text" (or
// ""), the Info as an indented JSON document for "json".
func Version(w io.Writer, info version.Info, output string) error {
	switch output {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	case "text", "":
		fmt.Fprintln(w, info.Line())
		return nil
	default:
		return fmt.Errorf("unknown output format %q (want text or json)", output)
	}
}
