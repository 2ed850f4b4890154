package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// issueAPI is a minimal fake of GitHub's issues API for one repository.
type issueAPI struct {
	mu       sync.Mutex
	issues   []map[string]any
	comments map[int][]string
	label    bool
}

func (a *issueAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer ghs_driftTOKEN" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var in map[string]any
	_ = json.NewDecoder(r.Body).Decode(&in)
	path := strings.TrimPrefix(r.URL.Path, "/repos/acme/webhooks")
	switch {
	case r.Method == "GET" && path == "/issues":
		var out []map[string]any
		for _, is := range a.issues {
			if is["state"] == "open" {
				out = append(out, is)
			}
		}
		json.NewEncoder(w).Encode(out)
	case r.Method == "POST" && path == "/issues":
		is := map[string]any{"number": len(a.issues) + 1, "title": in["title"], "body": in["body"], "state": "open"}
		a.issues = append(a.issues, is)
		json.NewEncoder(w).Encode(is)
	case r.Method == "GET" && path == "/labels/plainsync-drift":
		if !a.label {
			w.WriteHeader(http.StatusNotFound)
		}
		w.Write([]byte("{}"))
	case r.Method == "POST" && path == "/labels":
		a.label = true
		w.Write([]byte("{}"))
	case strings.HasPrefix(path, "/issues/"):
		num, sub, _ := strings.Cut(strings.TrimPrefix(path, "/issues/"), "/")
		n, _ := strconv.Atoi(num)
		if sub == "comments" {
			a.comments[n] = append(a.comments[n], in["body"].(string))
		} else {
			for k, v := range in {
				a.issues[n-1][k] = v
			}
		}
		w.Write([]byte("{}"))
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// TestDriftGitHubIssue: drift --github-issue opens the workspace's issue
// on drift, replaces its body on the next drifted run, and closes it once
// apply has brought the workspace in sync; the token never shows.
func TestDriftGitHubIssue(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	api := &issueAPI{comments: map[int][]string{}}
	gh := httptest.NewServer(api)
	t.Cleanup(gh.Close)
	key := testKey
	run := func(args ...string) (int, string) {
		f, out, errOut := testFactory(map[string]string{
			"PLAIN_API_KEY": key, "PLAIN_API_URL": e.url, "TOKEN": testToken,
			"GITHUB_REPOSITORY": "acme/webhooks", "GITHUB_API_URL": gh.URL, "GITHUB_TOKEN": "ghs_driftTOKEN",
		})
		code := Execute(f, append(args, "-f", filepath.Join(e.dir, "plainsync.yaml")))
		all := out.String() + errOut.String()
		if strings.Contains(all, "ghs_driftTOKEN") || strings.Contains(all, testToken) {
			t.Fatalf("secret in output:\n%s", all)
		}
		return code, all
	}
	if code, out := run("drift", "--github-issue"); code != 2 || !strings.Contains(out, "Drift issue of workspace") {
		t.Fatalf("first drift: exit %d\n%s", code, out)
	}
	if code, _ := run("drift", "--github-issue"); code != 2 {
		t.Fatalf("second drift: exit %d", code)
	}
	if len(api.issues) != 1 {
		t.Fatalf("%d issues after two drifted runs, want 1", len(api.issues))
	}
	body, _ := api.issues[0]["body"].(string)
	if !strings.HasPrefix(body, "<!-- plainsync-drift-issue workspace=") || !strings.Contains(body, "missing") || strings.Contains(body, testToken) {
		t.Fatalf("issue body:\n%s", body)
	}
	// A run that fails (the key rejected) leaves the issue as it is.
	if code, _ := run("apply", "--auto-approve"); code != 0 {
		t.Fatalf("apply: exit %d", code)
	}
	key = "plainApiKey_WRONG"
	if code, out := run("drift", "--github-issue"); code != 1 || api.issues[0]["state"] != "open" || api.issues[0]["body"] != body {
		t.Fatalf("error run: exit %d, issue %v\n%s", code, api.issues[0], out)
	}
	key = testKey
	if code, out := run("apply", "--auto-approve"); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	if code, out := run("drift", "--github-issue"); code != 0 || !strings.Contains(out, "closed #1") {
		t.Fatalf("in-sync drift: exit %d\n%s", code, out)
	}
	if api.issues[0]["state"] != "closed" || len(api.comments[1]) != 1 {
		t.Fatalf("issue after in-sync run: %v, comments %v", api.issues[0], api.comments)
	}
}
