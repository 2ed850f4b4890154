package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/reconcile"
)

const defaultMinSuccessRate = 0.95

// addHealthFlags binds drift's delivery-health flags to h.
func addHealthFlags(cmd *cobra.Command, h *reconcile.HealthOptions) {
	fl := cmd.Flags()
	fl.DurationVar(&h.Window, "health-window", 0, "also check managed targets' delivery attempts in this window (e.g. 24h); unhealthy targets exit 2")
	fl.Float64Var(&h.MinRate, "min-success-rate", defaultMinSuccessRate, "with --health-window: the lowest healthy share of successful deliveries, 0..1")
	fl.DurationVar(&h.MaxSilence, "max-silence", 0, "flag enabled, subscribed targets without a successful delivery for this long (e.g. 6h); they exit 2")
}

// checkHealthFlags checks the health flags before anything touches the
// network.
func checkHealthFlags(cmd *cobra.Command, h *reconcile.HealthOptions) error {
	if h.Window < 0 {
		return fmt.Errorf("--health-window must not be negative, got %s", h.Window)
	}
	if h.MinRate < 0 || h.MinRate > 1 {
		return fmt.Errorf("--min-success-rate must be between 0 and 1 (0.95 means 95%%), got %v", h.MinRate)
	}
	if h.MaxSilence < 0 {
		return fmt.Errorf("--max-silence must not be negative, got %s", h.MaxSilence)
	}
	if h.Window == 0 && cmd.Flags().Changed("min-success-rate") {
		return fmt.Errorf("--min-success-rate needs --health-window (e.g. --health-window 24h)")
	}
	return nil
}
