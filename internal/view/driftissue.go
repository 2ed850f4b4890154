package view

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/plainsync/plainsync/internal/ghactions"
	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/reconcile"
	"github.com/plainsync/plainsync/internal/render"
)

// workspaceDrift gathers one workspace's files for its drift issue.
type workspaceDrift struct {
	id, name string
	drifted  bool
	errored  bool
	reports  []string
}

// syncDriftIssues keeps one GitHub issue per workspace (drift
// --github-issue): the files of a workspace share it. A workspace that
// drifted gets the report; one in sync has its issue closed; one whose
// run failed (any of its files) is left as it is. The repository, token
// and API come from the runner: $GITHUB_REPOSITORY, $PLAINSYNC_GITHUB_TOKEN
// (the Action's github-token) or $GITHUB_TOKEN, and $GITHUB_API_URL.
func (a *Actions) SyncDriftIssues(ctx context.Context, out io.Writer, plans []reconcile.Planned, reports []*health.Report) error {
	var order []string
	byWS := map[string]*workspaceDrift{}
	get := func(id string) *workspaceDrift {
		w, ok := byWS[id]
		if !ok {
			w = &workspaceDrift{id: id}
			byWS[id] = w
			order = append(order, id)
		}
		return w
	}
	for i, pl := range plans {
		switch {
		case pl.Err != nil:
			// The workspace is known from the file's guard or a
			// snapshot read before the failure; otherwise nothing can be
			// told about it, and nothing is touched.
			id := pl.Desired.Workspace.Value
			if pl.Live != nil {
				id = pl.Live.Workspace.ID
			}
			if id != "" {
				get(id).errored = true
			}
			continue
		}
		w := get(pl.Plan.Workspace.ID)
		w.name = pl.Plan.Workspace.Name
		hr := reports[i]
		if !pl.Plan.HasChanges() && !hr.AnyUnhealthy() {
			continue
		}
		w.drifted = true
		var b strings.Builder
		if err := render.DriftIssueMarkdown(&b, pl.Plan, hr); err != nil {
			return err
		}
		w.reports = append(w.reports, b.String())
	}
	if len(order) == 0 {
		return nil
	}
	repo := a.getenv("GITHUB_REPOSITORY")
	if repo == "" {
		return errors.New("drift --github-issue: $GITHUB_REPOSITORY is not set (owner/name of the repository to keep the issues in)")
	}
	token := a.getenv(envGitHubToken)
	if token == "" {
		token = a.getenv("GITHUB_TOKEN")
	}
	if token != "" {
		a.secrets.Add("GITHUB_TOKEN", token)
		if err := a.MaskSecrets(); err != nil {
			return err
		}
	}
	gh, err := ghactions.NewGitHub(a.getenv("GITHUB_API_URL"), token, nil)
	if err != nil {
		return fmt.Errorf("drift --github-issue: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var errs []error
	issues := gh.DriftIssues(repo) // listed once for every workspace
	for _, id := range order {
		w := byWS[id]
		state := ghactions.InSync
		switch {
		case w.drifted:
			state = ghactions.Drifted
		case w.errored:
			state = ghactions.Errored
		}
		// The reports went through the same masked, inert Markdown as
		// the pull-request comment; the masker runs once more over the
		// whole body for secrets only the factory knows.
		body := a.secrets.Mask(strings.Join(w.reports, "\n---\n\n"))
		res, err := issues.Sync(ctx, w.id, w.name, state, body)
		if err != nil {
			errs = append(errs, fmt.Errorf("drift issue of workspace %s: %w", w.id, err))
			continue
		}
		if res.Action != "" {
			fmt.Fprintf(out, "Drift issue of workspace %s: %s #%d %s\n", w.id, res.Action, res.Number, res.URL)
		}
	}
	return errors.Join(errs...)
}
