package view

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/plainsync/plainsync/internal/plain"
)

// TargetsTable writes the live targets as a table; every cell comes from
// Plain and is made inert, so that a description can neither rewrite the
// terminal nor start a workflow command.
func (g Gate) TargetsTable(w io.Writer, ts []plain.Target) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDESCRIPTION\tENABLED\tVERSION\tEVENTS\tURL")
	for _, t := range ts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", g.Text(t.ID), g.Text(t.Description), yesNo(t.Enabled), g.Text(t.Version), len(t.EventTypes), g.Whole(t.URL))
	}
	return tw.Flush()
}

// ShowTarget writes one target in full, every field from Plain made inert;
// its URL is shown as the caller left it (redacted, or revealed on purpose).
func (g Gate) ShowTarget(w io.Writer, t plain.Target) {
	fmt.Fprintf(w, "ID:           %s\n", g.Text(t.ID))
	fmt.Fprintf(w, "Description:  %s\n", g.Text(t.Description))
	fmt.Fprintf(w, "URL:          %s\n", g.Whole(t.URL))
	fmt.Fprintf(w, "Enabled:      %s\n", yesNo(t.Enabled))
	fmt.Fprintf(w, "Version:      %s\n", g.Text(t.Version))
	if !t.CreatedAt.IsZero() {
		fmt.Fprintf(w, "Created:      %s\n", t.CreatedAt.UTC().Format("2006-01-02 15:04:05Z"))
	}
	if !t.UpdatedAt.IsZero() {
		fmt.Fprintf(w, "Updated:      %s\n", t.UpdatedAt.UTC().Format("2006-01-02 15:04:05Z"))
	}
	fmt.Fprintf(w, "Events (%d):\n", len(t.EventTypes))
	for _, e := range t.EventTypes {
		fmt.Fprintf(w, "  - %s\n", g.Text(e))
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
