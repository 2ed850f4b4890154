package render

import (
	"fmt"
	"testing"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// countingWriter counts the bytes rendered.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkScaleDiffRender computes and renders the plan of a file of
// 10,000 webhooks against 10,000 live targets (far above Plain's 25 per
// workspace: it shows that diff and render stay linear). Every fourth
// target is in sync; the others change events, URL query or enabled.
// It reports the time and memory of one plan and the text output's size.
func BenchmarkScaleDiffRender(b *testing.B) {
	const n = 10000
	d := &spec.Desired{File: "plainsync.yaml", Version: 1, APIKeyEnv: spec.DefaultAPIKeyEnv, Secrets: &secret.Masker{}}
	live := &plain.Snapshot{
		Workspace:  plain.Workspace{ID: "w_1", Name: "Acme"},
		Versions:   []plain.WebhookVersion{{Version: "2026-05-06", IsLatest: true}},
		EventTypes: []plain.EventType{{EventType: "thread.email_sent"}, {EventType: "thread.thread_created"}, {EventType: "customer.customer_created"}},
	}
	at := func(v string, line, col int) spec.Text {
		return spec.Text{Value: v, Raw: v, Pos: spec.Pos{File: d.File, Line: line, Col: col}}
	}
	for i := range n {
		name, url := fmt.Sprintf("hook-%05d", i), fmt.Sprintf("https://h%d.example.com/hook?v=1", i)
		line := 5 + i*5
		w := spec.Webhook{Name: at(name, line, 11), URL: at(url, line+1, 10), Enabled: true, Pos: spec.Pos{File: d.File, Line: line, Col: 5},
			Events: []spec.Text{at("thread.*", line+2, 14)}, WebhookVersion: at("2026-05-06", line+3, 21), EnabledPos: spec.Pos{File: d.File, Line: line + 4, Col: 14}}
		t := plain.Target{ID: fmt.Sprintf("whTarget_%026d", i), Description: name, URL: url, Version: "2026-05-06", Enabled: true,
			EventTypes: []string{"thread.email_sent", "thread.thread_created"}}
		switch i % 4 {
		case 1:
			t.EventTypes = []string{"thread.email_sent"}
		case 2:
			t.URL += "&mode=old"
		case 3:
			t.Enabled = false
		}
		d.Webhooks = append(d.Webhooks, w)
		live.Targets = append(live.Targets, t)
	}
	var out countingWriter
	b.ReportAllocs()
	for b.Loop() {
		p, problems := diff.Compute(d, live, diff.Options{})
		if spec.HasErrors(problems) {
			b.Fatal(problems)
		}
		out = countingWriter{}
		if err := Text(&out, p, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(out.n), "out-bytes")
}
