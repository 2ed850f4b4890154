package ghactions

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// DriftLabel is the label of the issues drift --github-issue keeps; with
// the marker in the body it finds a workspace's issue again.
const DriftLabel = "plainsync-drift"

// DriftState is what one drift run found for a workspace.
type DriftState string

const (
	// Drifted: the workspace differs from its files (or is unhealthy):
	// the workspace's issue is opened, or its body replaced.
	Drifted DriftState = "drifted"
	// InSync: the workspace's open issue, if any, is closed.
	InSync DriftState = "in-sync"
	// Errored: the run could not tell; the issue is left as it is, never
	// closed, since an outage is not a fix.
	Errored DriftState = "error"
)

// DriftIssue is what SyncDriftIssue did: Action is "created", "updated",
// "closed" or "" (nothing to do), Number the issue's number.
type DriftIssue struct {
	Action string
	Number int
	URL    string
}

// driftMarker is the hidden HTML comment that ties an issue to a
// workspace; workspace ids are w_ and a ULID, so the id needs no escaping,
// but anything else is dropped to keep the comment closed.
func driftMarker(workspaceID string) string {
	return "<!-- plainsync-drift-issue workspace=" + markerUnsafe.ReplaceAllString(workspaceID, "") + " -->"
}

var markerUnsafe = regexp.MustCompile(`[^A-Za-z0-9_.:-]`)

type issue struct {
	Number      int       `json:"number"`
	Body        string    `json:"body"`
	HTMLURL     string    `json:"html_url"`
	PullRequest *struct{} `json:"pull_request"`
}

// DriftIssues is the open drift issues of one repository, listed once: a
// run over several workspaces finds every workspace's issue in one
// listing (paged as GitHub pages it), then matches markers, and checks
// the label at most once. It lives for one run; the issues it opens and
// closes are kept in it.
type DriftIssues struct {
	g        GitHub // with perm set to issues: write
	repo     string
	open     []issue
	listed   bool
	labelled bool
}

// DriftIssues returns repo's drift issues, to be listed on first use.
func (g *GitHub) DriftIssues(repo string) *DriftIssues {
	gi := *g
	gi.perm = "issues: write"
	return &DriftIssues{g: gi, repo: repo}
}

// SyncDriftIssue keeps one open issue per workspace in repo (owner/name):
// created on the first drifted run, its body replaced with report (the
// Markdown drift report, already masked and inert) on every later drifted
// run, and closed with a short comment when the workspace is in sync.
// An Errored run touches nothing. It needs only issues: write.
func (g *GitHub) SyncDriftIssue(ctx context.Context, repo, workspaceID, workspaceName string, state DriftState, report string) (DriftIssue, error) {
	return g.DriftIssues(repo).Sync(ctx, workspaceID, workspaceName, state, report)
}

