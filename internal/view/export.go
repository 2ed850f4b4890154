package view

import (
	"fmt"
	"io"
	"strings"

	"github.com/plainsync/plainsync/internal/export"
)

// ExportDocument is an exported file as it is written, to stdout or to
// --out: masked (its URLs stay as they are: the secret parts are ${VAR}s
// already) and, as JSON, made inert.
func (g Gate) ExportDocument(doc []byte, format string) []byte {
	if format == export.FormatJSON {
		return g.JSON(doc)
	}
	return []byte(g.Mask(string(doc)))
}

// ExportWritten tells on w (stderr) that the file went to path, and which
// variables to set before planning it.
func ExportWritten(w io.Writer, path string, ex *export.File) {
	fmt.Fprintf(w, "Wrote %s: %d webhook(s) from workspace %s.\n", path, ex.Webhooks, ex.WorkspaceID)
	if len(ex.Vars) > 0 {
		fmt.Fprintf(w, "Set %s to the values in the live URLs before planning.\n", strings.Join(ex.VarNames(), ", "))
	}
}
