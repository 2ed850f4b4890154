package ghactions

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeIssues is GitHub's REST API for issues, labels and issue comments
// of one repository, on loopback.
type fakeIssues struct {
	mu       sync.Mutex
	t        *testing.T
	repo     string
	issues   []*fakeIssue
	labels   map[string]bool
	requests []string
}

type fakeIssue struct {
	Number   int      `json:"number"`
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	State    string   `json:"state"`
	Labels   []string `json:"-"`
	Comments []string `json:"-"`
	PR       bool     `json:"-"`
}

func newFakeIssues(t *testing.T) (*fakeIssues, *GitHub) {
	f := &fakeIssues{t: t, repo: "acme/webhooks", labels: map[string]bool{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	gh, err := NewGitHub(srv.URL, "ghs_fakeTOKEN", nil)
	if err != nil {
		t.Fatal(err)
	}
	return f, gh
}

func (f *fakeIssues) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	if r.Header.Get("Authorization") != "Bearer ghs_fakeTOKEN" {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	base := "/repos/" + f.repo
	path := strings.TrimPrefix(r.URL.Path, base)
	var in map[string]any
	if r.Body != nil && r.Method != http.MethodGet {
		_ = json.NewDecoder(r.Body).Decode(&in)
	}
	str := func(k string) string { s, _ := in[k].(string); return s }
	reply := func(v any) { w.Header().Set("Content-Type", "application/json"); _ = json.NewEncoder(w).Encode(v) }
	wire := func(is *fakeIssue) map[string]any {
		m := map[string]any{"number": is.Number, "title": is.Title, "body": is.Body, "state": is.State,
			"html_url": fmt.Sprintf("https://github.example/%s/issues/%d", f.repo, is.Number)}
		if is.PR {
			m["pull_request"] = map[string]any{"url": "x"}
		}
		return m
	}
	switch {
	case r.Method == http.MethodGet && path == "/issues":
		q := r.URL.Query()
		var out []map[string]any
		for _, is := range f.issues {
			if q.Get("state") == "open" && is.State != "open" || q.Get("labels") != "" && !slices.Contains(is.Labels, q.Get("labels")) {
				continue
			}
			out = append(out, wire(is))
		}
		reply(out)
	case r.Method == http.MethodPost && path == "/issues":
		is := &fakeIssue{Number: len(f.issues) + 1, Title: str("title"), Body: str("body"), State: "open"}
		labels, _ := in["labels"].([]any)
		for _, l := range labels {
			if s, _ := l.(string); f.labels[s] {
				is.Labels = append(is.Labels, s) // GitHub drops labels it lacks for a token without push
			}
		}
		f.issues = append(f.issues, is)
		w.WriteHeader(http.StatusCreated)
		reply(wire(is))
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/labels/"):
		if !f.labels[strings.TrimPrefix(path, "/labels/")] {
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
			return
		}
		reply(map[string]any{"name": strings.TrimPrefix(path, "/labels/")})
	case r.Method == http.MethodPost && path == "/labels":
		f.labels[str("name")] = true
		w.WriteHeader(http.StatusCreated)
		reply(in)
	case strings.HasPrefix(path, "/issues/"):
		rest := strings.TrimPrefix(path, "/issues/")
		num, sub, _ := strings.Cut(rest, "/")
		n, _ := strconv.Atoi(num)
		if n < 1 || n > len(f.issues) {
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
			return
		}
		is := f.issues[n-1]
		switch {
		case r.Method == http.MethodPatch && sub == "":
			for k, v := range in {
				s, _ := v.(string)
				switch k {
				case "title":
					is.Title = s
				case "body":
					is.Body = s
				case "state":
					is.State = s
				}
			}
			reply(wire(is))
		case r.Method == http.MethodPost && sub == "comments":
			is.Comments = append(is.Comments, str("body"))
			w.WriteHeader(http.StatusCreated)
			reply(map[string]any{"id": 1, "body": str("body")})
		default:
			http.Error(w, `{"message":"unexpected"}`, http.StatusMethodNotAllowed)
		}
	default:
		f.t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		http.Error(w, `{"message":"unexpected"}`, http.StatusNotFound)
	}
}

func (f *fakeIssues) open() []*fakeIssue {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*fakeIssue
	for _, is := range f.issues {
		if is.State == "open" {
			out = append(out, is)
		}
	}
	return out
}

const (
	wsProd    = "w_01HD4400VTDJQ646V6RY37SR7P"
	wsStaging = "w_01HD4400VTDJQ646V6RY37SR7Q"
)

func TestDriftIssueLifecycle(t *testing.T) {
	f, gh := newFakeIssues(t)
	ctx := context.Background()
	// Someone else's issue and a pull request with the label are never
	// taken for plainsync's.
	f.labels[DriftLabel] = true
	f.issues = append(f.issues,
		&fakeIssue{Number: 1, Title: "unrelated", Body: "mentions " + driftMarker(wsProd) + " later", State: "open", Labels: []string{DriftLabel}},
		&fakeIssue{Number: 2, Title: "a PR", Body: driftMarker(wsProd), State: "open", Labels: []string{DriftLabel}, PR: true})
	delete(f.labels, DriftLabel)

	// First drifted run: one issue, labelled, marker first, report in it.
	got, err := gh.SyncDriftIssue(ctx, f.repo, wsProd, "Acme Prod", Drifted, "### drift one")
	if err != nil {
		t.Fatal(err)
	}
	if got.Action != "created" || got.Number != 3 {
		t.Fatalf("first drift: %+v", got)
	}
	is := f.issues[2]
	if !strings.HasPrefix(is.Body, driftMarker(wsProd)+"\n### drift one") || !slices.Contains(is.Labels, DriftLabel) ||
		is.Title != "plainsync: drift in workspace "+wsProd+" (Acme Prod)" {
		t.Fatalf("created issue %+v", is)
	}
	// Second drifted run: the same issue, body replaced.
	got, err = gh.SyncDriftIssue(ctx, f.repo, wsProd, "Acme Prod", Drifted, "### drift two")
	if err != nil || got.Action != "updated" || got.Number != 3 {
		t.Fatalf("second drift: %+v %v", got, err)
	}
	if len(f.issues) != 3 || strings.Contains(is.Body, "drift one") || !strings.Contains(is.Body, "drift two") {
		t.Fatalf("second drift did not replace the body: %d issues, body %q", len(f.issues), is.Body)
	}
	// Another workspace: an issue of its own.
	got, err = gh.SyncDriftIssue(ctx, f.repo, wsStaging, "", Drifted, "### staging")
	if err != nil || got.Action != "created" || got.Number != 4 {
		t.Fatalf("second workspace: %+v %v", got, err)
	}
	if is.Body != driftMarker(wsProd)+"\n### drift two" {
		t.Fatalf("the other workspace's run touched prod's issue: %q", is.Body)
	}
	// An error run leaves it open and sends nothing.
	before := len(f.requests)
	got, err = gh.SyncDriftIssue(ctx, f.repo, wsProd, "Acme Prod", Errored, "")
	if err != nil || got.Action != "" || is.State != "open" || len(f.requests) != before {
		t.Fatalf("error run: %+v %v, state %s, %d requests", got, err, is.State, len(f.requests)-before)
	}
	// In sync: closed with a comment; staging stays open.
	got, err = gh.SyncDriftIssue(ctx, f.repo, wsProd, "Acme Prod", InSync, "")
	if err != nil || got.Action != "closed" || is.State != "closed" || len(is.Comments) != 1 || !strings.Contains(is.Comments[0], "in sync") {
		t.Fatalf("in sync: %+v %v, issue %+v", got, err, is)
	}
	if open := f.open(); len(open) != 3 || open[2].Number != 4 {
		t.Fatalf("open issues after closing prod's: %+v", open)
	}
	// In sync again: nothing to close. Drift again: a fresh issue.
	if got, err = gh.SyncDriftIssue(ctx, f.repo, wsProd, "", InSync, ""); err != nil || got.Action != "" {
		t.Fatalf("in sync twice: %+v %v", got, err)
	}
	if got, err = gh.SyncDriftIssue(ctx, f.repo, wsProd, "", Drifted, "### back"); err != nil || got.Action != "created" || got.Number != 5 {
		t.Fatalf("drift after close: %+v %v", got, err)
	}
}

func TestDriftIssuePermissionHint(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"message":"Resource not accessible by integration"}`, http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	gh, err := NewGitHub(srv.URL, "ghs_fakeTOKEN", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = gh.SyncDriftIssue(context.Background(), "acme/webhooks", wsProd, "", Drifted, "x")
	if err == nil || !strings.Contains(err.Error(), "permissions: issues: write") {
		t.Fatalf("err %v", err)
	}
}

// A run over five workspaces lists the open drift issues once, checks the
// label once, and matches each workspace's marker in that one list.
func TestDriftIssuesListOncePerRun(t *testing.T) {
	f, gh := newFakeIssues(t)
	ws := func(i int) string { return fmt.Sprintf("w_01HD4400VTDJQ646V6RY37SR%02d", i) }
	f.issues = append(f.issues,
		&fakeIssue{Number: 1, Body: driftMarker(ws(1)) + "\nold", State: "open", Labels: []string{DriftLabel}},
		&fakeIssue{Number: 2, Body: driftMarker(ws(3)) + "\nold", State: "open", Labels: []string{DriftLabel}})
	d := gh.DriftIssues(f.repo)
	ctx := context.Background()
	want := map[int]string{0: "created", 1: "updated", 2: "created", 3: "closed", 4: ""}
	for i := range 5 {
		state := Drifted
		if i >= 3 {
			state = InSync
		}
		got, err := d.Sync(ctx, ws(i), "", state, fmt.Sprintf("### drift %d", i))
		if err != nil || got.Action != want[i] {
			t.Fatalf("workspace %d: %+v, %v; want %q", i, got, err, want[i])
		}
	}
	// The issue opened in this run is found again by it.
	if got, err := d.Sync(ctx, ws(0), "", InSync, ""); err != nil || got.Action != "closed" || got.Number != 3 {
		t.Fatalf("this run's own issue: %+v, %v", got, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	count := func(req string) int {
		n := 0
		for _, r := range f.requests {
			if r == req {
				n++
			}
		}
		return n
	}
	if n := count("GET /repos/" + f.repo + "/issues"); n != 1 {
		t.Errorf("%d listings of the drift issues for 5 workspaces, want 1: %q", n, f.requests)
	}
	if n := count("GET /repos/" + f.repo + "/labels/" + DriftLabel); n != 1 {
		t.Errorf("%d label checks, want 1", n)
	}
	if f.issues[0].Body != driftMarker(ws(1))+"\n### drift 1" || f.issues[1].State != "closed" || f.issues[2].State != "closed" || f.issues[3].State != "open" {
		t.Errorf("issues after the run: %+v %+v %+v %+v", f.issues[0], f.issues[1], f.issues[2], f.issues[3])
	}
}
