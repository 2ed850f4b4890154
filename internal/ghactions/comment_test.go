package ghactions

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/plainsync/plainsync/internal/spec"
)

func TestAnnotationPathsAreRelativeToTheWorkspace(t *testing.T) {
	ws := t.TempDir()
	e := newEnv(t)
	e.vars["GITHUB_WORKSPACE"] = ws
	var w bytes.Buffer
	a := New(&w, e.lookup, nil)
	a.getwd = func() (string, error) { return filepath.Join(ws, "infra", "plainsync"), nil }
	outside := filepath.Join(t.TempDir(), "other.yaml")
	err := a.AnnotateAll([]spec.Problem{
		{Pos: spec.Pos{File: "prod.yaml", Line: 3, Col: 5}, Message: "a"},
		{Pos: spec.Pos{File: "../common/x.yaml", Line: 1, Col: 1}, Message: "b"},
		{Pos: spec.Pos{File: filepath.Join(ws, "abs.yaml"), Line: 2, Col: 1}, Message: "c"},
		{Pos: spec.Pos{File: outside, Line: 2, Col: 1}, Message: "d"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "::error col=5,file=infra/plainsync/prod.yaml,line=3::a\n" +
		"::error col=1,file=infra/common/x.yaml,line=1::b\n" +
		"::error col=1,file=abs.yaml,line=2::c\n" +
		"::error col=1,file=" + outside + ",line=2::d\n"
	if w.String() != want {
		t.Fatalf("annotations:\n%s\nwant:\n%s", w.String(), want)
	}
}

// fakeGitHub is GitHub's issue-comment API for one repository, on loopback.
type fakeGitHub struct {
	mu       sync.Mutex
	comments map[int][]Comment // by issue
	nextID   int64
	auth     []string
	requests []string
}

func newFakeGitHub(t *testing.T) (*fakeGitHub, *httptest.Server) {
	f := &fakeGitHub{comments: map[int][]Comment{}, nextID: 1000}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	// repos/o/r/issues/N/comments or repos/o/r/issues/comments/ID
	if len(parts) == 6 && parts[3] == "issues" && parts[5] == "comments" {
		n, _ := strconv.Atoi(parts[4])
		switch r.Method {
		case http.MethodGet:
			page, _ := strconv.Atoi(r.URL.Query().Get("page"))
			per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
			all := f.comments[n]
			lo, hi := min((page-1)*per, len(all)), min(page*per, len(all))
			json.NewEncoder(w).Encode(all[lo:hi])
		case http.MethodPost:
			var in struct{ Body string }
			json.NewDecoder(r.Body).Decode(&in)
			c := Comment{ID: f.nextID, Body: in.Body}
			c.User.Login, c.User.Type = "github-actions[bot]", "Bot"
			f.nextID++
			f.comments[n] = append(f.comments[n], c)
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(c)
		}
		return
	}
	if len(parts) == 6 && parts[3] == "issues" && parts[4] == "comments" && r.Method == http.MethodPatch {
		id, _ := strconv.ParseInt(parts[5], 10, 64)
		var in struct{ Body string }
		json.NewDecoder(r.Body).Decode(&in)
		for n, cs := range f.comments {
			for i := range cs {
				if cs[i].ID == id {
					f.comments[n][i].Body = in.Body
					json.NewEncoder(w).Encode(f.comments[n][i])
					return
				}
			}
		}
	}
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprint(w, `{"message":"Not Found"}`)
}

func TestUpsertCommentKeepsOneCommentPerMarker(t *testing.T) {
	fake, srv := newFakeGitHub(t)
	// 150 comments by people first, one quoting the marker: two pages.
	for i := 0; i < 150; i++ {
		c := Comment{ID: int64(i + 1), Body: fmt.Sprintf("comment %d", i)}
		if i == 7 {
			c.Body = Marker("plan prod.yaml") + "\nquoted by a person"
		}
		c.User.Type = "User"
		fake.comments[5] = append(fake.comments[5], c)
	}
	gh, err := NewGitHub(srv.URL, "ghs_TOKEN", nil)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	a := New(&bytes.Buffer{}, e.lookup, secrets())
	ctx := context.Background()
	up := func(key, body string, onlyUpdate bool) CommentResult {
		t.Helper()
		r, err := a.UpsertComment(ctx, gh, "o/r", 5, Marker(key), body, onlyUpdate)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := up("plan staging.yaml", "nothing to do", true); r != CommentSkipped {
		t.Fatalf("no changes and no comment yet: %s", r)
	}
	if r := up("plan prod.yaml", "plan one, key "+apiKey, false); r != CommentCreated {
		t.Fatalf("first: %s", r)
	}
	if r := up("plan staging.yaml", "staging plan", false); r != CommentCreated {
		t.Fatalf("second workspace: %s", r)
	}
	if r := up("plan prod.yaml", "plan two", true); r != CommentUpdated {
		t.Fatalf("update: %s", r)
	}
	cs := fake.comments[5]
	if len(cs) != 152 || cs[7].Body != Marker("plan prod.yaml")+"\nquoted by a person" {
		t.Fatalf("%d comments; the person's comment is now %q", len(cs), cs[7].Body)
	}
	if cs[150].Body != Marker("plan prod.yaml")+"\nplan two" || cs[151].Body != Marker("plan staging.yaml")+"\nstaging plan" {
		t.Fatalf("bot comments %q, %q", cs[150].Body, cs[151].Body)
	}
	for _, au := range fake.auth {
		if au != "Bearer ghs_TOKEN" {
			t.Fatalf("Authorization %q", au)
		}
	}
	for _, c := range cs {
		if strings.Contains(c.Body, apiKey) {
			t.Fatal("a comment holds the API key")
		}
	}
	// Too long a body is cut at a line, under the limit.
	long := strings.Repeat("line of text\n", 10000)
	up("plan prod.yaml", long, false)
	if b := fake.comments[5][150].Body; len([]rune(b)) > MaxComment || !strings.Contains(b, "Cut to fit GitHub's comment limit") {
		t.Fatalf("long body: %d characters", len([]rune(b)))
	}
}

func TestMarkerCannotCloseTheHTMLComment(t *testing.T) {
	m := Marker("plan a-->b <x> --")
	if strings.Count(m, "-->") != 1 || strings.Contains(m, "<x>") || !strings.HasSuffix(m, " -->") {
		t.Fatalf("marker %q", m)
	}
	if Marker("plan a.yaml") == Marker("plan b.yaml") {
		t.Fatal("two keys share a marker")
	}
}

func TestGitHubTokenOnlyOverHTTPSOrLoopback(t *testing.T) {
	for _, u := range []string{"http://api.example.com", "http://10.0.0.1", "ftp://127.0.0.1"} {
		if _, err := NewGitHub(u, "t", nil); err == nil || !strings.Contains(err.Error(), "must use https") {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, u := range []string{"https://api.github.com", "http://127.0.0.1:8080", "http://[::1]:1", "http://localhost:9"} {
		if _, err := NewGitHub(u, "t", nil); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	if _, err := NewGitHub("https://api.github.com", " ", nil); err == nil || !strings.Contains(err.Error(), "no GitHub token") {
		t.Fatalf("empty token: %v", err)
	}
}

func TestGitHubRefusesRedirectsToOtherHosts(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the token followed a redirect: %s", r.Header.Get("Authorization"))
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+r.URL.Path, http.StatusFound)
	}))
	defer srv.Close()
	gh, _ := NewGitHub(srv.URL, "ghs_TOKEN", nil)
	if _, err := gh.ListComments(context.Background(), "o/r", 1); err == nil || !strings.Contains(err.Error(), "not sending the token there") {
		t.Fatalf("redirect: %v", err)
	}
}

func TestReadEvent(t *testing.T) {
	e := newEnv(t)
	payload := filepath.Join(t.TempDir(), "event.json")
	e.vars["GITHUB_EVENT_NAME"] = "pull_request"
	e.vars["GITHUB_EVENT_PATH"] = payload
	e.vars["GITHUB_REPOSITORY"] = "acme/config"
	e.vars["GITHUB_SHA"] = "merge-sha"
	a := New(&bytes.Buffer{}, e.lookup, nil)
	for _, c := range []struct {
		json string
		fork bool
	}{
		{`{"pull_request":{"number":7,"head":{"sha":"head-sha","repo":{"full_name":"acme/config"}},"base":{"repo":{"full_name":"acme/config"}}}}`, false},
		{`{"pull_request":{"number":7,"head":{"sha":"head-sha","repo":{"full_name":"mallory/config"}},"base":{"repo":{"full_name":"acme/config"}}}}`, true},
		{`{"pull_request":{"number":7,"head":{"sha":"head-sha","repo":null},"base":{"repo":{"full_name":"acme/config"}}}}`, true},
	} {
		os.WriteFile(payload, []byte(c.json), 0o600)
		ev, err := a.ReadEvent()
		if err != nil {
			t.Fatal(err)
		}
		if ev.PR != 7 || ev.Fork != c.fork || ev.SHA != "head-sha" || ev.Repo != "acme/config" {
			t.Fatalf("%s: %+v", c.json, ev)
		}
	}
	e.vars["GITHUB_EVENT_NAME"] = "push"
	if ev, err := a.ReadEvent(); err != nil || ev.PR != 0 || ev.SHA != "merge-sha" {
		t.Fatalf("push: %+v %v", ev, err)
	}
}

// A step keeping the comments of five files lists the pull request's
// comments once (here two pages), not once per file, and a comment it
// created is found again by a later upsert of the step.
func TestPRCommentsListOncePerStep(t *testing.T) {
	fake, srv := newFakeGitHub(t)
	for i := range 150 {
		c := Comment{ID: int64(i + 1), Body: fmt.Sprintf("comment %d", i)}
		c.User.Type = "User"
		fake.comments[9] = append(fake.comments[9], c)
	}
	old := Comment{ID: 500, Body: Marker("plan team2.yaml") + "\nold plan"}
	old.User.Type = "Bot"
	fake.comments[9] = append(fake.comments[9], old)
	gh, err := NewGitHub(srv.URL, "ghs_TOKEN", nil)
	if err != nil {
		t.Fatal(err)
	}
	a := New(&bytes.Buffer{}, newEnv(t).lookup, secrets())
	pc := gh.PRComments("o/r", 9)
	ctx := context.Background()
	for i := range 5 {
		want := CommentCreated
		if i == 2 {
			want = CommentUpdated
		}
		r, err := a.UpsertPRComment(ctx, pc, Marker(fmt.Sprintf("plan team%d.yaml", i)), fmt.Sprintf("plan %d", i), false)
		if err != nil || r != want {
			t.Fatalf("file %d: %s, %v; want %s", i, r, err, want)
		}
	}
	if r, err := a.UpsertPRComment(ctx, pc, Marker("plan team4.yaml"), "plan 4 again", false); err != nil || r != CommentUpdated {
		t.Fatalf("the step's own comment again: %s, %v", r, err)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	lists := 0
	for _, r := range fake.requests {
		if strings.HasPrefix(r, "GET ") {
			lists++
		}
	}
	if lists != 2 {
		t.Errorf("%d listing requests for 5 files, want 2 (one listing of two pages): %q", lists, fake.requests)
	}
	if n := len(fake.comments[9]); n != 151+4 {
		t.Errorf("%d comments, want 155 (4 created, 1 updated)", n)
	}
	if got := fake.comments[9][150].Body; got != Marker("plan team2.yaml")+"\nplan 2" {
		t.Errorf("team2's comment %q", got)
	}
}
