package cli

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/apply"
	"github.com/plainsync/plainsync/internal/flagval"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/reconcile"
	"github.com/plainsync/plainsync/internal/render"
	"github.com/plainsync/plainsync/internal/spec"
	"github.com/plainsync/plainsync/internal/view"
)

// PlainClient is what the remote commands need from Plain. *api.Client
// satisfies it; command tests may substitute a fake through Factory.NewClient.
type PlainClient interface {
	apply.Client
	Snapshot(ctx context.Context) (*plain.Snapshot, error)
	GetWebhookTarget(ctx context.Context, id string) (*plain.Target, error)
	// The read-side commands (events, export, deliveries, drift's health
	// check) need the catalog and delivery attempts on their own.
	EventTypes(ctx context.Context) ([]plain.EventType, error)
	WebhookVersions(ctx context.Context) ([]plain.WebhookVersion, error)
	ListDeliveryAttempts(ctx context.Context, targetID string, f api.DeliveryFilter) ([]plain.DeliveryAttempt, error)
	ListDeliveryAttemptsForTargets(ctx context.Context, targetIDs []string, f api.DeliveryFilter) (map[string][]plain.DeliveryAttempt, error)
	// ListLeases lists the apply leases (see internal/lock).
	ListLeases(ctx context.Context) ([]plain.Target, error)
}

// newAPIClient is the production Factory.NewClient.
func newAPIClient(o api.Options) (PlainClient, error) {
	c, err := api.New(o)
	if err != nil {
		return nil, err // not a typed nil inside the interface
	}
	return c, nil
}

// remoteFlags are the flags of every command that talks to Plain.
type remoteFlags struct {
	apiURL    string
	rateLimit int
	timeout   time.Duration
	debug     bool
	// workspaces bounds how many files' workspaces plan, drift and apply
	// handle at once (--workspaces-parallelism) when workspacesGiven;
	// otherwise workspacesFor picks the default.
	workspaces      int
	workspacesGiven bool
	// policy holds the --policy paths of plan, apply and drift.
	policy []string
}

// workspacesFor is how many of n files' workspaces to handle at once:
// --workspaces-parallelism when given, else reconcile.DefaultWorkspaces.
func (rf *remoteFlags) workspacesFor(n int) int {
	if rf.workspacesGiven {
		return rf.workspaces
	}
	return reconcile.DefaultWorkspaces(n)
}

// addWorkspacesFlag adds --workspaces-parallelism to the commands that
// take several files.
func addWorkspacesFlag(cmd *cobra.Command, rf *remoteFlags) {
	cmd.Flags().Var(flagval.OptionalInt{N: &rf.workspaces, Given: &rf.workspacesGiven}, "workspaces-parallelism",
		fmt.Sprintf("how many files' workspaces to read (and apply) at once; each uses its own API key's rate limit (default: one per file, at most %d)", reconcile.MaxWorkspaces))
}

func addRemoteFlags(cmd *cobra.Command, rf *remoteFlags) {
	fl := cmd.Flags()
	fl.StringVar(&rf.apiURL, "api-url", "", "Plain GraphQL endpoint (default $"+api.EnvURL+" or "+api.DefaultURL+")")
	fl.IntVar(&rf.rateLimit, "rate-limit", api.DefaultRateLimit, "client-side request budget per minute (your API key's limit)")
	fl.DurationVar(&rf.timeout, "timeout", 30*time.Second, "timeout of each request to Plain")
	fl.BoolVar(&rf.debug, "debug", false, "print each request to stderr (credentials and URL secrets redacted)")
}

// connect builds a client for the key held in keyEnv. api.Configure checks
// the flags and the key's length before the key joins the factory's
// masker; the masker learns it (and Actions masks it) before any request,
// so no later message can show it.
func (f *Factory) connect(rf *remoteFlags, keyEnv string) (PlainClient, error) {
	keyEnv = cmp.Or(keyEnv, spec.DefaultAPIKeyEnv)
	o, err := api.Configure(api.Settings{KeyEnv: keyEnv, URL: rf.apiURL, RateLimit: rf.rateLimit, Timeout: rf.timeout, LookupEnv: f.LookupEnv})
	if err != nil {
		return nil, err
	}
	f.Secrets.Add(keyEnv, o.APIKey)
	if err := f.Actions.MaskSecrets(); err != nil {
		return nil, err
	}
	if rf.debug {
		// The debug stream prints request variables as JSON with URLs
		// re-encoded, so a ${VAR} value in a URL path arrives
		// percent-encoded; the gate masks those forms too, and redacts
		// the URLs its error lines quote.
		o.Debug = f.gate().Writer(f.IO.ErrOut)
	}
	o.Mask, o.Untrusted = f.gate().Mask, f.gate().Untrusted
	newClient := f.NewClient
	if newClient == nil {
		newClient = newAPIClient
	}
	c, err := newClient(o)
	if err != nil {
		return nil, fmt.Errorf("connect to Plain: %w", err)
	}
	return c, nil
}

// renderOptions decides colour (view.ColorOn).
func (f *Factory) renderOptions() render.Options {
	return render.Options{Color: view.ColorOn(f.IO.OutIsTerminal, f.Getenv)}
}