// Sync is SyncDriftIssue for one workspace over the issues listed once.
func (d *DriftIssues) Sync(ctx context.Context, workspaceID, workspaceName string, state DriftState, report string) (DriftIssue, error) {
	if state == Errored {
		return DriftIssue{}, nil
	}
	if workspaceID == "" {
		return DriftIssue{}, fmt.Errorf("drift issue: no workspace id")
	}
	gi, repo := &d.g, d.repo
	marker := driftMarker(workspaceID)
	if !d.listed {
		open, err := gi.listDriftIssues(ctx, repo)
		if err != nil {
			return DriftIssue{}, err
		}
		d.open, d.listed = open, true
	}
	at := d.find(marker)
	if state == InSync {
		if at < 0 {
			return DriftIssue{}, nil
		}
		open := d.open[at]
		if _, err := gi.CreateComment(ctx, repo, open.Number, "plainsync: the workspace is in sync with its files again; closing."); err != nil {
			return DriftIssue{}, err
		}
		if err := gi.do(ctx, http.MethodPatch, fmt.Sprintf("/repos/%s/issues/%d", repo, open.Number), nil,
			map[string]string{"state": "closed", "state_reason": "completed"}, nil); err != nil {
			return DriftIssue{}, fmt.Errorf("close drift issue #%d: %w", open.Number, err)
		}
		d.open = append(d.open[:at], d.open[at+1:]...)
		return DriftIssue{Action: "closed", Number: open.Number, URL: open.HTMLURL}, nil
	}
	title := "plainsync: drift in workspace " + workspaceID
	if name := strings.TrimSpace(workspaceName); name != "" {
		// A title is plain text on GitHub; keep it on one line and short.
		name = strings.Join(strings.Fields(name), " ")
		if len(name) > 80 {
			name = name[:80]
		}
		title += " (" + name + ")"
	}
	body := fitComment(marker + "\n" + report)
	if at >= 0 {
		open := &d.open[at]
		if err := gi.do(ctx, http.MethodPatch, fmt.Sprintf("/repos/%s/issues/%d", repo, open.Number), nil,
			map[string]string{"title": title, "body": body}, nil); err != nil {
			return DriftIssue{}, fmt.Errorf("update drift issue #%d: %w", open.Number, err)
		}
		open.Body = body
		return DriftIssue{Action: "updated", Number: open.Number, URL: open.HTMLURL}, nil
	}
	if !d.labelled {
		if err := gi.ensureLabel(ctx, repo); err != nil {
			return DriftIssue{}, err
		}
		d.labelled = true
	}
	var created issue
	if err := gi.do(ctx, http.MethodPost, fmt.Sprintf("/repos/%s/issues", repo), nil,
		map[string]any{"title": title, "body": body, "labels": []string{DriftLabel}}, &created); err != nil {
		return DriftIssue{}, fmt.Errorf("open drift issue: %w", err)
	}
	created.Body = body
	d.open = append(d.open, created)
	return DriftIssue{Action: "created", Number: created.Number, URL: created.HTMLURL}, nil
}

// find returns the index of the oldest open issue whose body begins with
// marker, or -1.
func (d *DriftIssues) find(marker string) int {
	for i := range d.open {
		// "Every pull request is an issue" (GitHub's REST docs): the
		// list holds pull requests too, marked by pull_request. A marker
		// must begin the body, where plainsync writes it.
		if d.open[i].PullRequest == nil && strings.HasPrefix(d.open[i].Body, marker) {
			return i
		}
	}
	return -1
}

// listDriftIssues returns the open issues carrying the label, oldest
// first.
func (g *GitHub) listDriftIssues(ctx context.Context, repo string) ([]issue, error) {
	const perPage = 100
	var all []issue
	for page := 1; page <= 100; page++ {
		var is []issue
		q := url.Values{"state": {"open"}, "labels": {DriftLabel}, "per_page": {strconv.Itoa(perPage)}, "page": {strconv.Itoa(page)},
			"sort": {"created"}, "direction": {"asc"}}
		if err := g.do(ctx, http.MethodGet, fmt.Sprintf("/repos/%s/issues", repo), q, nil, &is); err != nil {
			return nil, fmt.Errorf("find the drift issue: %w", err)
		}
		all = append(all, is...)
		if len(is) < perPage {
			break
		}
	}
	return all, nil
}

// ensureLabel creates DriftLabel when the repository lacks it, so that
// the new issue carries it and later runs find it. GitHub's REST docs
// (docs.github.com/rest/issues/labels, "Create a label") list "Issues"
// repository permissions (write) as sufficient, so issues: write is all
// the drift issue needs; creating an issue with a label the repository
// lacks is not relied on (without push access GitHub may drop or refuse it).
func (g *GitHub) ensureLabel(ctx context.Context, repo string) error {
	err := g.do(ctx, http.MethodGet, fmt.Sprintf("/repos/%s/labels/%s", repo, DriftLabel), nil, nil, nil)
	if err == nil {
		return nil
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusNotFound {
		return fmt.Errorf("read label %s: %w", DriftLabel, err)
	}
	if err := g.do(ctx, http.MethodPost, fmt.Sprintf("/repos/%s/labels", repo), nil,
		map[string]string{"name": DriftLabel, "color": "d93f0b", "description": "Webhook drift found by plainsync"}, nil); err != nil {
		return fmt.Errorf("create label %s: %w", DriftLabel, err)
	}
	return nil
}
