package cli

import (
	"cmp"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// BenchmarkScaleFloor measures what users get: each command as a user runs
// it (the default limiter, workspace parallelism and --lock plain unless
// the row says otherwise) against plain-mock answering every request after
// 100 ms, reporting the requests it sent and its time, each as a ratio to
// the command's floor, the least any client could do:
//
//   - plan: 1 request (the workspace, catalog and first page ride
//     together), 1 round trip;
//   - apply of one create: 2 requests (read, create) plus 2 for the lease
//     (its create and delete), as many round trips; with --lock local, 2;
//   - apply of 24 creates at --parallelism 16: 24 + 1 + 2 requests, and
//     read, lease, 2 waves of creates, lease delete: 5 round trips;
//   - drift --health-window over 20 targets: 2 requests (the workspace,
//     then every target's attempts in one query), 2 round trips;
//   - plan of 20 workspaces: 20 requests, and all of them at once: 1
//     round trip; at 100 ms and, as the goal is set (20 workspaces within
//     1.6× of one), at 300 ms a request.
//
// One run each (make bench); the figures vary with the machine's load and
// are never asserted on.
func BenchmarkScaleFloor(b *testing.B) {
	const defaultLatency = 100 * time.Millisecond
	rows := []struct {
		name                string
		latency             time.Duration // 0: defaultLatency
		workspaces, targets int
		create              bool
		args                []string
		floorReq            int
		floorRT             int
		prepare             func(*manyWorkspaces)
	}{
		{name: "plan", workspaces: 1, targets: 25, args: []string{"plan"}, floorReq: 1, floorRT: 1},
		{name: "apply-1-create-lease", workspaces: 1, targets: 1, create: true, args: []string{"apply", "--auto-approve"}, floorReq: 4, floorRT: 4},
		{name: "apply-1-create-lock-local", workspaces: 1, targets: 1, create: true, args: []string{"apply", "--auto-approve", "--lock", "local"}, floorReq: 2, floorRT: 2},
		{name: "apply-24-creates-P16", workspaces: 1, targets: 24, create: true, args: []string{"apply", "--auto-approve", "--parallelism", "16"}, floorReq: 27, floorRT: 5},
		{name: "drift-health-20-targets", workspaces: 1, targets: 20, args: []string{"drift", "--health-window", "24h"}, floorReq: 2, floorRT: 2,
			prepare: func(w *manyWorkspaces) {
				var as []plain.DeliveryAttempt
				for _, tg := range w.mock.TargetsIn(workspaceID(0)) {
					for j := range 3 {
						as = append(as, plain.DeliveryAttempt{WebhookTargetID: tg.ID, EventType: "thread.thread_created",
							AttemptedAt: testNow.Add(-time.Duration(j+1) * time.Hour), Result: plain.ResultSuccessfulResponse, HTTPStatusCode: 200})
					}
				}
				w.mock.AddDeliveryAttemptsIn(workspaceID(0), as...)
			}},
		{name: "plan-20-workspaces", workspaces: 20, targets: 5, args: []string{"plan"}, floorReq: 20, floorRT: 1},
		{name: "plan-20-workspaces-300ms", latency: 300 * time.Millisecond, workspaces: 20, targets: 5, args: []string{"plan"}, floorReq: 20, floorRT: 1},
	}
	for _, r := range rows {
		b.Run(r.name, func(b *testing.B) {
			latency := cmp.Or(r.latency, defaultLatency)
			var elapsed time.Duration
			var sent int32
			for b.Loop() {
				b.StopTimer()
				w := newManyWorkspaces(b, r.workspaces, r.targets, latency, r.create)
				w.env["XDG_CACHE_HOME"] = b.TempDir() // a local lock of its own
				if r.prepare != nil {
					r.prepare(w)
				}
				w.served.Store(0)
				b.StartTimer()
				start := time.Now()
				code, out, errOut := w.run(r.args...)
				elapsed = time.Since(start)
				b.StopTimer()
				if code != 0 {
					b.Fatalf("%v: exit %d\n%s\n%s", r.args, code, out, errOut)
				}
				sent = w.served.Load()
				b.StartTimer()
			}
			b.ReportMetric(float64(sent), "requests")
			b.ReportMetric(float64(r.floorReq), "floor-requests")
			b.ReportMetric(float64(sent)/float64(r.floorReq), "req/floor")
			b.ReportMetric(float64(elapsed)/float64(time.Duration(r.floorRT)*latency), "time/floor")
		})
	}
}
