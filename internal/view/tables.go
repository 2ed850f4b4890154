package view

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/render"
)

// EventsTable lists the event types by namespace and the webhook versions.
func EventsTable(w io.Writer, types []plain.EventType, versions []plain.WebhookVersion) error {
	fmt.Fprintf(w, "Event types (%d):\n", len(types))
	// One width for every group, so the descriptions line up down the
	// whole list rather than per namespace.
	width := 0
	for _, et := range types {
		width = max(width, len(et.EventType))
	}
	for i := 0; i < len(types); {
		ns := plain.Namespace(types[i].EventType)
		j := i
		for j < len(types) && plain.Namespace(types[j].EventType) == ns {
			j++
		}
		// The glob heads the group: it is how to subscribe to all of it.
		fmt.Fprintf(w, "\n  %s.* (%d)\n", ns, j-i)
		for _, et := range types[i:j] {
			fmt.Fprintf(w, "    %s\n", strings.TrimRight(fmt.Sprintf("%-*s  %s", width, Gate{}.Text(et.EventType), Gate{}.Text(oneLine(et.Description))), " "))
		}
		i = j
	}
	fmt.Fprintf(w, "\nWebhook versions (%d):\n", len(versions))
	vwidth := 0
	for _, v := range versions {
		vwidth = max(vwidth, len(v.Version))
	}
	for _, v := range versions {
		var marks []string
		if v.IsLatest {
			marks = append(marks, "latest")
		}
		if v.IsDeprecated {
			marks = append(marks, "deprecated")
		}
		line := fmt.Sprintf("  %-*s  %s", vwidth, Gate{}.Text(v.Version), strings.Join(marks, ", "))
		if _, err := fmt.Fprintln(w, strings.TrimRight(line, " ")); err != nil {
			return err
		}
	}
	return nil
}

// oneLine keeps a description on its row of the table.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// DeliveryEvents is the default text view: one line per event and
// target, then the health table.
func DeliveryEvents(w io.Writer, rep *health.Listing, targets int) error {
	window := ""
	if rep.Since != nil {
		window = " since " + health.FormatTime(*rep.Since)
	}
	if targets == 0 {
		fmt.Fprintln(w, "No webhook targets.")
		return nil
	}
	if len(rep.Events) == 0 {
		fmt.Fprintf(w, "No delivered or attempted events match%s.\n", window)
	} else {
		shown := ""
		if len(rep.Events) < rep.EventsMatched {
			shown = fmt.Sprintf("; %d of %d shown, raise --limit for more", len(rep.Events), rep.EventsMatched)
		}
		fmt.Fprintf(w, "Events%s (newest first%s; --attempts lists every attempt):\n", window, shown)
		if err := render.HealthEvents(w, rep.Events); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nHealth%s:\n", window)
	return render.HealthTable(w, rep.Health, nil)
}

// DeliveriesTable lists every delivery attempt, then the health per target.
func DeliveriesTable(w io.Writer, rep *health.Listing, targets int) error {
	window := ""
	if rep.Since != nil {
		window = " since " + health.FormatTime(*rep.Since)
	}
	if targets == 0 {
		fmt.Fprintln(w, "No webhook targets.")
		return nil
	}
	if len(rep.Attempts) == 0 {
		fmt.Fprintf(w, "No delivery attempts match%s.\n", window)
	} else {
		shown := ""
		if len(rep.Attempts) < rep.Matched {
			shown = fmt.Sprintf("; %d of %d shown, raise --limit for more", len(rep.Attempts), rep.Matched)
		}
		fmt.Fprintf(w, "Delivery attempts%s (newest first%s):\n", window, shown)
		g := Gate{}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ATTEMPTED\tTARGET\tEVENT\tRESULT\tDURATION\tDETAIL")
		for _, a := range rep.Attempts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%dms\t%s\n", health.FormatTime(a.AttemptedAt), g.Text(a.Target), g.Text(a.EventType), g.Text(a.Result), a.DurationInMilliseconds, g.Text(a.Detail()))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nHealth%s:\n", window)
	return render.HealthTable(w, rep.Health, nil)
}

// PrettyBody indents a JSON body for a terminal; JSON escapes
// control characters in strings, and inert.Lines catches what JSON leaves
// (bidirectional and zero-width characters) and any body that is not JSON.
func PrettyBody(w io.Writer, body []byte) error {
	var b bytes.Buffer
	text := string(body)
	if json.Indent(&b, body, "", "  ") == nil {
		text = b.String()
	}
	_, err := io.WriteString(w, Gate{}.Whole(strings.TrimRight(text, "\n"))+"\n")
	return err
}

// EventReport prints the outcome per target, then every attempt.
func EventReport(w io.Writer, rep *health.EventReport) error {
	if len(rep.Attempts) == 0 {
		fmt.Fprintf(w, "No delivery attempts of %s in any target (attempts are kept with their event, 30 days).\n", rep.EventID)
		return nil
	}
	fmt.Fprintf(w, "Event %s (%s):\n", rep.EventID, Gate{}.Text(rep.EventType))
	if err := render.HealthEvents(w, rep.Targets); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nAttempts (oldest first):")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ATTEMPTED\tTARGET\tATTEMPT\tRESULT\tDURATION\tDETAIL")
	for _, a := range rep.Attempts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%dms\t%s\n", health.FormatTime(a.AttemptedAt), Gate{}.Text(a.Target), Gate{}.Text(a.ID),
			Gate{}.Text(a.Result), a.DurationInMilliseconds, Gate{}.Text(a.Detail()))
	}
	return tw.Flush()
}
