package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/plainsync/plainsync/internal/ghactions"
	"github.com/plainsync/plainsync/internal/plain"
)

const ghToken = "ghs_e2eGITHUBtoken0123456789"

// fakeGitHub is the part of GitHub's REST API the Action's comment uses,
// for one repository, on loopback.
type fakeGitHub struct {
	t        *testing.T
	mu       sync.Mutex
	comments map[int][]ghComment
	nextID   int
	pulls    map[string][]int // commit sha → pull requests
	lists    int              // comment listings served
}

type ghComment struct {
	ID   int    `json:"id"`
	Body string `json:"body"`
	User struct {
		Type string `json:"type"`
	} `json:"user"`
}

func startGitHub(t *testing.T) (*fakeGitHub, string) {
	g := &fakeGitHub{t: t, comments: map[int][]ghComment{}, nextID: 9000, pulls: map[string][]int{}}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return g, srv.URL
}

func (g *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if got := r.Header.Get("Authorization"); got != "Bearer "+ghToken {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"message":"Bad credentials"}`)
		return
	}
	p := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(p) < 4 || p[0] != "repos" || p[1]+"/"+p[2] != "acme/config" {
		http.NotFound(w, r)
		return
	}
	switch {
	case len(p) == 6 && p[3] == "issues" && p[5] == "comments" && r.Method == http.MethodGet:
		n, _ := strconv.Atoi(p[4])
		g.lists++
		json.NewEncoder(w).Encode(g.comments[n])
	case len(p) == 6 && p[3] == "issues" && p[5] == "comments" && r.Method == http.MethodPost:
		n, _ := strconv.Atoi(p[4])
		var in struct{ Body string }
		json.NewDecoder(r.Body).Decode(&in)
		c := ghComment{ID: g.nextID, Body: in.Body}
		c.User.Type = "Bot"
		g.nextID++
		g.comments[n] = append(g.comments[n], c)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(c)
	case len(p) == 6 && p[3] == "issues" && p[4] == "comments" && r.Method == http.MethodPatch:
		id, _ := strconv.Atoi(p[5])
		var in struct{ Body string }
		json.NewDecoder(r.Body).Decode(&in)
		for n := range g.comments {
			for i := range g.comments[n] {
				if g.comments[n][i].ID == id {
					g.comments[n][i].Body = in.Body
					json.NewEncoder(w).Encode(g.comments[n][i])
					return
				}
			}
		}
		http.NotFound(w, r)
	case len(p) == 6 && p[3] == "commits" && p[5] == "pulls" && r.Method == http.MethodGet:
		var out []map[string]any
		for _, n := range g.pulls[p[4]] {
			out = append(out, map[string]any{"number": n, "merge_commit_sha": p[4]})
		}
		json.NewEncoder(w).Encode(out)
	default:
		http.NotFound(w, r)
	}
}

// snapshot returns every comment body.
func (g *fakeGitHub) snapshot() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, cs := range g.comments {
		for _, c := range cs {
			out = append(out, c.Body)
		}
	}
	return out
}

// bodies returns pull request n's comments by their marker line.
func (g *fakeGitHub) bodies(n int) map[string]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := map[string]string{}
	for _, c := range g.comments[n] {
		marker, _, _ := strings.Cut(c.Body, "\n")
		if _, dup := out[marker]; dup {
			g.t.Fatalf("two comments with marker %s", marker)
		}
		out[marker] = c.Body
	}
	return out
}

func markers(m map[string]string) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// prEvent writes a pull_request event payload; fork makes the head
// another repository's.
func prEvent(t *testing.T, number int, fork bool) string {
	head := "acme/config"
	if fork {
		head = "mallory/config"
	}
	p := filepath.Join(t.TempDir(), "event.json")
	data := fmt.Sprintf(`{"pull_request":{"number":%d,"head":{"sha":"abcdef1234567890","repo":{"full_name":%q}},"base":{"repo":{"full_name":"acme/config"}}}}`, number, head)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// actionStep runs action.yml's run step, as the runner would for one job
// of a workflow, with the built binary and the comment turned on.
type stepRun struct {
	t                 *testing.T
	workspace, ghURL  string
	event, eventPath  string
	sha               string
	command, files    string
	args, workdir     string
	mockURL           string
	noKey             bool
	commentOnNoChange string
	commentKey        string
	fake              *fakeGitHub // its comments are checked for secrets too
}

func (s stepRun) run() (result, string) {
	t := s.t
	t.Helper()
	a := loadAction(t)
	g := newGHAFiles(t)
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + s.workspace, "NO_COLOR=1", "CRM_TOKEN=" + crmToken,
		"PLAINSYNC_BIN=" + filepath.Join(binDir, "plainsync"), "PLAINSYNC_COMMAND=" + s.command,
		"PLAINSYNC_FILES=" + s.files, "PLAINSYNC_ARGS=" + s.args, "PLAINSYNC_API_URL=" + s.mockURL,
		"PLAINSYNC_WORKDIR=" + s.workdir, "PLAINSYNC_COMMENT=true", "PLAINSYNC_COMMENT_KEY=" + s.commentKey,
		"PLAINSYNC_COMMENT_ON_NO_CHANGES=" + s.commentOnNoChange, "PLAINSYNC_GITHUB_TOKEN=" + ghToken,
		"GITHUB_WORKSPACE=" + s.workspace, "GITHUB_REPOSITORY=acme/config", "GITHUB_API_URL=" + s.ghURL,
		"GITHUB_SERVER_URL=https://github.com", "GITHUB_RUN_ID=4242", "GITHUB_EVENT_NAME=" + s.event,
		"GITHUB_EVENT_PATH=" + s.eventPath, "GITHUB_SHA=" + s.sha}
	if !s.noKey {
		env = append(env, "PLAIN_API_KEY="+apiKey)
	}
	env = append(env, g.env()...)
	r := bashStep(t, a.step(t, "run").Run, filepath.Join(s.workspace, s.workdir), env)
	outputs, summary := g.read(t)
	all := r.stdout + withoutMasks(r.stderr) + outputs + summary
	if md, ok := outputValue(outputs, "plan-markdown"); ok {
		data, _ := os.ReadFile(md)
		all += string(data)
	}
	if s.fake != nil {
		for _, cs := range s.fake.snapshot() {
			all += cs
		}
	}
	assertNoSecrets(t, "action step and its comments", all)
	if strings.Contains(all, ghToken) {
		t.Fatalf("the GitHub token appears in the step's output")
	}
	return r, outputs
}

const stagingYAML = `version: 1
defaults:
  webhookVersion: "2026-05-06"
webhooks:
  - name: staging-hook
    url: https://staging.example.com/in
    events: [thread.thread_created]
`

func TestActionCommentsOnPullRequests(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	gh, ghURL := startGitHub(t)
	prod := startMock(t, ws())
	staging := startMock(t, &mockState{Workspace: plain.Workspace{ID: "w_01E2ESTAGING0000000000000", Name: "Staging"}})
	workspace := t.TempDir()
	cfg := filepath.Join(workspace, "workspaces")
	os.MkdirAll(cfg, 0o755)
	write := func(name, yaml string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(cfg, name), []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("prod.yaml", desiredYAML)
	write("staging.yaml", stagingYAML)
	pr := prEvent(t, 7, false)
	step := func(mockURL, command, file, args string) stepRun {
		return stepRun{t: t, workspace: workspace, ghURL: ghURL, event: "pull_request", eventPath: pr, sha: "mergeSHA0001",
			command: command, files: file, args: args, workdir: "workspaces", mockURL: mockURL, commentOnNoChange: "true", fake: gh}
	}
	prodMarker := "<!-- plainsync-comment plan workspaces/prod.yaml -->"

	// First push: the plan comment is created.
	r, outputs := step(prod.url, "plan", "prod.yaml", "--out plan.json").run()
	wantCode(t, r, 0)
	wantContains(t, r.stderr, "Pull-request comment on #7 for workspaces/prod.yaml: created.")
	c := gh.bodies(7)
	if len(c) != 1 || c[prodMarker] == "" {
		t.Fatalf("comments %v, want one with %s", markers(c), prodMarker)
	}
	wantContains(t, c[prodMarker], "#### plainsync plan for `workspaces/prod.yaml`: changes to review",
		"**Plan: 3 to create", "token=${CRM_TOKEN}", "<sub>plainsync plan for `abcdef1` · [run](https://github.com/acme/config/actions/runs/4242)</sub>")
	if code, _ := outputValue(outputs, "exitcode"); code != "0" {
		t.Fatalf("exitcode %q", code)
	}

	// Second push: the same comment is updated.
	write("prod.yaml", strings.Replace(desiredYAML, "https://ops.example.com/plain", "https://ops2.example.com/plain", 1))
	r, _ = step(prod.url, "plan", "prod.yaml", "").run()
	wantCode(t, r, 0)
	wantContains(t, r.stderr, "Pull-request comment on #7 for workspaces/prod.yaml: updated.")
	c = gh.bodies(7)
	if len(c) != 1 {
		t.Fatalf("comments %v after the second push", markers(c))
	}
	wantContains(t, c[prodMarker], "https://ops2.example.com/plain")

	// The plan fails: the error replaces the plan, which no longer holds.
	write("prod.yaml", strings.Replace(desiredYAML, "thread.thread_created", "thread.no_such_event", 1))
	r, outputs = step(prod.url, "plan", "prod.yaml", "").run()
	wantCode(t, r, 1)
	// The annotation names the file from the repository's root, not from
	// the step's working-directory, so that it lands on the PR's file.
	wantContains(t, r.stderr, ",file=workspaces/prod.yaml,line=")
	c = gh.bodies(7)
	body := c[prodMarker]
	wantContains(t, body, "#### ❌ plainsync plan for `workspaces/prod.yaml` failed", "no longer applies", "thread.no_such_event", "exit code 1")
	if strings.Contains(body, "**Plan:") || strings.Contains(body, "ops2.example.com") {
		t.Fatalf("the failed plan's comment still shows the old plan:\n%s", body)
	}
	if code, _ := outputValue(outputs, "exitcode"); code != "1" {
		t.Fatalf("exitcode %q", code)
	}
	write("prod.yaml", desiredYAML)

	// A matrix: the staging workspace's job keeps its own comment.
	r, _ = step(staging.url, "plan", "staging.yaml", "").run()
	wantCode(t, r, 0)
	c = gh.bodies(7)
	stagingMarker := "<!-- plainsync-comment plan workspaces/staging.yaml -->"
	if len(c) != 2 || !strings.Contains(c[stagingMarker], "staging-hook") || !strings.Contains(c[prodMarker], "failed") {
		t.Fatalf("matrix comments %v:\n%s", markers(c), c[stagingMarker])
	}

	// Nothing to change and comment-on-no-changes false: no new comment.
	if r := prod.run(filepath.Join(workspace, "workspaces"), "apply", "-f", "prod.yaml", "--auto-approve"); r.code != 0 {
		t.Fatalf("apply: %s", r.stderr)
	}
	other := prEvent(t, 8, false)
	s := step(prod.url, "plan", "prod.yaml", "")
	s.eventPath, s.commentOnNoChange = other, "false"
	r, _ = s.run()
	wantCode(t, r, 0)
	wantContains(t, r.stderr, "Pull-request comment on #8 for workspaces/prod.yaml: skipped.")
	if len(gh.bodies(8)) != 0 {
		t.Fatal("a plan without changes created a comment")
	}
	// ... but an existing comment is updated, so that it stops showing
	// the failed plan.
	s.eventPath = pr
	r, _ = s.run()
	wantCode(t, r, 0)
	wantContains(t, gh.bodies(7)[prodMarker], ": no changes", "No changes. Live targets match the file.")

	// Apply on push after the merge: the result goes to the pull request
	// the commit came from, in a comment of its own.
	gh.pulls["mergeSHA0002"] = []int{7}
	write("staging.yaml", stagingYAML+"  - name: staging-two\n    url: https://staging.example.com/two\n    events: [thread.thread_created]\n")
	s = step(staging.url, "apply", "staging.yaml", "--auto-approve")
	s.event, s.eventPath, s.sha = "push", "", "mergeSHA0002"
	r, _ = s.run()
	wantCode(t, r, 0)
	c = gh.bodies(7)
	applyBody := c["<!-- plainsync-comment apply workspaces/staging.yaml -->"]
	wantContains(t, applyBody, "#### plainsync apply for `workspaces/staging.yaml`: applied", "Apply complete: 2 created", "`mergeSH`")
	if len(c) != 3 {
		t.Fatalf("comments after apply %v", markers(c))
	}
}

func TestActionOnAForkValidatesOnlyAndStaysGreen(t *testing.T) {
	t.Parallel()
	gh, ghURL := startGitHub(t)
	workspace := workdir(t, desiredYAML)
	s := stepRun{t: t, workspace: workspace, ghURL: ghURL, event: "pull_request", eventPath: prEvent(t, 9, true), sha: "x",
		command: "plan", files: "plainsync.yaml", workdir: ".", mockURL: "http://127.0.0.1:1/graphql/v1", noKey: true, commentOnNoChange: "true", fake: gh}
	r, outputs := s.run()
	wantCode(t, r, 0)
	wantContains(t, r.stderr, "::notice title=plainsync::No plan: this pull request comes from a fork")
	wantContains(t, r.stdout, "plainsync.yaml: valid (3 webhooks)")
	body := gh.bodies(9)["<!-- plainsync-comment plan plainsync.yaml -->"]
	wantContains(t, body, "no plan on a fork", "**No plan ran:** this pull request comes from a fork", "$PLAIN_API_KEY is not set", "Validation: valid.")
	if code, _ := outputValue(outputs, "exitcode"); code != "0" {
		t.Fatalf("exitcode %q", code)
	}

	// An invalid file on a fork fails, and the comment says why.
	bad := workdir(t, strings.Replace(desiredYAML, "https://ops.example.com/plain", "http://ops.example.com/plain", 1))
	s.workspace = bad
	r, _ = s.run()
	wantCode(t, r, 1)
	wantContains(t, gh.bodies(9)["<!-- plainsync-comment plan plainsync.yaml -->"], "must use https", "Validation: invalid")
}

// TestActionCommentShowsEveryDelete plans 25 creates subscribed to every
// event type and 5 deletes: the comment shows all 5 deletes in full at the
// top, and the plan-markdown file holds the whole plan.
func TestActionCommentShowsEveryDelete(t *testing.T) {
	t.Parallel()
	gh, ghURL := startGitHub(t)
	st := ws()
	for i := 0; i < 5; i++ {
		st.Targets = append(st.Targets, plain.Target{ID: fmt.Sprintf("whTarget_01E2E01D%018d", i), Description: fmt.Sprintf("old-%d", i),
			URL: fmt.Sprintf("https://old%d.example.com/h", i), EventTypes: []string{"thread.thread_created", "thread.email_received"},
			Version: "2026-05-06", Enabled: true})
	}
	m := startMock(t, st)
	var y strings.Builder
	y.WriteString("version: 1\nworkspace: w_01E2ETESTWORKSPACE000000\nprune: true\ndefaults:\n  webhookVersion: \"2026-05-06\"\nwebhooks:\n")
	for i := 0; i < 25; i++ {
		fmt.Fprintf(&y, "  - name: new-%02d\n    url: https://new%02d.example.com/in\n    events: [\"*\"]\n", i, i)
	}
	workspace := workdir(t, y.String())
	s := stepRun{t: t, workspace: workspace, ghURL: ghURL, event: "pull_request", eventPath: prEvent(t, 11, false), sha: "x",
		command: "plan", files: "plainsync.yaml", workdir: ".", mockURL: m.url, commentOnNoChange: "true", fake: gh}
	r, outputs := s.run()
	wantCode(t, r, 0)
	body := gh.bodies(11)["<!-- plainsync-comment plan plainsync.yaml -->"]
	if len([]rune(body)) > 65536 {
		t.Fatalf("comment of %d characters", len([]rune(body)))
	}
	wantContains(t, body, "**Plan: 25 to create, 0 to update, 5 to delete",
		"> **This plan deletes 5 webhook targets:** `old-0`, `old-1`, `old-2`, `old-3`, `old-4`.")
	firstCreate := strings.Index(body, "| ➕ | create |")
	firstCreateDetails := strings.Index(body, "<details><summary>➕ create")
	for i := 0; i < 5; i++ {
		row := strings.Index(body, fmt.Sprintf("| ❌ | delete | `old-%d` |", i))
		d := strings.Index(body, fmt.Sprintf("<details><summary>❌ delete <code>old-%d</code></summary>", i))
		if row < 0 || row > firstCreate || d < 0 || (firstCreateDetails >= 0 && d > firstCreateDetails) {
			t.Fatalf("delete old-%d: row at %d, details at %d; first create row %d, details %d", i, row, d, firstCreate, firstCreateDetails)
		}
		end := strings.Index(body[d:], "</details>")
		wantContains(t, body[d:d+end], fmt.Sprintf("- url: https://old%d.example.com/h", i), "- events: thread.email_received, thread.thread_created", "- enabled: true")
	}
	md, ok := outputValue(outputs, "plan-markdown")
	if !ok {
		t.Fatal("no plan-markdown output")
	}
	full, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(full), "<details><summary>"); n != 30 || strings.Contains(string(full), "Truncated") {
		t.Fatalf("plan-markdown holds %d details blocks (want 30), truncated: %v", n, strings.Contains(string(full), "Truncated"))
	}
	// Whether the comment had to leave details out depends on the size of
	// the mock's catalog; when it did, it says so, and never a delete's.
	if len(full) > 65536 {
		wantContains(t, body, "Truncated to fit GitHub's", "(every delete in full)")
	}
	js, _ := outputValue(outputs, "plan-json")
	var plan jsonPlan
	data, _ := os.ReadFile(js)
	if err := json.Unmarshal(data, &plan); err != nil || plan.count("create") != 25 || plan.count("delete") != 5 {
		t.Fatalf("plan-json: %v, %d creates, %d deletes", err, plan.count("create"), plan.count("delete"))
	}
}

// One step given a directory of two teams' files (one workspace, two
// scopes) keeps one comment per file: each shows its own plan, its own
// failure, and stays apart from the other's on every later push.
func TestActionCommentsOnePerFileOfAStep(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	gh, ghURL := startGitHub(t)
	m := startMock(t, &mockState{Workspace: plain.Workspace{ID: teamsWorkspace, Name: "Shared"}})
	workspace := t.TempDir()
	support := teamFile("scope: [\"support-*\"]\n", hook("support-crm", "https://crm.example.com/hook", "[thread.thread_created]"))
	billing := teamFile("scope: [\"billing-*\"]\n", hook("billing-invoices", "https://billing.example.com/hook", "[thread.thread_created]"))
	writeFile(t, workspace, "teams/support.yaml", support)
	writeFile(t, workspace, "teams/billing.yaml", billing)
	pr := prEvent(t, 12, false)
	step := func(command, args string) stepRun {
		return stepRun{t: t, workspace: workspace, ghURL: ghURL, event: "pull_request", eventPath: pr, sha: "teamsSHA01",
			command: command, files: "teams", args: args, workdir: ".", mockURL: m.url, commentOnNoChange: "true", fake: gh}
	}
	supportMarker := "<!-- plainsync-comment plan teams/support.yaml -->"
	billingMarker := "<!-- plainsync-comment plan teams/billing.yaml -->"

	r, _ := step("plan", "").run()
	wantCode(t, r, 0)
	wantContains(t, r.stderr, "Pull-request comment on #12 for teams/billing.yaml: created.", "Pull-request comment on #12 for teams/support.yaml: created.")
	gh.mu.Lock()
	lists := gh.lists
	gh.mu.Unlock()
	if lists != 1 {
		t.Fatalf("the step listed the pull request's comments %d times for two files, want once", lists)
	}
	c := gh.bodies(12)
	if len(c) != 2 {
		t.Fatalf("comments %v, want one per file", markers(c))
	}
	wantContains(t, c[supportMarker], "#### plainsync plan for `teams/support.yaml`: changes to review", "support-crm")
	wantContains(t, c[billingMarker], "#### plainsync plan for `teams/billing.yaml`: changes to review", "billing-invoices")
	if strings.Contains(c[supportMarker], "billing-invoices") || strings.Contains(c[billingMarker], "support-crm") {
		t.Fatalf("a file's comment shows the other file's plan:\n%s\n---\n%s", c[supportMarker], c[billingMarker])
	}

	// billing's plan fails (an event type the live catalog lacks): its
	// comment shows the error; support's plan still stands, and its
	// comment shows it with a warning that the step failed elsewhere.
	writeFile(t, workspace, "teams/billing.yaml", strings.Replace(billing, "thread.thread_created", "thread.no_such_event", 1))
	r, _ = step("plan", "").run()
	wantCode(t, r, 1)
	c = gh.bodies(12)
	if len(c) != 2 {
		t.Fatalf("comments %v after the failure", markers(c))
	}
	wantContains(t, c[billingMarker], "#### ❌ plainsync plan for `teams/billing.yaml` failed", "thread.no_such_event")
	wantContains(t, c[supportMarker], "#### plainsync plan for `teams/support.yaml`: changes to review",
		"This step failed on another of its files (exit code 1)", "support-crm")
	if strings.Contains(c[supportMarker], "thread.no_such_event") {
		t.Fatalf("support's comment shows billing's error:\n%s", c[supportMarker])
	}

	// billing's file does not load: no file is planned, and support's
	// comment says so rather than showing its older plan.
	writeFile(t, workspace, "teams/billing.yaml", "version: 1\nwebhooks: [\n")
	r, _ = step("plan", "").run()
	wantCode(t, r, 1)
	c = gh.bodies(12)
	wantContains(t, c[billingMarker], "#### ❌ plainsync plan for `teams/billing.yaml` failed", "teams/billing.yaml:")
	wantContains(t, c[supportMarker], "#### ❌ plainsync plan for `teams/support.yaml` failed", "was not reached", "another of its files")
	if strings.Contains(c[supportMarker], "**Plan:") || strings.Contains(c[supportMarker], "billing.yaml:") {
		t.Fatalf("support's comment shows a stale plan or billing's error:\n%s", c[supportMarker])
	}

	// Fixed again: both comments are updated, none added.
	writeFile(t, workspace, "teams/billing.yaml", billing)
	r, _ = step("plan", "").run()
	wantCode(t, r, 0)
	wantContains(t, r.stderr, "for teams/billing.yaml: updated.", "for teams/support.yaml: updated.")
	c = gh.bodies(12)
	if len(c) != 2 || !strings.Contains(c[supportMarker], "support-crm") || !strings.Contains(c[billingMarker], "billing-invoices") {
		t.Fatalf("comments %v after the fix:\n%s", markers(c), c[billingMarker])
	}

	// Plain cannot be reached: each comment shows its file's error.
	down := step("plan", "")
	down.mockURL = "http://127.0.0.1:1/graphql/v1"
	r, _ = down.run()
	wantCode(t, r, 1)
	c = gh.bodies(12)
	for _, marker := range []string{supportMarker, billingMarker} {
		wantContains(t, c[marker], "failed", "No plan could be made", "127.0.0.1:1")
		if strings.Contains(c[marker], "**Plan:") {
			t.Fatalf("comment still shows a plan although Plain was down:\n%s", c[marker])
		}
	}
	r, _ = step("plan", "").run()
	wantCode(t, r, 0)

	// A comment-key sets two steps over the same files apart.
	s := step("plan", "")
	s.commentKey = "staging"
	r, _ = s.run()
	wantCode(t, r, 0)
	c = gh.bodies(12)
	keyed := "<!-- plainsync-comment plan staging teams/support.yaml -->"
	if len(c) != 4 {
		t.Fatalf("comments %v with a comment-key", markers(c))
	}
	wantContains(t, c[keyed], "#### plainsync plan for `staging · teams/support.yaml`")

	// apply: each file's result in its own apply comment.
	r, _ = step("apply", "--auto-approve").run()
	wantCode(t, r, 0)
	c = gh.bodies(12)
	for _, name := range []string{"support", "billing"} {
		body := c["<!-- plainsync-comment apply teams/"+name+".yaml -->"]
		wantContains(t, body, "#### plainsync apply for `teams/"+name+".yaml`: applied", "Apply complete: 1 created")
	}
}

// apply PLAN.json reports in the apply comment of the file the plan was
// made from, its refusal of a stale plan included; a plan too broken to
// name its file reports under the plan's own path.
func TestActionCommentForASavedPlan(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	gh, ghURL := startGitHub(t)
	m := startMock(t, ws())
	workspace := t.TempDir()
	writeFile(t, workspace, "prod/plainsync.yaml", desiredYAML)
	gh.pulls["mergeSHA0003"] = []int{14}
	step := func(event, command, args string) stepRun {
		s := stepRun{t: t, workspace: workspace, ghURL: ghURL, event: event, eventPath: prEvent(t, 14, false), sha: "mergeSHA0003",
			command: command, files: "plainsync.yaml", args: args, workdir: "prod", mockURL: m.url, commentOnNoChange: "true", fake: gh}
		if event == "push" {
			s.eventPath = ""
		}
		return s
	}
	r, _ := step("pull_request", "plan", "--out plan.json").run()
	wantCode(t, r, 0)
	applyMarker := "<!-- plainsync-comment apply prod/plainsync.yaml -->"
	r, _ = step("push", "apply", "--auto-approve plan.json").run()
	wantCode(t, r, 0)
	c := gh.bodies(14)
	wantContains(t, c[applyMarker], "#### plainsync apply for `prod/plainsync.yaml`: applied", "Apply complete: 3 created")

	// Applied once, the plan is stale: the same comment says it was refused.
	r, _ = step("push", "apply", "--auto-approve plan.json").run()
	wantCode(t, r, 1)
	c = gh.bodies(14)
	wantContains(t, c[applyMarker], "#### ❌ plainsync apply for `prod/plainsync.yaml` failed", "refusing to apply a stale plan")
	if len(c) != 2 {
		t.Fatalf("comments %v", markers(c))
	}

	// A bad flag stops apply before it reads the plan: the error still
	// goes to the plan's file's apply comment.
	r, _ = step("push", "apply", "--no-such-flag plan.json").run()
	wantCode(t, r, 1)
	wantContains(t, gh.bodies(14)[applyMarker], "failed", "unknown flag: --no-such-flag")
	if len(gh.bodies(14)) != 2 {
		t.Fatalf("comments %v", markers(gh.bodies(14)))
	}

	writeFile(t, workspace, "prod/broken.json", "{not json")
	r, _ = step("push", "apply", "--auto-approve broken.json").run()
	wantCode(t, r, 1)
	wantContains(t, gh.bodies(14)["<!-- plainsync-comment apply prod/broken.json -->"], "failed", "not a plainsync plan file")
}

// failedInstall runs action.yml's install step for a release the loopback
// release server does not have, and returns the error it recorded.
func failedInstall(t *testing.T) string {
	t.Helper()
	srv := serveReleases(t, "v9.9.9", t.TempDir())
	r := runInstall(t, srv.URL, "v0.0.1", "", t.TempDir())
	if r.code != 1 {
		t.Fatalf("install of a missing release: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	msg, ok := fileOutput(r.outputs, "error")
	if !ok || !strings.Contains(msg, "is v0.0.1 a plainsync release?") {
		t.Fatalf("install error output %q in %q", msg, r.outputs)
	}
	return msg
}

var stepExpr = regexp.MustCompile(`^\$\{\{ (inputs\.[a-z-]+|steps\.install\.outputs\.error) \}\}$`)

// commentStep runs action.yml's install-failure-comment step as the
// runner would: its env from action.yml's declarations, filled from
// inputs and the install step's error output.
func commentStep(t *testing.T, workspace string, inputs map[string]string, installErr string, extra ...string) result {
	t.Helper()
	a := loadAction(t)
	s := a.step(t, "install-failure-comment")
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + workspace, "GITHUB_ACTION_PATH=" + root,
		"GITHUB_WORKSPACE=" + workspace, "GITHUB_REPOSITORY=acme/config", "GITHUB_SERVER_URL=https://github.com", "GITHUB_RUN_ID=4242"}
	for k, v := range s.Env {
		m := stepExpr.FindStringSubmatch(v)
		if m == nil {
			t.Fatalf("step install-failure-comment: env %s is %q", k, v)
		}
		switch name := m[1]; {
		case name == "steps.install.outputs.error":
			env = append(env, k+"="+installErr)
		default:
			in := strings.TrimPrefix(name, "inputs.")
			val, ok := inputs[in]
			if !ok {
				val = a.Inputs[in].Default
			}
			env = append(env, k+"="+val)
		}
	}
	g := newGHAFiles(t)
	env = append(append(env, g.env()...), extra...)
	r := bashStep(t, s.Run, workspace, env)
	if strings.Contains(withoutMasks(r.stdout)+r.stderr, ghToken) {
		t.Fatalf("the GitHub token appears in the comment step's output:\n%s%s", r.stdout, r.stderr)
	}
	return r
}

// comment returns pull request n's comment with id.
func (g *fakeGitHub) comment(t *testing.T, n, id int) ghComment {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range g.comments[n] {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("pull request #%d has no comment %d", n, id)
	return ghComment{}
}

func (g *fakeGitHub) seed(n int, bot bool, body string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := ghComment{ID: g.nextID, Body: body}
	c.User.Type = "User"
	if bot {
		c.User.Type = "Bot"
	}
	g.nextID++
	g.comments[n] = append(g.comments[n], c)
	return c.ID
}

// withMarker returns the bot comments of pull request n that start with
// marker.
func (g *fakeGitHub) withMarker(n int, marker string) []ghComment {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []ghComment
	for _, c := range g.comments[n] {
		if c.User.Type == "Bot" && strings.HasPrefix(c.Body, marker+"\n") {
			out = append(out, c)
		}
	}
	return out
}

// TestActionCommentsTheInstallFailure: when the install step fails there
// is no plainsync to update the pull-request comment, so the action's next
// step replaces each file's comment (found by plainsync's marker) with the
// install error; other comments stay as they are.
func TestActionCommentsTheInstallFailure(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	a := loadAction(t)
	s := a.step(t, "install-failure-comment")
	if want := "failure() && steps.install.outcome == 'failure' && inputs.comment == 'true'"; s.If != want {
		t.Fatalf("the install-failure-comment step's if is %q, want %q", s.If, want)
	}
	if strings.Contains(s.Run, "${{") || s.Shell != "bash" {
		t.Fatalf("the install-failure-comment step pastes an expression into its script or is not bash:\n%s", s.Run)
	}
	steps := a.Runs.Steps
	if len(steps) < 2 || steps[0].ID != "install" || steps[1].ID != "install-failure-comment" {
		t.Fatal("the install-failure-comment step does not follow the install step")
	}
	installErr := failedInstall(t)

	gh, ghURL := startGitHub(t)
	// The workspace is reached through a symlink, as on some runners: the
	// comment's key is the path from the repository's root all the same.
	real := t.TempDir()
	workspace := filepath.Join(t.TempDir(), "ws")
	if err := os.Symlink(real, workspace); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(real, "workspaces")
	for _, d := range []string{cfg, filepath.Join(cfg, "archive.yaml")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range map[string]string{"prod.yaml": desiredYAML, "staging.yaml": stagingYAML, "Legacy.YML": stagingYAML, "notes.txt": "x"} {
		if err := os.WriteFile(filepath.Join(cfg, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	prodMarker := "<!-- plainsync-comment plan workspaces/prod.yaml -->"
	oldPlan := prodMarker + "\n#### plainsync plan for `workspaces/prod.yaml`: changes to review\n\n**Plan: 3 to create, 0 to update, 0 to delete.**\n"
	// The others come first, so that only the marker at the start of a
	// bot's comment can tell the prod plan's comment from them.
	otherBodies := map[int]string{}
	for _, c := range []struct {
		bot  bool
		body string
	}{
		{true, "<!-- plainsync-comment plan other/prod.yaml -->\n**Plan: 1 to create** in another workspace\n"},
		{true, "<!-- plainsync-comment apply workspaces/prod.yaml -->\nApply complete: 3 created\n"},
		{false, prodMarker + "\nA person quoting the marker: **Plan: 3 to create**\n"},
		{true, "Not plainsync's: " + prodMarker + "\n"},
	} {
		otherBodies[gh.seed(7, c.bot, c.body)] = c.body
	}
	prodID := gh.seed(7, true, oldPlan)
	untouched := func(t *testing.T) {
		t.Helper()
		for id, body := range otherBodies {
			if got := gh.comment(t, 7, id).Body; got != body {
				t.Fatalf("comment %d changed:\n%s\nwas:\n%s", id, got, body)
			}
		}
	}
	pr := prEvent(t, 7, false)
	ghEnv := []string{"GITHUB_API_URL=" + ghURL, "GITHUB_EVENT_NAME=pull_request", "GITHUB_EVENT_PATH=" + pr, "GITHUB_SHA=mergeSHA0001"}
	inputs := map[string]string{"command": "plan", "files": "prod.yaml", "working-directory": "workspaces", "args": "--out plan.json",
		"comment": "true", "github-token": ghToken}

	// The prod plan's comment now shows the install error, not the plan.
	r := commentStep(t, workspace, inputs, installErr, ghEnv...)
	wantCode(t, r, 0)
	wantContains(t, r.stderr, "Pull-request comment on #7 for workspaces/prod.yaml: updated")
	body := gh.comment(t, 7, prodID).Body
	wantContains(t, body, prodMarker+"\n#### ❌ plainsync plan for `workspaces/prod.yaml` failed\n",
		"could not be installed", "no longer applies", "```\n"+installErr+"\n```\n",
		"<sub>plainsync plan for `abcdef1` · [run](https://github.com/acme/config/actions/runs/4242) · install failed</sub>")
	if strings.Contains(body, "**Plan:") {
		t.Fatalf("the comment still shows the old plan:\n%s", body)
	}
	untouched(t)
	if n := len(gh.comments[7]); n != 5 {
		t.Fatalf("%d comments on #7, want the 5 there were", n)
	}

	// A directory input: each file in it has its own comment, the one
	// named twice once; a subdirectory and other files are no files.
	inputs["working-directory"], inputs["files"] = ".", "workspaces workspaces/prod.yaml"
	r = commentStep(t, workspace, inputs, installErr, ghEnv...)
	wantCode(t, r, 0)
	for _, f := range []string{"Legacy.YML", "prod.yaml", "staging.yaml"} {
		m := "<!-- plainsync-comment plan workspaces/" + f + " -->"
		cs := gh.withMarker(7, m)
		if len(cs) != 1 || !strings.Contains(cs[0].Body, "`workspaces/"+f+"` failed") {
			t.Fatalf("%d comments with %s: %v", len(cs), m, cs)
		}
	}
	if n := len(gh.comments[7]); n != 7 {
		t.Fatalf("%d comments on #7, want 7", n)
	}
	if gh.withMarker(7, "<!-- plainsync-comment plan workspaces/notes.txt -->") != nil || gh.withMarker(7, "<!-- plainsync-comment plan workspaces/archive.yaml -->") != nil {
		t.Fatal("a comment for something that is no desired-state file")
	}
	untouched(t)

	// comment-key: in the marker, sanitized exactly as plainsync does.
	inputs["working-directory"], inputs["files"], inputs["comment-key"] = "workspaces", "prod.yaml", "<b>team</b> a---b é"
	r = commentStep(t, workspace, inputs, installErr, ghEnv...)
	wantCode(t, r, 0)
	keyed := ghactions.Marker("plan <b>team</b> a---b é workspaces/prod.yaml")
	if keyed != "<!-- plainsync-comment plan _b_team_/b_ a--b _ workspaces/prod.yaml -->" {
		t.Fatalf("plainsync's marker is %q", keyed)
	}
	if cs := gh.withMarker(7, keyed); len(cs) != 1 || !strings.Contains(cs[0].Body, "(`<b>team</b> a---b é`) failed") {
		t.Fatalf("comments with %s: %v", keyed, cs)
	}
	delete(inputs, "comment-key")

	// No files: plainsync's default file.
	inputs["files"], inputs["command"] = "", "validate"
	r = commentStep(t, workspace, inputs, installErr, ghEnv...)
	wantCode(t, r, 0)
	if cs := gh.withMarker(7, "<!-- plainsync-comment validate workspaces/plainsync.yaml -->"); len(cs) != 1 || !strings.Contains(cs[0].Body, "so no validate ran") {
		t.Fatalf("comments for the default file: %v", cs)
	}
	inputs["files"] = "prod.yaml"

	// apply PLAN.json: the comment of the file the saved plan names; a plan
	// that cannot be read stands for itself.
	if err := os.WriteFile(filepath.Join(cfg, "plan.json"), []byte(`{"formatVersion":1,"file":"staging.yaml","changes":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	inputs["command"] = "apply"
	for args, want := range map[string]string{"--auto-approve plan.json": "apply workspaces/staging.yaml", "missing.json --auto-approve": "apply workspaces/missing.json"} {
		inputs["args"] = args
		r = commentStep(t, workspace, inputs, installErr, ghEnv...)
		wantCode(t, r, 0)
		if cs := gh.withMarker(7, "<!-- plainsync-comment "+want+" -->"); len(cs) != 1 {
			t.Fatalf("args %q: %d comments for %s", args, len(cs), want)
		}
	}

	// A push: the pull request the commit came from.
	gh.pulls["mergeSHA0002"] = []int{12}
	push := []string{"GITHUB_API_URL=" + ghURL, "GITHUB_EVENT_NAME=push", "GITHUB_SHA=mergeSHA0002"}
	inputs["args"] = "--auto-approve"
	r = commentStep(t, workspace, inputs, installErr, push...)
	wantCode(t, r, 0)
	if cs := gh.withMarker(12, "<!-- plainsync-comment apply workspaces/prod.yaml -->"); len(cs) != 1 || !strings.Contains(cs[0].Body, "`mergeSH`") {
		t.Fatalf("push comments %v", cs)
	}

	// No pull request: nothing to do, and a notice says so.
	before := gh.snapshot()
	for _, env := range [][]string{
		{"GITHUB_API_URL=" + ghURL, "GITHUB_EVENT_NAME=push", "GITHUB_SHA=directPush0003"},
		{"GITHUB_API_URL=" + ghURL, "GITHUB_EVENT_NAME=schedule", "GITHUB_SHA="},
	} {
		r = commentStep(t, workspace, inputs, installErr, env...)
		wantCode(t, r, 0)
		wantContains(t, r.stdout, "::notice title=plainsync::no pull request to comment on for this ")
		if after := gh.snapshot(); len(after) != len(before) {
			t.Fatalf("comments changed without a pull request: %d → %d", len(before), len(after))
		}
	}

	// The token is masked first, and never in a comment.
	if !strings.HasPrefix(r.stdout, "::add-mask::"+ghToken+"\n") {
		t.Fatalf("the step does not mask the token first:\n%s", r.stdout)
	}
	for _, b := range gh.snapshot() {
		if strings.Contains(b, ghToken) {
			t.Fatal("the GitHub token is in a comment")
		}
	}

	// A comment that cannot be written fails the step, saying so.
	r = commentStep(t, workspace, inputs, installErr, "GITHUB_API_URL=http://api.example.com", "GITHUB_EVENT_NAME=pull_request", "GITHUB_EVENT_PATH="+pr)
	if r.code != 1 || !strings.Contains(r.stdout, "::error title=plainsync::pull-request comment: GitHub API URL") || !strings.Contains(r.stdout, "must use https") {
		t.Fatalf("http API URL: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Without node the step warns and succeeds: the install step's failure
	// is what the job reports.
	noNode := toolPath(t, "bash")
	r = commentStep(t, workspace, inputs, installErr, append(ghEnv, "PATH="+noNode)...)
	wantCode(t, r, 0)
	wantContains(t, r.stdout, "::warning title=plainsync::the pull-request comment could not be updated with the install error: node is not on PATH")
}

// The comments plainsync writes and the ones the install-failure step
// writes are the same comments: a failed install on the next push
// replaces each file's plan, keyed alike by the Go and the Node code,
// with a directory input, a working-directory and a comment-key.
func TestInstallFailureReplacesTheCommentsPlainsyncWrote(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	gh, ghURL := startGitHub(t)
	m := startMock(t, &mockState{Workspace: plain.Workspace{ID: teamsWorkspace, Name: "Shared"}})
	workspace := t.TempDir()
	writeFile(t, workspace, "config/teams/support.yaml", teamFile("scope: [\"support-*\"]\n", hook("support-crm", "https://crm.example.com/hook", "[thread.thread_created]")))
	writeFile(t, workspace, "config/teams/billing.yaml", teamFile("scope: [\"billing-*\"]\n", hook("billing-invoices", "https://billing.example.com/hook", "[thread.thread_created]")))
	pr := prEvent(t, 15, false)
	s := stepRun{t: t, workspace: workspace, ghURL: ghURL, event: "pull_request", eventPath: pr, sha: "crossSHA01",
		command: "plan", files: "teams", workdir: "config", mockURL: m.url, commentOnNoChange: "true", commentKey: "eu", fake: gh}
	r, _ := s.run()
	wantCode(t, r, 0)
	before := gh.bodies(15)
	if len(before) != 2 {
		t.Fatalf("plainsync wrote comments %v", markers(before))
	}

	installErr := failedInstall(t)
	inputs := map[string]string{"command": "plan", "files": "teams", "working-directory": "config", "comment": "true",
		"comment-key": "eu", "github-token": ghToken}
	r = commentStep(t, workspace, inputs, installErr, "GITHUB_API_URL="+ghURL, "GITHUB_EVENT_NAME=pull_request", "GITHUB_EVENT_PATH="+pr, "GITHUB_SHA=crossSHA01")
	wantCode(t, r, 0)
	after := gh.bodies(15)
	if strings.Join(markers(after), "\n") != strings.Join(markers(before), "\n") {
		t.Fatalf("the install-failure step wrote comments %v; plainsync had written %v", markers(after), markers(before))
	}
	for _, marker := range markers(after) {
		wantContains(t, after[marker], "failed", "is v0.0.1 a plainsync release?", "install failed")
		if strings.Contains(after[marker], "**Plan:") {
			t.Fatalf("%s still shows the plan:\n%s", marker, after[marker])
		}
	}

	// A directory without desired-state files, and a symlink to a file
	// the step names already: plainsync keys the first by the
	// directory, the second shares its target's comment; the Node code
	// finds the same comments.
	if err := os.MkdirAll(filepath.Join(workspace, "config", "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("support.yaml", filepath.Join(workspace, "config", "teams", "zz-link.yaml")); err != nil {
		t.Fatal(err)
	}
	other := prEvent(t, 16, false)
	s.eventPath, s.files = other, "teams empty"
	r, _ = s.run()
	wantCode(t, r, 1)
	if n := strings.Count(r.stderr, "Pull-request comment on #16 for config/teams/support.yaml: "); n != 1 {
		t.Fatalf("support.yaml's comment was written %d times:\n%s", n, r.stderr)
	}
	before = gh.bodies(16)
	wantContains(t, before["<!-- plainsync-comment plan eu config/empty -->"], "failed", "directory has no *.yaml or *.yml files")
	if len(before) != 3 {
		t.Fatalf("plainsync wrote comments %v", markers(before))
	}
	inputs["files"] = "teams empty"
	r = commentStep(t, workspace, inputs, installErr, "GITHUB_API_URL="+ghURL, "GITHUB_EVENT_NAME=pull_request", "GITHUB_EVENT_PATH="+other, "GITHUB_SHA=crossSHA01")
	wantCode(t, r, 0)
	after = gh.bodies(16)
	if strings.Join(markers(after), "\n") != strings.Join(markers(before), "\n") {
		t.Fatalf("the install-failure step wrote comments %v; plainsync had written %v", markers(after), markers(before))
	}
	for _, marker := range markers(after) {
		wantContains(t, after[marker], "is v0.0.1 a plainsync release?", "install failed")
	}
}
