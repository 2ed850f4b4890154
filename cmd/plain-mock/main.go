// Command plain-mock serves a local stand-in for the webhook-target part of
// Plain's GraphQL API, for tests, demos and CI without a Plain account.
//
//	plain-mock [--addr 127.0.0.1:0] [--state FILE] [--key KEY[@WORKSPACE_ID][=perm,perm]]...
//	           [--workspace-id ID] [--workspace-name NAME]
//	           [--latency 50ms] [--rate-limit 450/min] [--fail-rate 0.2]
//	           [--drop-after-commit 0.1] [--simulate-deliveries N] [--seed N]
//	           [--max-targets 25] [--refuse-invalid-hosts] [--url-file FILE] [--verbose]
//
// It prints one line, "plain-mock listening on http://HOST:PORT/graphql/v1",
// and serves until SIGINT or SIGTERM. See package internal/plainmock for the
// behaviour.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/plainmock"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "plain-mock:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage error")

// keyFlag collects repeated --key KEY[@WORKSPACE_ID][=perm,perm] values,
// later ones replacing earlier grants of the same key.
type keyFlag map[string]keyGrant

type keyGrant struct {
	workspaceID string // "" = the primary workspace
	perms       []string
}

func (k keyFlag) String() string {
	names := make([]string, 0, len(k))
	for name := range k {
		// Never print key values, even in usage or error text.
		names = append(names, strings.Repeat("*", min(len(name), 8)))
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

func (k keyFlag) Set(v string) error {
	key, permList, hasPerms := strings.Cut(v, "=")
	wsID := ""
	// The last @ separates the workspace: Plain's keys contain none, and
	// workspace ids never contain one.
	if i := strings.LastIndex(key, "@"); i >= 0 {
		key, wsID = key[:i], key[i+1:]
		if wsID == "" {
			return errors.New("empty workspace id after @")
		}
	}
	if key == "" {
		return errors.New("empty key")
	}
	perms := plainmock.AllPermissions
	if hasPerms {
		perms = nil
		for _, p := range strings.Split(permList, ",") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			if !slices.Contains(plainmock.AllPermissions, p) {
				return fmt.Errorf("unknown permission %q (known: %s)", p, strings.Join(plainmock.AllPermissions, ", "))
			}
			perms = append(perms, p)
		}
	}
	k[key] = keyGrant{workspaceID: wsID, perms: append([]string(nil), perms...)}
	return nil
}

// split divides the keys into the primary workspace's and the others'.
func (k keyFlag) split() (map[string][]string, []plainmock.WorkspaceKey) {
	primary := map[string][]string{}
	var others []plainmock.WorkspaceKey
	names := make([]string, 0, len(k))
	for name := range k {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		g := k[name]
		if g.workspaceID == "" {
			primary[name] = g.perms
			continue
		}
		others = append(others, plainmock.WorkspaceKey{Key: name, WorkspaceID: g.workspaceID, Permissions: g.perms})
	}
	return primary, others
}

// rateFlag accepts "450/min", "450/m" or "450".
type rateFlag int

func (r *rateFlag) String() string { return strconv.Itoa(int(*r)) + "/min" }

func (r *rateFlag) Set(v string) error {
	n := strings.TrimSpace(v)
	for _, suffix := range []string{"/min", "/m"} {
		if cut, ok := strings.CutSuffix(n, suffix); ok {
			n = cut
			break
		}
	}
	i, err := strconv.Atoi(n)
	if err != nil || i < 0 {
		return fmt.Errorf("want requests per minute such as 450/min, got %q", v)
	}
	*r = rateFlag(i)
	return nil
}

// probFlag is a probability in 0..1.
type probFlag float64

func (p *probFlag) String() string { return strconv.FormatFloat(float64(*p), 'g', -1, 64) }

func (p *probFlag) Set(v string) error {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1 {
		return fmt.Errorf("want a probability between 0 and 1, got %q", v)
	}
	*p = probFlag(f)
	return nil
}

// run is main without the process: it serves until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if handled, err := runSubcommand(ctx, args, stdout, stderr); handled {
		return err
	}
	fs := flag.NewFlagSet("plain-mock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	dflags := registerDeliveryFlags(fs)
	var (
		addr        = fs.String("addr", "127.0.0.1:0", "address to listen on (port 0 picks a free port)")
		statePath   = fs.String("state", "", "JSON state file shared between runs; loaded at start, rewritten atomically after changes (a mutation before its answer, delivery attempts in batches)")
		keys        = keyFlag{}
		wsID        = fs.String("workspace-id", "", "id of the primary workspace, the one keys without @ belong to (default from the state file, else w_01MXCKWRKSPACE000000000000)")
		wsName      = fs.String("workspace-name", "", "name of the primary workspace")
		latency     = fs.Duration("latency", 0, "delay before answering each request, e.g. 50ms")
		rate        rateFlag
		failRate    probFlag
		drop        probFlag
		simulate    = fs.Int("simulate-deliveries", 0, "generate N delivery attempts per existing target at start")
		refuseInv   = fs.Bool("refuse-invalid-hosts", false, "refuse creates and updates whose URL host is in the reserved .invalid domain with a VALIDATION error on url\n(a service that checks its targets' hosts; plainsync's apply lease points there)")
		maxTargets  = fs.Int("max-targets", plainmock.DefaultMaxTargets, "targets a workspace may hold before create answers a MutationError (Plain's documented limit; 0 = no limit)")
		seed        = fs.Int64("seed", 0, "seed for fault injection and simulated deliveries")
		urlFile     = fs.String("url-file", "", "write the endpoint URL to this file (atomically) once listening")
		verbose     = fs.Bool("verbose", false, "log each request (method, operation, status) to stderr")
		shutdownMax = 5 * time.Second
	)
	fs.Var(keys, "key", "accepted API key as KEY[@WORKSPACE_ID][=perm,perm] (repeatable). The key decides the workspace, as on Plain:\n"+
		"KEY@ID serves workspace ID (created empty unless the state file has it), each workspace with its own\n"+
		"targets, catalog, HMAC secret and rate-limit window; without @ the primary workspace. Without = all\n"+
		"permissions. With no key here or in the state file: "+plainmock.DefaultKey)
	fs.Var(&rate, "rate-limit", "requests per minute per key, e.g. 450/min (0 = unlimited); every key, so every workspace, has its own window")
	fs.Var(&failRate, "fail-rate", "probability (0..1) of answering HTTP 502 without doing anything")
	fs.Var(&drop, "drop-after-commit", "probability (0..1) that a mutation is applied and then the connection closed without an answer")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "plain-mock: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if *maxTargets < 0 {
		fmt.Fprintln(stderr, "plain-mock: --max-targets must not be negative")
		return errUsage
	}
	if *maxTargets == 0 {
		*maxTargets = -1 // Config's "no limit"
	}
	if *simulate < 0 {
		fmt.Fprintln(stderr, "plain-mock: --simulate-deliveries must not be negative")
		return errUsage
	}

	primaryKeys, workspaceKeys := keys.split()
	var err error
	cfg := plainmock.Config{
		Keys:            primaryKeys,
		WorkspaceKeys:   workspaceKeys,
		MaxTargets:      *maxTargets,
		StatePath:       *statePath,
		Latency:         *latency,
		RateLimit:       int(rate),
		FailRate:        float64(failRate),
		DropAfterCommit: float64(drop),
		Seed:            *seed,
	}
	cfg.RefuseInvalidHosts = *refuseInv
	if *wsID != "" || *wsName != "" {
		cfg.Workspace = plain.Workspace{ID: *wsID, Name: *wsName}
	}
	if cfg.Delivery, err = dflags.config(); err != nil {
		fmt.Fprintln(stderr, "plain-mock:", err)
		return errUsage
	}
	srv, err := plainmock.New(cfg)
	if err != nil {
		return err
	}
	defer srv.Close() // stops scheduled retries once the listener is gone
	if err := dflags.apply(srv); err != nil {
		return err
	}
	if *verbose {
		srv.SetRequestLog(stderr)
	}
	if *simulate > 0 {
		srv.SimulateDeliveries(*simulate)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	url := endpointURL(ln.Addr())
	if *urlFile != "" {
		if err := plainmock.WriteFileAtomic(*urlFile, []byte(url+"\n")); err != nil {
			_ = ln.Close()
			return fmt.Errorf("write --url-file: %w", err)
		}
	}

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "plain-mock listening on %s\n", url)
	go dflags.runEmitEvery(ctx, srv, stderr)

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownMax)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		// Requests held open by --latency outlived the grace period.
		_ = hs.Close()
	}
	return nil
}

// endpointURL names the listener as a client should dial it: a wildcard
// listen address is reachable on loopback.
func endpointURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String() + plainmock.GraphQLPath
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + plainmock.GraphQLPath
}
