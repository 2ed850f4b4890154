package ghactions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/plainsync/plainsync/internal/loopback"
)

// DefaultAPIURL is GitHub's REST API; the runner sets $GITHUB_API_URL
// (GitHub Enterprise Server has its own).
const DefaultAPIURL = "https://api.github.com"

// GitHub is the little of GitHub's REST API the pull-request comment needs:
// list, create and update issue comments, and find the pull request a
// pushed commit came from.
type GitHub struct {
	api   *url.URL
	token string
	http  *http.Client
	// perm is the permission a 403 or 404 hints at; "" means
	// pull-requests: write (the comment's).
	perm string
}

// NewGitHub returns a client for apiURL that authenticates with token. The
// token goes only to https endpoints, or over plain http to a loopback host
// (a test's fake API), never anywhere else.
func NewGitHub(apiURL, token string, hc *http.Client) (*GitHub, error) {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	u, err := url.Parse(strings.TrimRight(apiURL, "/"))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("GitHub API URL %q is not a URL", apiURL)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && loopback.Host(u.Hostname())) {
		return nil, fmt.Errorf("GitHub API URL %q must use https (plain http only for a loopback host): the token would travel in the clear", apiURL)
	}
	if strings.TrimSpace(token) == "" {
		return nil, errors.New("no GitHub token: set the input github-token (the default, ${{ github.token }}, needs permissions: pull-requests: write)")
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	// Never follow a redirect with the token to another host.
	c := *hc
	if u.Scheme == "http" {
		// Loopback by name; the dial must agree (see loopback.Transport).
		if c.Transport, err = loopback.Transport(c.Transport, nil); err != nil {
			return nil, fmt.Errorf("GitHub API URL %q: %w", apiURL, err)
		}
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != u.Host || req.URL.Scheme != u.Scheme {
			return fmt.Errorf("GitHub API redirected to %s; not sending the token there", req.URL.Host)
		}
		return nil
	}
	return &GitHub{api: u, token: token, http: &c}, nil
}

// Comment is an issue or pull-request comment.
type Comment struct {
	ID   int64  `json:"id"`
	Body string `json:"body"`
	User struct {
		Login string `json:"login"`
		Type  string `json:"type"`
	} `json:"user"`
}

// do sends one request and decodes a JSON answer into out (nil: none).
func (g *GitHub) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	u := *g.api
	u.Path = g.api.Path + path
	u.RawQuery = query.Encode()
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := g.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read the answer: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &e)
		msg := e.Message
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		hint := ""
		if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusNotFound {
			perm := g.perm
			if perm == "" {
				perm = "pull-requests: write"
			}
			hint = " (does the workflow grant permissions: " + perm + "?)"
		}
		return &APIError{Status: resp.StatusCode, msg: fmt.Sprintf("%s %s: GitHub answered %d: %s%s", method, path, resp.StatusCode, msg, hint)}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: GitHub's answer is not the JSON expected: %w", method, path, err)
	}
	return nil
}

// APIError is GitHub answering with a status other than 2xx.
type APIError struct {
	Status int
	msg    string
}

func (e *APIError) Error() string { return e.msg }

// ListComments returns every comment of issue (or pull request) n.
func (g *GitHub) ListComments(ctx context.Context, repo string, n int) ([]Comment, error) {
	const perPage = 100
	var all []Comment
	for page := 1; ; page++ {
		var cs []Comment
		q := url.Values{"per_page": {strconv.Itoa(perPage)}, "page": {strconv.Itoa(page)}}
		if err := g.do(ctx, http.MethodGet, fmt.Sprintf("/repos/%s/issues/%d/comments", repo, n), q, nil, &cs); err != nil {
			return nil, fmt.Errorf("list the comments of #%d: %w", n, err)
		}
		all = append(all, cs...)
		if len(cs) < perPage || page >= 100 {
			return all, nil
		}
	}
}

// CreateComment adds a comment to issue n.
func (g *GitHub) CreateComment(ctx context.Context, repo string, n int, body string) (Comment, error) {
	var c Comment
	err := g.do(ctx, http.MethodPost, fmt.Sprintf("/repos/%s/issues/%d/comments", repo, n), nil, map[string]string{"body": body}, &c)
	if err != nil {
		return c, fmt.Errorf("comment on #%d: %w", n, err)
	}
	return c, nil
}

// UpdateComment replaces a comment's body.
func (g *GitHub) UpdateComment(ctx context.Context, repo string, id int64, body string) error {
	if err := g.do(ctx, http.MethodPatch, fmt.Sprintf("/repos/%s/issues/comments/%d", repo, id), nil, map[string]string{"body": body}, nil); err != nil {
		return fmt.Errorf("update comment %d: %w", id, err)
	}
	return nil
}

// PullRequestsOf returns the numbers of the pull requests that contain
// commit sha, the merged one first: where an apply on push reports back.
func (g *GitHub) PullRequestsOf(ctx context.Context, repo, sha string) ([]int, error) {
	var prs []struct {
		Number         int    `json:"number"`
		MergeCommitSHA string `json:"merge_commit_sha"`
	}
	if err := g.do(ctx, http.MethodGet, fmt.Sprintf("/repos/%s/commits/%s/pulls", repo, url.PathEscape(sha)), nil, nil, &prs); err != nil {
		return nil, fmt.Errorf("find the pull request of commit %s: %w", sha, err)
	}
	var merged, other []int
	for _, p := range prs {
		if p.MergeCommitSHA == sha {
			merged = append(merged, p.Number)
		} else {
			other = append(other, p.Number)
		}
	}
	return append(merged, other...), nil
}
