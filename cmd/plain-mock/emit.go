package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/plainsync/plainsync/internal/plainmock"
	"github.com/plainsync/plainsync/internal/plainmock/deliver"
)

// usageText heads plain-mock --help; the flag list follows it.
const usageText = `Usage:
  plain-mock [flags]                          serve Plain's webhook-target API on loopback
  plain-mock emit EVENT_TYPE [--count N] [--payload JSON] (--url-file F | --url URL) [-o text|json]
  plain-mock age-attempts DURATION (--url-file F | --url URL)
  plain-mock receive [--addr 127.0.0.1:0] [--url-file F] [--secret-env VAR] [--fail-first N]

GraphQL: POST /graphql/v1 with "Authorization: Bearer KEY". Every request is validated against
Plain's full schema; the webhook surface executes (webhookTargets, webhookTarget, webhookVersions,
subscriptionEventTypes, webhookDeliveryAttempts, publicEventRequestBody, myWorkspace, myPermissions,
workspaceHmac, create/update/deleteWebhookTarget, regenerateWorkspaceHmac, with every field of what
they return).
A valid query outside it gets one error: "plain-mock does not implement Query.customers." (HTTP 400,
PLAIN_MOCK_NOT_IMPLEMENTED). The 26th target of a workspace is refused (--max-targets); Basic-auth
URLs (https://user:pass@host/...) are stored and returned verbatim.

Your own client (Plain's TypeScript SDK included): set its API URL to the printed endpoint (or the
--url-file contents) and its key to one of --key's, e.g.
  new PlainClient({ apiKey: 'plainApiKey_mock', apiUrl: 'http://127.0.0.1:PORT/graphql/v1' })

Real deliveries: POST /mock/v1/events (same Bearer key as GraphQL; the key decides the workspace)
with {"eventType": "thread.thread_created", "count": 2, "payload": {"thread": {"title": "…"}}}
answers {"eventIds": [...], "deliveries": N} once every first attempt has finished. Each enabled
target subscribed to the type gets a POST with a body valid for its pinned version, Plain's headers
and, when the workspace has an HMAC secret (--hmac-secret, workspaceHmac, rotated by
regenerateWorkspaceHmac), Plain-Request-Signature.
Only loopback URLs (127.0.0.0/8, ::1, localhost) are contacted; any other target gets an ERROR
attempt (ENOTLOOPBACK) and is never dialled. Failed attempts are retried on Plain's schedule
(10s, 30s, 5m, 30m, 1h, 3h, 6h, 12h, 1d x4) or --retry-schedule; retries are not resumed after a restart.
POST /mock/v1/age-attempts {"by": "2h"} moves every recorded attempt of the key's workspace 2h
into the past, so a health window (drift --health-window) moves on without waiting.

emit and age-attempts call those endpoints with the key in $PLAIN_API_KEY; the URL is plain-mock's
GraphQL URL, as --url-file wrote it. receive is a tiny loopback receiver for demos: it prints one
line per delivery and, with --secret-env, checks each one with package webhook, as a Go receiver
would: a bad or missing signature or an attempt timestamp more than 300s off is answered 401.

Flags of the server:
`

// runSubcommand runs emit, age-attempts or receive; handled is false for
// anything else (the server's flags).
func runSubcommand(ctx context.Context, args []string, stdout, stderr io.Writer) (handled bool, err error) {
	if len(args) == 0 {
		return false, nil
	}
	switch args[0] {
	case "emit":
		return true, runEmit(ctx, args[1:], stdout, stderr)
	case "age-attempts":
		return true, runAge(ctx, args[1:], stdout, stderr)
	case "receive":
		return true, runReceive(ctx, args[1:], stdout, stderr)
	}
	return false, nil
}

// adminFlags are the flags every admin client shares.
type adminFlags struct {
	urlFile, url, keyEnv string
}

func (a *adminFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.urlFile, "url-file", "", "file holding plain-mock's URL, as its --url-file wrote it")
	fs.StringVar(&a.url, "url", "", "plain-mock's URL (instead of --url-file)")
	fs.StringVar(&a.keyEnv, "api-key-env", "PLAIN_API_KEY", "environment variable holding the API key")
}

// call POSTs body to the admin path and decodes the JSON answer into out.
func (a *adminFlags) call(ctx context.Context, path string, body, out any) error {
	base := a.url
	if a.urlFile != "" {
		b, err := os.ReadFile(a.urlFile)
		if err != nil {
			return fmt.Errorf("read --url-file: %w", err)
		}
		base = strings.TrimSpace(string(b))
	}
	if base == "" {
		return errors.New("say where plain-mock is: --url-file FILE or --url URL")
	}
	u, err := url.Parse(strings.TrimSuffix(strings.TrimSuffix(base, "/"), plainmock.GraphQLPath))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("plain-mock URL %q is not an http(s) URL", base)
	}
	// The key never travels over plain http except to loopback.
	if u.Scheme == "http" && deliver.CheckURL(u) != nil {
		return fmt.Errorf("refusing to send the API key over http to %s: use https or a loopback address", u.Hostname())
	}
	key := os.Getenv(a.keyEnv)
	if key == "" {
		return fmt.Errorf("$%s is empty: set it to a key plain-mock accepts", a.keyEnv)
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.JoinPath(path).String(), bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: 10 * time.Minute} // an emit waits for every first attempt
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("call plain-mock: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("read plain-mock's answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(raw, &e) == nil && e.Error != "" {
			return fmt.Errorf("refused (HTTP %d): %s", resp.StatusCode, strings.ReplaceAll(e.Error, key, "***"))
		}
		return fmt.Errorf("plain-mock answered HTTP %d", resp.StatusCode)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("plain-mock's answer is not JSON: %w", err)
	}
	return nil
}

