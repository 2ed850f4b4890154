package view

import (
	"fmt"
	"io"
	"time"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/ghactions"
	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/reconcile"
	"github.com/plainsync/plainsync/internal/render"
)

// RenderPlan prints p in the output format plan takes: text (coloured
// when color is set), json or markdown.
func RenderPlan(w io.Writer, p *diff.Plan, output string, color bool) error {
	switch output {
	case "json":
		return render.JSON(w, p)
	case "markdown":
		return render.Markdown(w, p)
	default:
		return render.Text(w, p, render.Options{Color: color})
	}
}

// ShowPlans prints every file's plan, or its failure, in the output
// format, with a note of any expired leases apply would remove; changes
// says whether any plan has changes.
func (r *Workflow) ShowPlans(plans []reconcile.Planned, output string, now time.Time) (changes bool, err error) {
	for i, pl := range plans {
		if i > 0 && output == "text" {
			fmt.Fprintln(r.Out)
		}
		if pl.Err != nil {
			if err := r.Failure(pl, output, len(plans)); err != nil {
				return false, err
			}
			continue
		}
		if err := RenderPlan(r.Out, pl.Plan, output, r.Color); err != nil {
			return false, err
		}
		reconcile.NoteExpiredLeases(pl, now, r)
		changes = changes || pl.Plan.HasChanges()
	}
	return changes, nil
}

// PlanSaved says where "plan --out" saved the plan and how to apply it.
func (r *Workflow) PlanSaved(path string) {
	p := Gate{Secrets: r.Secrets}.Text(path)
	fmt.Fprintf(r.ErrOut, "Saved the plan to %s; apply it with: plainsync apply %s\n", p, p)
}

// ReportPlans, inside GitHub Actions, reports plan's outcome: each plan's
// Markdown in the step summary and, when every file was planned (failed
// is 0), the step outputs (plan-file only when savedTo names the saved
// plan) and the plan files. Outputs sum over every file: with one missing
// they would understate the changes, so a failure writes none.
func (a *Actions) ReportPlans(plans []reconcile.Planned, failed int, savedTo string) error {
	if !a.Enabled() {
		return nil
	}
	if failed == 0 {
		var extra []ghactions.Output
		if savedTo != "" {
			o, err := PlanFileOutput(savedTo)
			if err != nil {
				return err
			}
			extra = append(extra, o)
		}
		if err := a.ReportPlanned(plans, extra...); err != nil {
			return err
		}
	}
	for _, pl := range plans {
		if err := a.SummarizePlan(pl.Plan, false, len(plans)+failed); err != nil {
			return err
		}
		a.Done(pl.Plan.File)
	}
	return nil
}

// NoPlanRan is the step summary of plan on a fork without the key: why no
// plan ran, and whether the files validated.
func (a *Actions) NoPlanRan(reason string, valid bool) error {
	status := "valid"
	if !valid {
		status = "invalid: see the problems above"
	}
	return a.Summarize("> [!NOTE]\n> **No plan ran:** " + reason + "\n\nValidation: " + status + ".\n")
}

// ShowDrift prints every file's drift report (and delivery health, when
// reports[i] is set), or its failure, in the output format, and adds each
// to the step summary. It says whether any file drifted and whether any
// target is unhealthy.
func (r *Workflow) ShowDrift(plans []reconcile.Planned, reports []*health.Report, output string) (drifted, unhealthy bool, err error) {
	for i, pl := range plans {
		if pl.Err != nil {
			if err := r.Failure(pl, output, len(plans)); err != nil {
				return false, false, err
			}
			continue
		}
		hr := reports[i]
		if err := r.drift(pl.Plan, hr, output); err != nil {
			return false, false, err
		}
		drifted = drifted || pl.Plan.HasChanges()
		unhealthy = unhealthy || hr.AnyUnhealthy()
		if err := r.Actions.SummarizePlan(pl.Plan, true, len(plans)); err != nil {
			return false, false, err
		}
		if hr != nil {
			// Counts, names and a chart only: never a body or a URL.
			if err := r.Actions.SummarizeFile(pl.Plan.File, render.HealthMarkdown(hr)); err != nil {
				return false, false, err
			}
		}
		r.Actions.Done(pl.Plan.File)
	}
	return drifted, unhealthy, nil
}

// drift prints one file's drift report with its health report, if any.
func (r *Workflow) drift(p *diff.Plan, hr *health.Report, output string) error {
	switch output {
	case "json":
		return DriftJSON(r.Out, p, hr, Gate{Secrets: r.Secrets})
	case "markdown":
		if err := render.DriftMarkdown(r.Out, p); err != nil || hr == nil {
			return err
		}
		_, err := io.WriteString(r.Out, "\n"+render.HealthMarkdown(hr))
		return err
	default:
		if err := render.Drift(r.Out, p, render.Options{Color: r.Color}); err != nil {
			return err
		}
		return render.HealthText(r.Out, hr)
	}
}

// DriftJSON writes drift's JSON report, with a "health" member when the
// health check ran, so that -o json stays one document per file.
func DriftJSON(w io.Writer, p *diff.Plan, r *health.Report, g Gate) error {
	if r == nil {
		return render.DriftJSON(w, p)
	}
	// inSync keeps its meaning (the live targets match the file);
	// health.unhealthy says whether deliveries failed the check.
	return g.WriteJSON(w, struct {
		render.DriftReport
		Health *health.Report `json:"health"`
	}{DriftReport: render.NewDriftReport(p), Health: r})
}

// DriftOutput is drift's step output: the files drifted or a target is
// unhealthy.
func DriftOutput(drift bool) ghactions.Output {
	return ghactions.Output{Name: ghactions.OutputDrift, Value: ghactions.Bool(drift)}
}

// ReportPlanned, inside GitHub Actions, writes the step outputs of the
// plans (with extra: plan's saved file, drift's flag) and their plan
// files: what plan, apply and drift each report.
func (a *Actions) ReportPlanned(plans []reconcile.Planned, extra ...ghactions.Output) error {
	if err := a.WritePlanOutputs(plans, extra...); err != nil {
		return err
	}
	return a.WritePlanFiles(plans)
}
