package reconcile

import (
	"context"
	"errors"
	"time"

	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/ordered"
	"github.com/plainsync/plainsync/internal/plain"
)

// HealthOptions are drift's delivery-health check: Window and MinRate
// (--health-window, --min-success-rate) and MaxSilence (--max-silence).
// The check is off when Window and MaxSilence are both zero.
type HealthOptions struct {
	Window     time.Duration
	MinRate    float64
	MaxSilence time.Duration
	// Now ends the window (zero: the time of the check).
	Now time.Time
	// Redact returns, for a workspace's live targets, what hides their
	// URLs' secrets (and the run's) inside Plain's failure messages
	// (view.Gate.Redactor). It is required: the workflow knows nothing of
	// display, and a report would otherwise keep Plain's text as written.
	Redact func(ts []plain.Target) func(string) string
	// Workspaces bounds how many workspaces are read at once.
	Workspaces int
}

// Off reports whether the health check is off.
func (o *HealthOptions) Off() bool { return o == nil || o.Window == 0 && o.MaxSilence == 0 }

// CheckHealth runs the delivery-health check for every planned file,
// several workspaces at once (each under its own key's limiter). The
// reports are in file order, nil for a file that failed to plan (it is
// reported as such) and all nil when the check is off; the first error in
// file order is returned.
func CheckHealth(ctx context.Context, plans []Planned, o *HealthOptions) ([]*health.Report, error) {
	reports := make([]*health.Report, len(plans))
	if o.Off() {
		return reports, nil
	}
	if o.Redact == nil {
		return nil, errors.New("reconcile: the health check needs a Redact for Plain's messages")
	}
	if o.Now.IsZero() {
		c := *o
		c.Now = time.Now()
		o = &c
	}
	errs := make([]error, len(plans))
	ordered.Each(len(plans), max(o.Workspaces, 1), func(i int) {
		if plans[i].Err == nil {
			reports[i], errs[i] = checkHealth(ctx, plans[i], o)
		}
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return reports, nil
}

// checkHealth checks one planned file's managed targets.
func checkHealth(ctx context.Context, pl Planned, o *HealthOptions) (*health.Report, error) {
	window, minRate := o.Window, o.MinRate
	if window == 0 { // --max-silence alone: its window, no minimum rate
		window, minRate = o.MaxSilence, 0
	}
	// The workflow's clients are the command's Plain clients, which list
	// delivery attempts too.
	c, _ := pl.Client.(health.Lister)
	r, err := health.Check(ctx, c, pl.Plan.Changes, window, minRate, o.Now, o.Redact(pl.Live.Targets))
	if err != nil {
		return nil, err
	}
	if err := health.MarkSilent(ctx, c, r, pl.Plan.Changes, o.MaxSilence, o.Now); err != nil {
		return nil, err
	}
	return r, nil
}
