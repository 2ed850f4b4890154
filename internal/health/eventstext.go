package health

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/plainsync/plainsync/internal/inert"
)

// OutcomeText is an event's outcome in a few words: "delivered after 3
// attempts", "retrying, next attempt due 2026-…Z", "failed, retries
// exhausted" or "failed, not retried (rejected)".
func (e EventRow) OutcomeText() string {
	switch e.Outcome {
	case OutcomeDelivered:
		return "delivered after " + plural(e.DeliveredAfter, "attempt")
	case OutcomeRetrying:
		if e.NextAttemptAt != nil {
			return "retrying, next attempt due " + FormatTime(*e.NextAttemptAt)
		}
		return "retrying"
	case OutcomeFailed:
		if e.Attempts >= MaxAttemptsPerEvent {
			return "failed, retries exhausted"
		}
		if e.LastFailure != nil {
			return "failed, not retried (" + e.LastFailure.Result + ")"
		}
		return "failed"
	}
	return e.Outcome
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// WriteEvents prints one line per event and target, as the deliveries
// command lists them. Every server-provided text goes through inert.Text.
func WriteEvents(w io.Writer, es []EventRow) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LAST ATTEMPT\tEVENT\tTYPE\tTARGET\tFIRST ATTEMPT\tATTEMPTS\tOUTCOME\tLAST FAILURE")
	for _, e := range es {
		last := "-"
		if e.LastFailure != nil {
			last = strings.TrimSpace(e.LastFailure.Result + " " + e.LastFailure.Detail())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", FormatTime(e.LastAttemptAt), inert.Text(e.EventID), inert.Text(e.EventType),
			inert.Text(e.Target), FormatTime(e.FirstAttemptAt), e.Attempts, e.OutcomeText(), inert.Text(last))
	}
	return tw.Flush()
}
