package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/reconcile"
)

// Flags map to DriftOptions; flag-only mistakes are refused before Plain
// is asked anything.
func TestDriftFlagsToOptions(t *testing.T) {
	cases := []struct {
		args    []string
		want    DriftOptions
		wantErr string
	}{
		{args: nil, want: DriftOptions{output: "text", health: reconcile.HealthOptions{MinRate: defaultMinSuccessRate}}},
		{args: []string{"-o", "markdown", "--health-window", "72h", "--max-silence", "6h", "--min-success-rate", "0.5", "--prune"},
			want: DriftOptions{output: "markdown", prune: true, health: reconcile.HealthOptions{Window: 72 * time.Hour, MinRate: 0.5, MaxSilence: 6 * time.Hour}}},
		{args: []string{"--max-silence", "2h"}, want: DriftOptions{output: "text", health: reconcile.HealthOptions{MinRate: defaultMinSuccessRate, MaxSilence: 2 * time.Hour}}},
		{args: []string{"--max-silence", "-1h"}, wantErr: "--max-silence must not be negative"},
		{args: []string{"--min-success-rate", "0.5"}, wantErr: "--min-success-rate needs --health-window"},
		{args: []string{"-o", "yaml"}, wantErr: `unknown output format "yaml"`},
	}
	for _, tc := range cases {
		f, _, _ := testFactory(nil)
		var got *DriftOptions
		cmd := NewCmdDrift(f, func(o *DriftOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		err := cmd.Execute()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || got != nil {
				t.Errorf("%q: err %v, want %q and no run", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got == nil {
			t.Fatalf("%q: err %v", tc.args, err)
		}
		if got.output != tc.want.output || got.prune != tc.want.prune || got.health.Window != tc.want.health.Window || got.health.MinRate != tc.want.health.MinRate || got.health.MaxSilence != tc.want.health.MaxSilence {
			t.Errorf("%q: options %+v, want %+v", tc.args, *got, tc.want)
		}
	}
}

// drift's health carries per-target buckets in JSON, a sparkline in text,
// a Mermaid chart in Markdown; --max-silence flags a silent target.
func TestDriftHealthTrendAndSilence(t *testing.T) {
	e := unhealthyEnv(t) // crm-sync: 4 attempts 1-4h ago, 1 success 4h ago; ops: 1 success 1h ago

	r := runDrift(t, e, "--health-window", "6h", "-o", "json")
	wantExit(t, r, 2)
	var doc struct {
		Health struct {
			Silent  int `json:"silent"`
			Targets []struct {
				Name  string `json:"name"`
				Trend struct {
					Width   string `json:"width"`
					Buckets []struct {
						Start      time.Time `json:"start"`
						Attempts   int       `json:"attempts"`
						Successful int       `json:"successful"`
					} `json:"buckets"`
				} `json:"trend"`
			} `json:"targets"`
		} `json:"health"`
	}
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.out)
	}
	crm := doc.Health.Targets[0]
	if crm.Name != "crm-sync" || crm.Trend.Width != "1h" || len(crm.Trend.Buckets) != 7 || !crm.Trend.Buckets[0].Start.Equal(testNow.Add(-6*time.Hour)) {
		t.Fatalf("crm-sync trend %+v", crm.Trend)
	}
	var counts []int
	for _, b := range crm.Trend.Buckets {
		counts = append(counts, b.Attempts*10+b.Successful)
	}
	if got := fmt.Sprint(counts); got != "[0 0 10 10 10 11 0]" {
		t.Errorf("crm-sync buckets (attempts*10+successful) %s", got)
	}

	r = runDrift(t, e, "--health-window", "6h")
	wantExit(t, r, 2)
	if !strings.Contains(r.out, "TREND") || !strings.Contains(r.out, "··▁▁▁█·") {
		t.Errorf("text lacks the sparkline:\n%s", r.out)
	}

	r = runDrift(t, e, "--health-window", "6h", "-o", "markdown")
	wantExit(t, r, 2)
	for _, want := range []string{"### plainsync drift for", "#### Delivery health (last 6h0m0s", "| T1 | `crm-sync` | 4 | 25.0% |", "```mermaid\nxychart-beta", "line [100, 100, 0, 0, 0, 100, 100]"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, r.out)
		}
	}

	// --max-silence alone: crm-sync's last success is 1h old; ops is
	// disabled, so never silent; no minimum success rate applies.
	r = runDrift(t, e, "--max-silence", "30m")
	wantExit(t, r, 2)
	if !strings.Contains(r.out, "SILENT  crm-sync") || !strings.Contains(r.out, "1 target(s) without a successful delivery for 30m0s or longer (SILENT).") || strings.Contains(r.out, "SILENT  ops") || strings.Contains(r.out, "LOW") {
		t.Errorf("--max-silence 30m:\n%s", r.out)
	}
	wantExit(t, runDrift(t, e, "--max-silence", "2h"), 0)
}

// Inside Actions the step summary gets the health report with its chart
// (on the real clock: the seeded attempts are long past, so crm-sync is
// silent).
func TestDriftHealthInTheStepSummary(t *testing.T) {
	e := unhealthyEnv(t)
	r := e.runGHA("true", "drift", "--health-window", "6h", "--max-silence", "30m")
	if r.code != 2 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"#### Delivery health (last 6h0m0s, minimum success rate 95.0%, silent after 30m0s)", "| T1 | `crm-sync` |", "**SILENT**", "```mermaid\nxychart-beta"} {
		if !strings.Contains(r.summary, want) {
			t.Errorf("step summary lacks %q:\n%s", want, r.summary)
		}
	}
}
