// Command receiver is a small, complete receiver of Plain's webhook
// deliveries built on package github.com/plainsync/plainsync/webhook and the
// standard library only. It verifies each delivery's signature with the
// workspace's HMAC secret, refuses stale attempts, handles each event once
// and logs one line per request.
//
//	PLAIN_WEBHOOK_SECRET=… go run ./examples/receiver -addr 127.0.0.1:8080
//
// Point a webhook target at http://HOST:PORT/ (behind TLS in production:
// Plain delivers over HTTPS). The secret is workspaceHmac.hmacSecret in
// Plain's API (Settings → Request signing in Plain's app); it is read from
// the environment and never printed. Replace handle with your own work.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/plainsync/plainsync/webhook"
	"github.com/plainsync/plainsync/webhook/schema"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "receiver:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free one)")
	secretEnv := flag.String("secret-env", "PLAIN_WEBHOOK_SECRET", "environment variable holding the workspace's HMAC secret")
	tolerance := flag.Duration("tolerance", webhook.DefaultTolerance, "how far an attempt's timestamp may be from this machine's clock")
	validate := flag.Bool("validate", false, "also check each body against Plain's payload schema of its version (package webhook/schema); other versions are refused")
	flag.Parse()
	secret := os.Getenv(*secretEnv)
	if secret == "" {
		return fmt.Errorf("$%s is empty: set it to the workspace's HMAC secret", *secretEnv)
	}

	// log/slog's text format quotes values holding spaces, quotes or
	// control characters, so nothing a sender chose reaches the terminal
	// raw. Bodies are never logged: they hold customers' personal data.
	logger := slog.New(slog.NewTextHandler(os.Stdout, nil))

	opts := []webhook.Option{
		webhook.WithTolerance(*tolerance),
		webhook.WithDeduper(webhook.NewMemoryDeduper(10000)),
		webhook.WithObserver(func(r *http.Request, o webhook.Outcome) {
			attrs := []any{"status", o.Status, "bytes", o.BodyBytes}
			if o.Event != nil {
				attrs = append(attrs, "event", o.Event.ID, "type", o.Event.Type, "target", o.Event.Webhook.TargetID,
					"attempt", o.Event.Webhook.AttemptNumber)
			}
			switch {
			case o.Err == nil: // handle logged it
			case errors.Is(o.Err, webhook.ErrDuplicate):
				logger.Info("duplicate", attrs...)
			default:
				logger.Warn("refused", append(attrs, "error", o.Err.Error())...)
			}
		}),
	}
	if *validate {
		opts = append(opts, webhook.WithValidator(schema.Validate))
	}
	h := webhook.NewHandler([]byte(secret), handle(logger), opts...)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
	}
	fmt.Printf("receiver listening on http://%s/\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// handle is the work done once per event. An error makes the handler
// answer 500 and Plain retry the event later.
func handle(logger *slog.Logger) func(context.Context, *webhook.Event) error {
	return func(ctx context.Context, ev *webhook.Event) error {
		logger.Info("event", "event", ev.ID, "type", ev.Type, "workspace", ev.WorkspaceID,
			"version", ev.Webhook.TargetVersion, "payloadBytes", len(ev.Payload))
		return nil
	}
}