func runEmit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plain-mock emit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var af adminFlags
	af.register(fs)
	count := fs.Int("count", 1, fmt.Sprintf("number of events (1..%d)", plainmock.MaxEmitCount))
	payload := fs.String("payload", "", `JSON object merged into each generated payload, e.g. '{"thread": {"title": "Printer on fire"}}'`)
	output := fs.String("o", "text", "output: text or json (the endpoint's answer)")
	typ, rest := "", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		typ, rest = args[0], args[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return usageErr(err)
	}
	if typ == "" && fs.NArg() > 0 {
		typ = fs.Arg(0)
	} else if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "plain-mock emit: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if typ == "" {
		fmt.Fprintln(stderr, "plain-mock emit: name the event type, e.g. plain-mock emit thread.thread_created --url-file F")
		return errUsage
	}
	if *output != "text" && *output != "json" {
		fmt.Fprintf(stderr, "plain-mock emit: -o %q: want text or json\n", *output)
		return errUsage
	}
	req := plainmock.EmitRequest{EventType: typ, Count: *count}
	if *payload != "" {
		if err := json.Unmarshal([]byte(*payload), &req.Payload); err != nil || req.Payload == nil {
			fmt.Fprintln(stderr, "plain-mock emit: --payload must be a JSON object")
			return errUsage
		}
	}
	var res plainmock.EmitResult
	if err := af.call(ctx, plainmock.EventsPath, req, &res); err != nil {
		return err
	}
	if *output == "json" {
		b, _ := json.Marshal(res)
		fmt.Fprintln(stdout, string(b))
		return nil
	}
	noun := "event"
	if len(res.EventIDs) != 1 {
		noun = "events"
	}
	fmt.Fprintf(stdout, "emitted %d %s %s (%s): %d %s\n", len(res.EventIDs), typ, noun,
		strings.Join(res.EventIDs, ", "), res.Deliveries, plural(res.Deliveries, "delivery", "deliveries"))
	return nil
}

func runAge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plain-mock age-attempts", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var af adminFlags
	af.register(fs)
	by, rest := "", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		by, rest = args[0], args[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return usageErr(err)
	}
	if by == "" && fs.NArg() == 1 {
		by = fs.Arg(0)
	} else if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "plain-mock age-attempts: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if _, err := time.ParseDuration(by); err != nil {
		fmt.Fprintln(stderr, "plain-mock age-attempts: give a duration such as 2h")
		return errUsage
	}
	var res struct {
		Aged int `json:"aged"`
	}
	if err := af.call(ctx, plainmock.AgeAttemptsPath, map[string]string{"by": by}, &res); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "moved %d delivery %s %s into the past\n", res.Aged, plural(res.Aged, "attempt", "attempts"), by)
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func usageErr(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return errUsage
}

// runReceive serves a loopback receiver that logs each delivery.
func runReceive(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plain-mock receive", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "loopback address to listen on")
	urlFile := fs.String("url-file", "", "write the receiver's URL to this file once listening")
	secretEnv := fs.String("secret-env", "", "environment variable with the workspace's HMAC secret: check every delivery (signature, body, attempt timestamp)")
	failFirst := fs.Int("fail-first", 0, "answer HTTP 500 to the first N deliveries (to watch the retries)")
	if err := fs.Parse(args); err != nil {
		return usageErr(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "plain-mock receive: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if _, _, err := net.SplitHostPort(*addr); err != nil || deliver.CheckURL(&url.URL{Scheme: "http", Host: *addr}) != nil {
		fmt.Fprintf(stderr, "plain-mock receive: --addr %q must be a loopback address such as 127.0.0.1:0\n", *addr)
		return errUsage
	}
	secret := ""
	if *secretEnv != "" {
		if secret = os.Getenv(*secretEnv); secret == "" {
			return fmt.Errorf("$%s is empty", *secretEnv)
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	u := "http://" + ln.Addr().String() + "/"
	if *urlFile != "" {
		if err := plainmock.WriteFileAtomic(*urlFile, []byte(u+"\n")); err != nil {
			_ = ln.Close()
			return fmt.Errorf("write --url-file: %w", err)
		}
	}
	rv := newReceiver(stdout, secret, *failFirst)
	hs := &http.Server{Handler: rv, ReadHeaderTimeout: 10 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "receiver listening on %s\n", u)
	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = hs.Shutdown(sctx)
	return nil
}
