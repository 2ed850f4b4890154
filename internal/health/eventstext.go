package health

import "fmt"

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
