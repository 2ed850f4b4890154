package ghactions

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/plainsync/plainsync/internal/inert"
	"os"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Event is what plainsync needs to know of the event that started the
// workflow: where a comment goes and whether secrets exist.
type Event struct {
	Name string // GITHUB_EVENT_NAME: pull_request, push, …
	Repo string // owner/name
	SHA  string
	// PR is the pull request's number for pull_request events, 0 otherwise.
	PR int
	// Fork is set for a pull request from another repository: GitHub runs
	// its workflows without the repository's secrets.
	Fork bool
}

// ReadEvent reads the event from the runner's environment and
// $GITHUB_EVENT_PATH, the event's JSON payload.
func (a *Actions) ReadEvent() (Event, error) {
	if a == nil {
		return Event{}, nil
	}
	get := func(k string) string { v, _ := a.lookupEnv(k); return v }
	ev := Event{Name: get("GITHUB_EVENT_NAME"), Repo: get("GITHUB_REPOSITORY"), SHA: get("GITHUB_SHA")}
	if ev.Name != "pull_request" && ev.Name != "pull_request_target" {
		return ev, nil
	}
	path := get("GITHUB_EVENT_PATH")
	if path == "" {
		return ev, fmt.Errorf("GITHUB_EVENT_PATH is not set for a %s event", ev.Name)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ev, fmt.Errorf("read the event payload: %w", err)
	}
	var payload struct {
		PullRequest struct {
			Number int `json:"number"`
			Head   struct {
				SHA  string `json:"sha"`
				Repo *struct {
					FullName string `json:"full_name"`
				} `json:"repo"`
			} `json:"head"`
			Base struct {
				Repo struct {
					FullName string `json:"full_name"`
				} `json:"repo"`
			} `json:"base"`
		} `json:"pull_request"`
	}
	if err := json.Unmarshal(data, &payload); err != nil {
		return ev, fmt.Errorf("read the event payload: %w", err)
	}
	pr := payload.PullRequest
	ev.PR = pr.Number
	if pr.Head.SHA != "" {
		ev.SHA = pr.Head.SHA // GITHUB_SHA is the test merge commit
	}
	// A deleted fork has no head repository; it was a fork all the same.
	ev.Fork = pr.Head.Repo == nil || pr.Head.Repo.FullName != pr.Base.Repo.FullName
	return ev, nil
}

// RunURL links the workflow run, for comments; "" when unknown.
func (a *Actions) RunURL() string {
	if a == nil {
		return ""
	}
	get := func(k string) string { v, _ := a.lookupEnv(k); return v }
	server, repo, id := get("GITHUB_SERVER_URL"), get("GITHUB_REPOSITORY"), get("GITHUB_RUN_ID")
	if server == "" || repo == "" || id == "" {
		return ""
	}
	return strings.TrimRight(server, "/") + "/" + repo + "/actions/runs/" + id
}

// MaxComment is the longest comment body GitHub accepts, in characters.
const MaxComment = 65536

// markerKey keeps a comment key inside an HTML comment: no "--", no ">".
var markerKey = regexp.MustCompile(`[^ A-Za-z0-9._/@:+=-]+`)

// Marker is the hidden first line that finds plainsync's comment again:
// one per key, so that each workspace (file) of a matrix, and apply beside
// plan, keeps its own comment.
func Marker(key string) string {
	key = strings.ReplaceAll(markerKey.ReplaceAllString(key, "_"), "--", "-")
	return "<!-- plainsync-comment " + key + " -->"
}

// CommentResult says what UpsertComment did.
type CommentResult string

const (
	CommentCreated CommentResult = "created"
	CommentUpdated CommentResult = "updated"
	CommentSkipped CommentResult = "skipped"
)

// PRComments is pull request n's comments, listed once: a step that keeps
// the comments of several files finds them all in one listing (paged as
// GitHub pages it) instead of listing the pull request again per file. It
// lives for one step; comments the step creates or updates are kept in it.
type PRComments struct {
	gh     *GitHub
	repo   string
	n      int
	list   []Comment
	listed bool
}

// PRComments returns pull request n's comments, to be listed on first use.
func (g *GitHub) PRComments(repo string, n int) *PRComments {
	return &PRComments{gh: g, repo: repo, n: n}
}

// UpsertComment keeps one comment per marker on pull request n: it
// replaces the body of the comment that starts with marker, or creates one.
// With onlyUpdate (nothing changed, and the user asked for no comment
// then) it updates an existing comment, which would otherwise go on
// showing a stale plan, but creates none. Only comments written by a bot
// (the Actions token) count, so that a person's comment quoting the marker
// is never overwritten. body is masked first.
func (a *Actions) UpsertComment(ctx context.Context, gh *GitHub, repo string, n int, marker, body string, onlyUpdate bool) (CommentResult, error) {
	return a.UpsertPRComment(ctx, gh.PRComments(repo, n), marker, body, onlyUpdate)
}

// UpsertPRComment is UpsertComment over comments listed once (see
// PRComments): the first call lists them, later ones reuse the list.
func (a *Actions) UpsertPRComment(ctx context.Context, pc *PRComments, marker, body string, onlyUpdate bool) (CommentResult, error) {
	if a != nil {
		body = a.secrets.Mask(body)
	}
	body = inert.BreakLegacy(body)
	body = fitComment(marker + "\n" + body)
	if !pc.listed {
		comments, err := pc.gh.ListComments(ctx, pc.repo, pc.n)
		if err != nil {
			return "", err
		}
		pc.list, pc.listed = comments, true
	}
	for i := range pc.list {
		c := &pc.list[i]
		if c.User.Type == "Bot" && strings.HasPrefix(c.Body, marker) {
			if err := pc.gh.UpdateComment(ctx, pc.repo, c.ID, body); err != nil {
				return "", err
			}
			c.Body = body
			return CommentUpdated, nil
		}
	}
	if onlyUpdate {
		return CommentSkipped, nil
	}
	created, err := pc.gh.CreateComment(ctx, pc.repo, pc.n, body)
	if err != nil {
		return "", err
	}
	// GitHub answers with the comment, its author (the token's bot)
	// included; a later marker of this step is never this one's, but the
	// list stays what GitHub holds.
	pc.list = append(pc.list, created)
	return CommentCreated, nil
}

// fitComment cuts a body over MaxComment characters at a line, with a
// note; the parts plainsync renders are sized to fit already.
func fitComment(s string) string {
	if utf8.RuneCountInString(s) <= MaxComment {
		return s
	}
	const note = "\n\n> [!NOTE]\n> Cut to fit GitHub's comment limit; the full report is in the run's step summary.\n"
	runes := []rune(s)[:MaxComment-utf8.RuneCountInString(note)]
	cut := string(runes)
	if i := strings.LastIndexByte(cut, '\n'); i > 0 {
		cut = cut[:i]
	}
	return cut + note
}
