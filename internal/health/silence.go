package health

import (
	"context"
	"fmt"
	"time"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
)

// MarkSilent flags each target of r that is enabled in Plain, subscribed
// to at least one event type, and had no successful delivery in the
// maxSilence before now: a receiver that stopped answering, or a pipeline
// that stopped sending, both look like this. A target created within the
// maxSilence (diff.TargetState.CreatedAt of the change's Before) is not
// flagged. Targets whose attempts r
// already read that far back are judged from r; the others' attempts are
// read back to now-maxSilence.
func MarkSilent(ctx context.Context, c Lister, r *Report, changes []diff.Change, maxSilence time.Duration, now time.Time) error {
	if r == nil || maxSilence <= 0 {
		return nil
	}
	r.MaxSilence = maxSilence.String()
	since := now.Add(-maxSilence)
	live := map[string]*diff.TargetState{}
	for _, ch := range changes {
		if ch.TargetID != "" && ch.Before != nil {
			live[ch.TargetID] = ch.Before
		}
	}
	watched := func(th *TargetHealth) bool {
		st := live[th.TargetID]
		return st != nil && st.Enabled && len(st.EventTypes) > 0
	}
	// When r's window is shorter than the silence, the targets are read
	// further back: all of them in one batched read (FetchAttemptsOf).
	var further map[string]Fetched
	if r.Since.After(since) {
		var ids []string
		for i := range r.Targets {
			if watched(&r.Targets[i]) {
				ids = append(ids, r.Targets[i].TargetID)
			}
		}
		var err error
		if further, err = FetchAttemptsOf(ctx, c, ids, nil, since); err != nil {
			return fmt.Errorf("delivery silence: %w", err)
		}
	}
	for i := range r.Targets {
		th := &r.Targets[i]
		if !watched(th) {
			continue
		}
		last := th.LastSuccessAt
		if further != nil {
			as := further[th.TargetID].Attempts
			last = nil
			for _, a := range as {
				if a.Result == plain.ResultSuccessfulResponse {
					at := a.AttemptedAt.UTC()
					last = &at
					break // newest first
				}
			}
			th.LastSuccessAt = last
		}
		// A target Plain created within the silence has not been silent
		// that long, whatever it delivered: a new target may simply have
		// had no event yet. (CreatedAt is zero when unknown: judged as
		// before.)
		if created := live[th.TargetID].CreatedAt; !created.IsZero() && created.After(since) {
			continue
		}
		if last == nil || last.Before(since) {
			th.Silent = true
			r.Silent++
		}
	}
	return nil
}
