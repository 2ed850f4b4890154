package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/plainsync/plainsync/internal/plainmock"
	"github.com/plainsync/plainsync/internal/plainmock/deliver"
)

// deliveryFlags are the server flags about real deliveries.
type deliveryFlags struct {
	timeout   time.Duration
	schedule  string
	secrets   secretFlag
	emitEvery time.Duration
	emitType  string
}

func registerDeliveryFlags(fs *flag.FlagSet) *deliveryFlags {
	d := &deliveryFlags{}
	fs.DurationVar(&d.timeout, "delivery-timeout", deliver.DefaultTimeout, "how long each delivery attempt waits for the receiver's answer")
	fs.StringVar(&d.schedule, "retry-schedule", "plain", "waits before each retry of a failed delivery: plain (10s,30s,5m,30m,1h,3h,6h,12h,24h,24h,24h,24h),\nnone, or a comma-separated list such as 10ms,30ms,100ms for tests")
	fs.Var(&d.secrets, "hmac-secret", "set a workspace's HMAC secret as SECRET (primary workspace) or SECRET@WORKSPACE_ID (repeatable);\nwritten to --state, served by workspaceHmac; deliveries carry Plain-Request-Signature when one is set")
	fs.DurationVar(&d.emitEvery, "emit-every", 0, "emit one --emit-type event in every workspace at this interval (a steady stream for demos; 0 = off)")
	fs.StringVar(&d.emitType, "emit-type", "thread.thread_created", "event type --emit-every emits")
	return d
}

// config turns the flags into plainmock's delivery settings.
func (d *deliveryFlags) config() (plainmock.DeliveryConfig, error) {
	cfg := plainmock.DeliveryConfig{Timeout: d.timeout}
	if d.timeout <= 0 {
		return cfg, fmt.Errorf("--delivery-timeout must be positive, got %s", d.timeout)
	}
	sched, err := parseSchedule(d.schedule)
	if err != nil {
		return cfg, err
	}
	cfg.Schedule = sched
	if d.emitEvery < 0 {
		return cfg, fmt.Errorf("--emit-every must not be negative")
	}
	return cfg, nil
}

// parseSchedule reads --retry-schedule: nil is Plain's own schedule.
func parseSchedule(v string) ([]time.Duration, error) {
	switch strings.TrimSpace(v) {
	case "plain", "":
		return nil, nil
	case "none":
		return []time.Duration{}, nil
	}
	var out []time.Duration
	for _, part := range strings.Split(v, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("--retry-schedule: %q is not a positive duration (want plain, none or e.g. 10ms,30ms,5s)", strings.TrimSpace(part))
		}
		out = append(out, d)
	}
	return out, nil
}

// apply sets the --hmac-secret values on their workspaces.
func (d *deliveryFlags) apply(srv *plainmock.Server) error {
	var ids []string
	for _, w := range srv.Workspaces() {
		ids = append(ids, w.ID)
	}
	for _, s := range d.secrets {
		if s.workspaceID != "" && !slices.Contains(ids, s.workspaceID) {
			return fmt.Errorf("--hmac-secret …@%s: no such workspace (give it a key with --key KEY@%s)", s.workspaceID, s.workspaceID)
		}
		if cur, ok := srv.WorkspaceHMAC(s.workspaceID); ok && cur.Secret == s.secret {
			continue // unchanged: keep its timestamps and the file as it is
		}
		srv.SetWorkspaceHMAC(s.workspaceID, s.secret)
	}
	return nil
}

// runEmitEvery emits one event per workspace every d.emitEvery until ctx ends.
func (d *deliveryFlags) runEmitEvery(ctx context.Context, srv *plainmock.Server, stderr io.Writer) {
	if d.emitEvery <= 0 {
		return
	}
	t := time.NewTicker(d.emitEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, w := range srv.Workspaces() {
			if _, err := srv.Emit(w.ID, plainmock.EmitRequest{EventType: d.emitType}); err != nil {
				fmt.Fprintf(stderr, "plain-mock: --emit-every: %v\n", err)
			}
		}
	}
}

// secretFlag collects repeated --hmac-secret SECRET[@WORKSPACE_ID].
type secretFlag []workspaceSecret

type workspaceSecret struct{ secret, workspaceID string }

func (s *secretFlag) String() string {
	if len(*s) == 0 {
		return ""
	}
	return fmt.Sprintf("%d secret(s)", len(*s)) // never the values
}

func (s *secretFlag) Set(v string) error {
	secret, ws := v, ""
	if i := strings.LastIndex(v, "@"); i >= 0 {
		secret, ws = v[:i], v[i+1:]
		if ws == "" {
			return fmt.Errorf("empty workspace id after @")
		}
	}
	if secret == "" {
		return fmt.Errorf("empty secret")
	}
	*s = append(*s, workspaceSecret{secret: secret, workspaceID: ws})
	return nil
}
