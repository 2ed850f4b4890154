package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// releaseDist is a release directory for the host: $PLAINSYNC_DIST when
// set (.ci/run points it at make release-snapshot's dist/), otherwise one
// archive built here with the release tool. It returns the directory and
// the version its archives are named for.
func releaseDist(t *testing.T) (dir, version, archive string) {
	t.Helper()
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skipf("the install test runs on linux/amd64 and linux/arm64, not %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	dir = os.Getenv("PLAINSYNC_DIST")
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "dist")
		cmd := exec.Command("go", "run", "./scripts/release", "-version", "v9.9.9", "-commit", "e2e0commit",
			"-epoch", "1700000000", "-targets", "linux/"+runtime.GOARCH, "-out", dir)
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build a release archive: %v\n%s", err, out)
		}
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
	r := bashStep(t, a.step(t, "install").Run, t.TempDir(), env)
	outputs, _ := g.read(t)
	p, _ := os.ReadFile(g.path)
	return installRun{result: r, outputs: outputs, path: string(p), cache: cache}
}

func TestInstallVerifiesTheReleaseArchive(t *testing.T) {
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
	}{
		{"archive replaced", "does not match checksums.txt of " + version, sums},
		{"not listed", "checksums.txt of " + version + " lists no " + archive, []byte(strings.ReplaceAll(string(sums), archive, "other.tar.gz"))},
	} {
		t.Run(c.name, func(t *testing.T) {
			served := t.TempDir()
			if err := os.WriteFile(filepath.Join(served, "checksums.txt"), c.sums, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(served, archive), evilArchive(t, mark), 0o644); err != nil {
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
			if r.outputs != "" || r.path != "" {
				t.Fatalf("a refused install wrote outputs %q, path %q", r.outputs, r.path)
			}
		})
	}
}

func TestInstallRefusesPlainHTTP(t *testing.T) {
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
