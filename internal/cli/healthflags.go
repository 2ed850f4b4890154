package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/ordered"
	"github.com/plainsync/plainsync/internal/render"
)

// healthFlags are drift's delivery-health options.
type healthFlags struct {
	window  time.Duration
	minRate float64
	// maxSilence flags targets without a successful delivery for that
	// long (--max-silence).
	maxSilence time.Duration
}

const defaultMinSuccessRate = 0.95

func addHealthFlags(cmd *cobra.Command, h *healthFlags) {
	fl := cmd.Flags()
	fl.DurationVar(&h.window, "health-window", 0, "also check managed targets' delivery attempts in this window (e.g. 24h); unhealthy targets exit 2")
	fl.Float64Var(&h.minRate, "min-success-rate", defaultMinSuccessRate, "with --health-window: the lowest healthy share of successful deliveries, 0..1")
	fl.DurationVar(&h.maxSilence, "max-silence", 0, "flag enabled, subscribed targets without a successful delivery for this long (e.g. 6h); they exit 2")
}

// validate checks the flags before anything touches the network.
func (h *healthFlags) validate(cmd *cobra.Command) error {
	if h.window < 0 {
		return fmt.Errorf("--health-window must not be negative, got %s", h.window)
	}
	if h.minRate < 0 || h.minRate > 1 {
		return fmt.Errorf("--min-success-rate must be between 0 and 1 (0.95 means 95%%), got %v", h.minRate)
	}
	if h.maxSilence < 0 {
		return fmt.Errorf("--max-silence must not be negative, got %s", h.maxSilence)
	}
	if h.window == 0 && cmd.Flags().Changed("min-success-rate") {
		return fmt.Errorf("--min-success-rate needs --health-window (e.g. --health-window 24h)")
	}
	return nil
}

// check runs the delivery-health check for one planned file; nil when the
// check is off.
func (h *healthFlags) check(ctx context.Context, f *Factory, pl planned) (*health.Report, error) {
	if h == nil || h.window == 0 && h.maxSilence == 0 {
		return nil, nil
	}
	window, minRate := h.window, h.minRate
	if window == 0 { // --max-silence alone: its window, no minimum rate
		window, minRate = h.maxSilence, 0
	}
	redact := f.gate().Redactor(pl.Live.Targets)
	now := f.now()
	r, err := health.Check(ctx, lister(pl), pl.Plan.Changes, window, minRate, now, redact)
	if err != nil {
		return nil, err
	}
	if err := health.MarkSilent(ctx, lister(pl), r, pl.Plan.Changes, h.maxSilence, now); err != nil {
		return nil, err
	}
	return r, nil
}

// checkAll runs check for every planned file, several workspaces at once
// (each under its own key's limiter); the reports are in file order and
// the first error in file order is returned.
func (h *healthFlags) checkAll(ctx context.Context, f *Factory, plans []planned, parallelism int) ([]*health.Report, error) {
	reports := make([]*health.Report, len(plans))
	errs := make([]error, len(plans))
	ordered.Each(len(plans), parallelism, func(i int) {
		if plans[i].Err == nil { // a workspace that failed to plan is reported as such
			reports[i], errs[i] = h.check(ctx, f, plans[i])
		}
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return reports, nil
}

// driftJSON writes drift's JSON report, with a "health" member when the
// health check ran, so that -o json stays one document per file.
func driftJSON(f *Factory, p *diff.Plan, r *health.Report) error {
	if r == nil {
		return render.DriftJSON(f.IO.Out, p)
	}
	// inSync keeps its meaning (the live targets match the file);
	// health.unhealthy says whether deliveries failed the check.
	return writeJSON(f, struct {
		render.DriftReport
		Health *health.Report `json:"health"`
	}{DriftReport: render.NewDriftReport(p), Health: r})
}

// lister is the planned file's client as the health check uses it: the
// workflow's clients are the factory's PlainClients.
func lister(pl planned) PlainClient {
	c, _ := pl.Client.(PlainClient)
	return c
}
