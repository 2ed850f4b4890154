package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/api"
	"github.com/plainsync/plainsync/internal/apply"
	"github.com/plainsync/plainsync/internal/atomicfile"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/render"
	"github.com/plainsync/plainsync/internal/spec"
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

// EnvAPIURL overrides the endpoint, like --api-url.
const EnvAPIURL = "PLAIN_API_URL"

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

// maxWorkspacesParallelism caps the default --workspaces-parallelism. By
// default every workspace of a run is read (and applied) at once: each has
// its own key and its own rate limit, so they do not slow one another, and
// a run over 20 workspaces takes about as long as one. Beyond 32 files a
// run goes in waves of 32, which bounds the connections open at once.
const maxWorkspacesParallelism = 32

// workspacesFor is how many of n files' workspaces to handle at once:
// --workspaces-parallelism when given, else one per file, at most
// maxWorkspacesParallelism.
func (rf *remoteFlags) workspacesFor(n int) int {
	if rf.workspacesGiven {
		return rf.workspaces
	}
	return min(max(n, 1), maxWorkspacesParallelism)
}

// workspacesValue is --workspaces-parallelism: an int that records being
// given, so that the default can follow the number of files.
type workspacesValue struct{ rf *remoteFlags }

func (v workspacesValue) String() string {
	if !v.rf.workspacesGiven {
		return "" // no fixed default to print: the usage says what it is
	}
	return strconv.Itoa(v.rf.workspaces)
}

func (v workspacesValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("not a whole number")
	}
	v.rf.workspaces, v.rf.workspacesGiven = n, true
	return nil
}

func (workspacesValue) Type() string { return "int" }

// addWorkspacesFlag adds --workspaces-parallelism to the commands that
// take several files.
func addWorkspacesFlag(cmd *cobra.Command, rf *remoteFlags) {
	cmd.Flags().Var(workspacesValue{rf}, "workspaces-parallelism",
		fmt.Sprintf("how many files' workspaces to read (and apply) at once; each uses its own API key's rate limit (default: one per file, at most %d)", maxWorkspacesParallelism))
}

func addRemoteFlags(cmd *cobra.Command, rf *remoteFlags) {
	fl := cmd.Flags()
	fl.StringVar(&rf.apiURL, "api-url", "", "Plain GraphQL endpoint (default $"+EnvAPIURL+" or "+api.DefaultURL+")")
	fl.IntVar(&rf.rateLimit, "rate-limit", 450, "client-side request budget per minute (your API key's limit)")
	fl.DurationVar(&rf.timeout, "timeout", 30*time.Second, "timeout of each request to Plain")
	fl.BoolVar(&rf.debug, "debug", false, "print each request to stderr (credentials and URL secrets redacted)")
}

// connect builds a client for the key held in keyEnv. The key is registered
// with the factory's masker first, so no later message can show it.
func (f *Factory) connect(rf *remoteFlags, keyEnv string) (PlainClient, error) {
	if keyEnv == "" {
		keyEnv = spec.DefaultAPIKeyEnv
	}
	// The API client reads zero as "use the default"; a user who typed 0
	// meant something else, so say so instead of guessing.
	if rf.rateLimit < 1 {
		return nil, fmt.Errorf("--rate-limit must be at least 1 request per minute, got %d", rf.rateLimit)
	}
	if rf.timeout <= 0 {
		return nil, fmt.Errorf("--timeout must be positive, got %s", rf.timeout)
	}
	key, _ := f.LookupEnv(keyEnv)
	if strings.TrimSpace(key) == "" {
		return nil, fmt.Errorf("no API key: set $%s to a Plain API key (plainsync never takes the key as a flag)", keyEnv)
	}
	if err := api.CheckKeyLength(keyEnv, key); err != nil {
		// Before the key joins the masker: masking a short value would
		// garble this very message, and every line after it.
		return nil, err
	}
	f.Secrets.Add(keyEnv, key)
	if err := f.Actions.MaskSecrets(); err != nil {
		return nil, err
	}
	url := f.endpoint(rf)
	var debug io.Writer
	if rf.debug {
		// The debug stream prints request variables as JSON with URLs
		// re-encoded, so a ${VAR} value in a URL path arrives
		// percent-encoded; the gate masks those forms too, and redacts
		// the URLs its error lines quote.
		debug = f.gate().Writer(f.IO.ErrOut)
	}
	newClient := f.NewClient
	if newClient == nil {
		newClient = newAPIClient
	}
	c, err := newClient(api.Options{
		URL:       url,
		APIKey:    key,
		Timeout:   rf.timeout,
		RateLimit: rf.rateLimit,
		Debug:     debug,
		Mask:      f.gate().Mask,
		Untrusted: f.gate().Untrusted,
	})
	if err != nil {
		return nil, fmt.Errorf("connect to Plain: %w", err)
	}
	return c, nil
}

// endpoint is the GraphQL endpoint: --api-url, $PLAIN_API_URL, Plain's.
func (f *Factory) endpoint(rf *remoteFlags) string {
	if rf.apiURL != "" {
		return rf.apiURL
	}
	if u := f.Getenv(EnvAPIURL); u != "" {
		return u
	}
	return api.DefaultURL
}

// renderOptions decides colour: a terminal, no NO_COLOR, no TERM=dumb.
// As no-color.org defines it, NO_COLOR counts only when it is non-empty.
func (f *Factory) renderOptions() render.Options {
	noColor := f.Getenv("NO_COLOR") != ""
	return render.Options{Color: f.IO.OutIsTerminal && !noColor && f.Getenv("TERM") != "dumb"}
}

// writeFileAtomic writes saved plans and exported files: a reader never
// sees half a file, and a failure leaves any previous file intact.
var writeFileAtomic = atomicfile.Write

// outputFormat checks -o against the formats a command supports.
func outputFormat(got string, allowed ...string) error {
	for _, a := range allowed {
		if got == a {
			return nil
		}
	}
	return fmt.Errorf("unknown output format %q (want %s)", got, strings.Join(allowed, ", "))
}
