package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// releaseDist is a release directory for the host: $PLAINSYNC_DIST when
// set (.ci/run points it at make release-snapshot's dist/), otherwise one
// archive built with the release tool, once per package run and shared by
// the install tests (they only read it). It returns the directory and the
// version its archives are named for.
func releaseDist(t *testing.T) (dir, version, archive string) {
	t.Helper()
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skipf("the install test runs on linux/amd64 and linux/arm64, not %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	dir = os.Getenv("PLAINSYNC_DIST")
	if dir == "" {
		distOnce.Do(func() {
			// Under binDir, which TestMain removes at the end.
			distDir = filepath.Join(binDir, "dist")
			cmd := exec.Command("go", "run", "./scripts/release", "-version", "v9.9.9", "-commit", "e2e0commit",
				"-epoch", "1700000000", "-targets", "linux/"+runtime.GOARCH, "-out", distDir)
			cmd.Dir = repoRoot
			if out, err := cmd.CombinedOutput(); err != nil {
				distErr = fmt.Errorf("build a release archive: %v\n%s", err, out)
			}
		})
		if distErr != nil {
			t.Fatal(distErr)
		}
		dir = distDir
	}
	sums, err := os.ReadFile(filepath.Join(dir, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)  (plainsync_(\S+)_linux_` + runtime.GOARCH + `\.tar\.gz)$`).FindSubmatch(sums)
	if m == nil {
		t.Fatalf("checksums.txt lists no linux/%s archive:\n%s", runtime.GOARCH, sums)
	}
	return dir, "v" + string(m[2]), string(m[1])
}

var (
	distOnce sync.Once
	distDir  string
	distErr  error
)

// serveReleases serves dir as the release of version on loopback, the way
// GitHub serves https://github.com/OWNER/REPO/releases/download/TAG/FILE.
func serveReleases(t *testing.T, version, dir string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/"+version+"/", http.StripPrefix("/"+version+"/", http.FileServer(http.Dir(dir))))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

type installRun struct {
	result
	outputs, path, cache string
}

// runInstall runs action.yml's install step against a release URL.
func runInstall(t *testing.T, releaseURL, versionInput, actionRef, cache string, extraPath ...string) installRun {
	t.Helper()
	return runInstallEnv(t, nil, releaseURL, versionInput, actionRef, cache, extraPath...)
}

// runInstallEnv is runInstall with more environment (a later entry wins).
func runInstallEnv(t *testing.T, extraEnv []string, releaseURL, versionInput, actionRef, cache string, extraPath ...string) installRun {
	t.Helper()
	a := loadAction(t)
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	g := newGHAFiles(t)
	path := os.Getenv("PATH")
	for _, p := range extraPath {
		path = p + string(os.PathListSeparator) + path
	}
	env := append([]string{"PATH=" + path, "HOME=" + g.dir, "GITHUB_ACTION_PATH=" + root,
		"RUNNER_TOOL_CACHE=" + cache, "RUNNER_ARCH=" + map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH],
		"PLAINSYNC_VERSION=" + versionInput, "PLAINSYNC_ACTION_REF=" + actionRef, "PLAINSYNC_RELEASE_URL=" + releaseURL}, g.env()...)
	env = append(env, extraEnv...)
	r := bashStep(t, a.step(t, "install").Run, t.TempDir(), env)
	outputs, _ := g.read(t)
	p, _ := os.ReadFile(g.path)
	return installRun{result: r, outputs: outputs, path: string(p), cache: cache}
}

func TestInstallVerifiesTheReleaseArchive(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	dist, version, archive := releaseDist(t)
	srv := serveReleases(t, version, dist)
	cache := t.TempDir()
	number := strings.TrimPrefix(version, "v")
	toolDir := filepath.Join(cache, "plainsync", number, runtime.GOARCH)
	bin := filepath.Join(toolDir, "plainsync")

	// The tag the action was pinned to picks the release (version: auto).
	r := runInstall(t, srv.URL, "auto", version, cache)
	wantCode(t, r.result, 0)
	wantContains(t, r.stdout, "downloading "+archive, "matches checksums.txt", "plainsync "+version+" (commit ")
	if want := "path=" + bin + "\nversion=" + version + "\n"; r.outputs != want {
		t.Fatalf("install outputs %q, want %q", r.outputs, want)
	}
	if r.path != toolDir+"\n" {
		t.Fatalf("$GITHUB_PATH %q", r.path)
	}
	if _, err := os.Stat(filepath.Join(cache, "plainsync", number, runtime.GOARCH+".complete")); err != nil {
		t.Fatalf("no completion marker in the tool cache: %v", err)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "plainsync "+version+" ") {
		t.Fatalf("installed binary: %q %v", out, err)
	}
	if _, err := os.Stat(filepath.Join(toolDir, "plain-mock")); err != nil {
		t.Fatalf("plain-mock is not installed beside plainsync: %v", err)
	}

	// A second job on the same runner reuses the cache: no download.
	srv.Close()
	r = runInstall(t, srv.URL, version, "", cache)
	wantCode(t, r.result, 0)
	wantContains(t, r.stdout, "using the verified copy in the tool cache")

	// A cached binary that changed since it was verified is not trusted.
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho tampered\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r = runInstall(t, srv.URL, version, "", cache)
	if r.code == 0 || strings.Contains(r.stdout, "tampered") || strings.Contains(r.stdout, "tool cache") {
		t.Fatalf("a changed cached binary was used: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// evilArchive is a tar.gz whose plainsync, if ever run, leaves a mark.
func evilArchive(t *testing.T, mark string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	script := []byte("#!/bin/sh\ntouch " + mark + "\n")
	if err := tw.WriteHeader(&tar.Header{Name: "plainsync", Mode: 0o755, Size: int64(len(script)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	tw.Write(script)
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func TestInstallRefusesATamperedArchive(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	dist, version, archive := releaseDist(t)
	sums, err := os.ReadFile(filepath.Join(dist, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	mark := filepath.Join(t.TempDir(), "executed")

	for _, c := range []struct {
		name, want string
		sums       []byte
		archive    []byte // nil: evilArchive
	}{
		{"archive replaced", "does not match checksums.txt of " + version, sums, nil},
		{"not listed", "checksums.txt of " + version + " lists no " + archive, []byte(strings.ReplaceAll(string(sums), archive, "other.tar.gz")), nil},
		// A failure no check foresaw is reported (and recorded) all the same.
		{"not an archive", `: tar -xzf "$tmp/$archive" -C "$tmp/unpacked"`, []byte(fmt.Sprintf("%x  %s\n", sha256.Sum256([]byte("not gzip")), archive)), []byte("not gzip")},
	} {
		t.Run(c.name, func(t *testing.T) {
			served := t.TempDir()
			if err := os.WriteFile(filepath.Join(served, "checksums.txt"), c.sums, 0o644); err != nil {
				t.Fatal(err)
			}
			data := c.archive
			if data == nil {
				data = evilArchive(t, mark)
			}
			if err := os.WriteFile(filepath.Join(served, archive), data, 0o644); err != nil {
				t.Fatal(err)
			}
			srv := serveReleases(t, version, served)
			cache := t.TempDir()
			r := runInstall(t, srv.URL, version, "", cache)
			if r.code != 1 || !strings.Contains(r.stderr, "::error title=plainsync install::") || !strings.Contains(r.stderr, c.want) {
				t.Fatalf("exit %d, want 1 and %q\nstdout:\n%s\nstderr:\n%s", r.code, c.want, r.stdout, r.stderr)
			}
			if _, err := os.Stat(mark); err == nil {
				t.Fatal("the tampered archive's plainsync ran")
			}
			if entries, _ := os.ReadDir(cache); len(entries) != 0 {
				t.Fatalf("the tool cache holds %v after a refused install", entries)
			}
			// The only output of a refused install is its error, for the
			// pull-request comment.
			if errOut, ok := fileOutput(r.outputs, "error"); !ok || !strings.Contains(errOut, c.want) || strings.Contains(r.outputs, "path=") || r.path != "" {
				t.Fatalf("a refused install wrote outputs %q, path %q", r.outputs, r.path)
			}
		})
	}
}

func TestInstallRefusesPlainHTTP(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	// A curl that records being called: a refused URL must not be fetched.
	stubs := t.TempDir()
	called := filepath.Join(stubs, "called")
	if err := os.WriteFile(filepath.Join(stubs, "curl"), []byte("#!/bin/sh\ntouch "+called+"\nexit 7\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, url := range []string{"http://releases.example.com/download", "ftp://127.0.0.1/x", "http://127.0.0.1.example.com/x"} {
		r := runInstall(t, url, "v1.2.3", "", t.TempDir(), stubs)
		if r.code != 1 || !strings.Contains(r.stderr, "must use https (plain http only for a loopback host)") {
			t.Fatalf("%s: exit %d\n%s", url, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(called); err == nil {
		t.Fatal("curl ran for a refused URL")
	}
	for _, bad := range []string{"latest", "v1", "1.2.3", "v1.2.3; rm -rf /"} {
		r := runInstall(t, "https://example.invalid", bad, "", t.TempDir(), stubs)
		if r.code != 1 || !strings.Contains(r.stderr, `input version must be "auto", "source" or a release tag such as v1.2.3`) {
			t.Fatalf("version %q: exit %d\n%s", bad, r.code, r.stderr)
		}
	}
}

// fileOutput finds output name in $GITHUB_OUTPUT's contents written as
// NAME<<DELIMITER … DELIMITER with any delimiter (install.sh's are random).
func fileOutput(raw, name string) (string, bool) {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `<<(\S+)\n`).FindStringSubmatchIndex(raw)
	if m == nil {
		return "", false
	}
	delim := raw[m[2]:m[3]]
	tail := raw[m[1]:]
	end := strings.Index(tail, "\n"+delim+"\n")
	if end < 0 {
		return "", false
	}
	return tail[:end], true
}

// git runs git in dir with a fixed identity and no user configuration.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "HOME="+dir,
		"GIT_AUTHOR_NAME=e2e", "GIT_AUTHOR_EMAIL=e2e@example.com", "GIT_COMMITTER_NAME=e2e", "GIT_COMMITTER_EMAIL=e2e@example.com",
		"GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// actionRepo is a bare repository of the action with its tags as releases
// leave them, for version (vX.Y.Z[-PRE]): the release's commit carries the
// annotated tag version, the lightweight major tag vX, an annotated vX.Y,
// the branch release-X and, for a release, an annotated pre-release of the
// next major version, which must lose to it; the commit after it, main's
// head, has no version tag; another branch's commit has a higher release.
func actionRepo(t *testing.T, version string) (bare, tagged, untagged string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	m := regexp.MustCompile(`^v(\d+)\.(\d+)\.\d+(-\S+)?$`).FindStringSubmatch(version)
	if m == nil {
		t.Fatalf("release version %q", version)
	}
	major, minor := m[1], m[2]
	nextMajor := strconv.Itoa(atoi(t, major) + 1)
	work := filepath.Join(t.TempDir(), "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, work, "init", "-q", "-b", "main")
	git(t, work, "commit", "-q", "--allow-empty", "-m", "older")
	git(t, work, "tag", "-a", "-m", "older", "v0.0.1")
	git(t, work, "commit", "-q", "--allow-empty", "-m", "the release")
	tagged = git(t, work, "rev-parse", "HEAD")
	git(t, work, "tag", "-a", "-m", "release "+version, version)
	git(t, work, "tag", "v"+major)
	git(t, work, "tag", "-a", "-m", "minor", "v"+major+"."+minor)
	if m[3] == "" {
		git(t, work, "tag", "-a", "-m", "pre-release", "v"+nextMajor+".0.0-rc.1")
	}
	git(t, work, "branch", "release-"+major)
	git(t, work, "commit", "-q", "--allow-empty", "-m", "unreleased")
	untagged = git(t, work, "rev-parse", "HEAD")
	git(t, work, "checkout", "-q", "-b", "next", tagged)
	git(t, work, "commit", "-q", "--allow-empty", "-m", "next major")
	git(t, work, "tag", "-a", "-m", "next", "v"+nextMajor+".0.0")
	git(t, work, "checkout", "-q", "main")
	bare = filepath.Join(t.TempDir(), "plainsync.git")
	git(t, work, "clone", "-q", "--bare", work, bare)
	return bare, tagged, untagged
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// goStub is a directory with a go that records its arguments in go-args
// and writes a stand-in binary where -o points, so that the fall back to
// source is seen without a build.
func goStub(t *testing.T) (dir, args string) {
	t.Helper()
	dir = t.TempDir()
	args = filepath.Join(dir, "go-args")
	script := "#!/bin/sh\necho \"$@\" >" + args + "\nwhile [ $# -gt 0 ]; do\n  if [ \"$1\" = -o ]; then printf '#!/bin/sh\\necho plainsync source\\n' >\"$2\"; chmod +x \"$2\"; fi\n  shift\ndone\n"
	if err := os.WriteFile(filepath.Join(dir, "go"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, args
}

// toolPath is a PATH of just the named tools (those installed), so that a
// test can leave one out.
func toolPath(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		p, err := exec.LookPath(n)
		if err != nil {
			continue
		}
		if err := os.Symlink(p, filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestInstallResolvesTheActionRef: with version auto, a major tag, a
// branch or a commit SHA the action is pinned to downloads the release
// whose version tag is on the same commit; a commit without one builds
// from source and says why.
func TestInstallResolvesTheActionRef(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	a := loadAction(t)
	if got := a.step(t, "install").Env["PLAINSYNC_ACTION_REPO"]; got != "${{ github.action_repository }}" {
		t.Fatalf("the install step's PLAINSYNC_ACTION_REPO is %q", got)
	}
	dist, version, archive := releaseDist(t)
	srv := serveReleases(t, version, dist)
	bare, tagged, untagged := actionRepo(t, version)
	repoEnv := []string{"PLAINSYNC_ACTION_REPO=plainsync/plainsync", "PLAINSYNC_ACTION_GIT_URL=" + bare}
	major := regexp.MustCompile(`^v\d+`).FindString(version)
	minor := regexp.MustCompile(`^v\d+\.\d+`).FindString(version)

	for _, ref := range []string{major, minor, tagged, strings.ToUpper(tagged), "release-" + major[1:]} {
		t.Run("ref "+ref, func(t *testing.T) {
			cache := t.TempDir()
			r := runInstallEnv(t, repoEnv, srv.URL, "auto", ref, cache)
			wantCode(t, r.result, 0)
			wantContains(t, r.stdout, "the action ref "+ref+" is commit "+tagged+", release "+version,
				"downloading "+archive, "matches checksums.txt", "plainsync "+version+" (commit ")
			bin := filepath.Join(cache, "plainsync", strings.TrimPrefix(version, "v"), runtime.GOARCH, "plainsync")
			if want := "path=" + bin + "\nversion=" + version + "\n"; r.outputs != want {
				t.Fatalf("install outputs %q, want %q", r.outputs, want)
			}
			if strings.Contains(r.stdout, "::notice") {
				t.Fatalf("a notice for a resolved ref:\n%s", r.stdout)
			}
		})
	}

	// A commit no version tag is on, a ref the repository lacks, and a
	// repository that cannot be listed: built from source, with a notice.
	stubs, goArgs := goStub(t)
	silentGit := t.TempDir()
	if err := os.WriteFile(filepath.Join(silentGit, "git"), []byte("#!/bin/sh\nexit 128\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	silentGit += string(os.PathListSeparator) + stubs
	for _, c := range []struct {
		name, ref, notice string
		env               []string
	}{
		{"untagged SHA", untagged, "no release tag (vX.Y.Z) of " + bare + " is on commit " + untagged + `, which the action ref "` + untagged + `" names`, repoEnv},
		{"untagged branch", "main", "no release tag (vX.Y.Z) of " + bare + " is on commit " + untagged, repoEnv},
		{"unknown ref", "v7", `the action ref "v7" is no tag, branch or full commit SHA of ` + bare, repoEnv},
		{"ls-remote fails", major, `cannot look up the release the action ref "` + major + `" points at: git ls-remote ` + bare + ".missing failed: fatal: ", []string{"PLAINSYNC_ACTION_GIT_URL=" + bare + ".missing"}},
		{"server URL and repository", major, "points at: git ls-remote https://127.0.0.1:1/acme/plainsync.git failed: ",
			[]string{"PLAINSYNC_ACTION_REPO=acme/plainsync", "GITHUB_SERVER_URL=https://127.0.0.1:1/"}},
		{"no repository", major, "points at: the action's repository is unknown", nil},
		// Releases come from plainsync/plainsync: a fork's ref is not
		// looked up there (its tag may name other code).
		{"a fork", major, "the action comes from https://github.com/acme/plainsync, not https://github.com/plainsync/plainsync whose releases are downloaded",
			[]string{"PLAINSYNC_ACTION_REPO=acme/plainsync", "PLAINSYNC_RELEASE_URL="}},
		// git failing without a word still falls back to source.
		{"silent git failure", major, `points at: git ls-remote ` + bare + ` failed: (git said nothing); building`, append([]string{"PATH=" + silentGit + string(os.PathListSeparator) + os.Getenv("PATH")}, repoEnv...)},
		{"local action", "", "the action is not pinned to a ref (a local action, uses: ./)", repoEnv},
	} {
		t.Run(c.name, func(t *testing.T) {
			os.Remove(goArgs)
			r := runInstallEnv(t, c.env, srv.URL, "auto", c.ref, t.TempDir(), stubs)
			wantCode(t, r.result, 0)
			wantContains(t, r.stdout, "::notice title=plainsync install::version auto: ", c.notice, "; building plainsync from source\n")
			args, err := os.ReadFile(goArgs)
			if err != nil || !strings.HasPrefix(string(args), "build -trimpath ") || !strings.Contains(string(args), " ./cmd/plainsync") {
				t.Fatalf("go was not run to build plainsync: %q %v", args, err)
			}
			if !strings.HasSuffix(r.outputs, "\nversion=source\n") || strings.Contains(r.stdout, "downloading") {
				t.Fatalf("install outputs %q\n%s", r.outputs, r.stdout)
			}
		})
	}

	// Without Go the fall back fails, saying why no release was used.
	noGo := toolPath(t, "bash", "git", "sh", "awk", "grep", "head", "tr", "sed", "tail", "cat", "mktemp", "rm")
	r := runInstallEnv(t, append(repoEnv, "PATH="+noGo), srv.URL, "auto", untagged, t.TempDir())
	want := `version "auto" builds plainsync from source because no release tag (vX.Y.Z) of ` + bare + " is on commit " + untagged
	if r.code != 1 || !strings.Contains(r.stderr, "::error title=plainsync install::"+want) || !strings.Contains(r.stderr, "building needs Go, which this runner lacks") {
		t.Fatalf("exit %d, want 1 and %q\nstdout:\n%s\nstderr:\n%s", r.code, want, r.stdout, r.stderr)
	}
	if msg, ok := fileOutput(r.outputs, "error"); !ok || !strings.HasPrefix(msg, want) {
		t.Fatalf("error output %q in %q", msg, r.outputs)
	}
}

// TestInstallRefusesAMalformedRef: an action ref that is no valid tag,
// branch or SHA is never handed to git or go, nor can it start a workflow
// command of its own.
func TestInstallRefusesAMalformedRef(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	dist, version, _ := releaseDist(t)
	srv := serveReleases(t, version, dist)
	bare, _, _ := actionRepo(t, version)
	stubs, goArgs := goStub(t)
	mark := filepath.Join(t.TempDir(), "ran")
	// A git that records being run.
	gitLog := filepath.Join(stubs, "git-args")
	realGit, _ := exec.LookPath("git")
	if err := os.WriteFile(filepath.Join(stubs, "git"), []byte("#!/bin/sh\necho \"$@\" >>"+gitLog+"\nexec "+realGit+" \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"v1; touch " + mark, "--upload-pack=touch " + mark, "$(touch " + mark + ")", "`touch " + mark + "`",
		"v1\n::error::injected", "../../../etc/passwd", "-v", "v1..v2", "refs/heads/x.lock", "a b", "v1%0A::error::x", "x\\y"} {
		os.Remove(gitLog)
		os.Remove(goArgs)
		r := runInstallEnv(t, []string{"PLAINSYNC_ACTION_REPO=plainsync/plainsync", "PLAINSYNC_ACTION_GIT_URL=" + bare}, srv.URL, "auto", ref, t.TempDir(), stubs)
		wantCode(t, r.result, 0)
		wantContains(t, r.stdout, "::notice title=plainsync install::version auto: the action ref ", "is not a valid tag, branch or commit SHA, so it was not looked up")
		if _, err := os.Stat(mark); err == nil {
			t.Fatalf("ref %q ran a command", ref)
		}
		if data, err := os.ReadFile(gitLog); err == nil {
			t.Fatalf("ref %q: git ran: %s", ref, data)
		}
		args, _ := os.ReadFile(goArgs)
		if !strings.Contains(string(args), "internal/version.Commit=unknown ") {
			t.Fatalf("ref %q: go build %s", ref, args)
		}
		for _, l := range strings.Split(r.stdout+r.stderr, "\n") {
			if strings.HasPrefix(l, "::error") {
				t.Fatalf("ref %q started a workflow command: %q", ref, l)
			}
		}
	}
}
