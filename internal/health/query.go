package health

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Check normalizes q.Status (case and surrounding space do not matter)
// and refuses what the deliveries flags that fill q cannot mean: an
// unknown --status, a negative --limit, or a negative --since (since is
// the window Window reaches back).
func (q *Query) Check(since time.Duration) error {
	q.Status = strings.ToLower(strings.TrimSpace(q.Status))
	if q.Status != "" && !slices.Contains(ResultKinds, q.Status) {
		return fmt.Errorf("unknown --status %q (want one of %s)", q.Status, strings.Join(ResultKinds, ", "))
	}
	if q.Limit < 0 {
		return fmt.Errorf("--limit must not be negative, got %d", q.Limit)
	}
	if since < 0 {
		return fmt.Errorf("--since must not be negative, got %s", since)
	}
	return nil
}

// Window is q ending at now and, when since is positive, reaching since
// back from now (else all history).
func (q Query) Window(now time.Time, since time.Duration) Query {
	q.Now = now
	if since > 0 {
		q.Since = now.Add(-since)
	}
	return q
}
