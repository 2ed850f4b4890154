package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

var testEntries = []Entry{
	{Name: "plainsync", Data: []byte("binary"), Mode: 0o755},
	{Name: "LICENSE", Data: []byte("license"), Mode: 0o644},
	{Name: "README.md", Data: []byte("readme"), Mode: 0o644},
}

func TestTarGzIsReproducibleAndSorted(t *testing.T) {
	mtime := time.Unix(1700000000, 0)
	var a, b bytes.Buffer
	if err := WriteTarGz(&a, testEntries, mtime); err != nil {
		t.Fatal(err)
	}
	// Another order, later: the same bytes.
	rev := []Entry{testEntries[2], testEntries[0], testEntries[1]}
	time.Sleep(1100 * time.Millisecond)
	if err := WriteTarGz(&b, rev, mtime); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two archives of the same entries differ")
	}
	gz, err := gzip.NewReader(&a)
	if err != nil {
		t.Fatal(err)
	}
	if !gz.ModTime.IsZero() || gz.Name != "" {
		t.Fatalf("gzip header carries name %q, time %v", gz.Name, gz.ModTime)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if !h.ModTime.Equal(mtime) || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: mtime %v uid %d gid %d uname %q gname %q", h.Name, h.ModTime, h.Uid, h.Gid, h.Uname, h.Gname)
		}
		if h.Name == "plainsync" && h.Mode != 0o755 {
			t.Errorf("plainsync mode %o", h.Mode)
		}
	}
	if strings.Join(names, " ") != "LICENSE README.md plainsync" {
		t.Fatalf("entries %v, want sorted", names)
	}
}

func TestZipIsReproducibleAndSorted(t *testing.T) {
	mtime := time.Unix(1700000000, 0)
	var a, b bytes.Buffer
	if err := WriteZip(&a, testEntries, mtime); err != nil {
		t.Fatal(err)
	}
	if err := WriteZip(&b, []Entry{testEntries[1], testEntries[2], testEntries[0]}, mtime); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two zips of the same entries differ")
	}
	zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !f.Modified.Equal(mtime) {
			t.Errorf("%s modified %v", f.Name, f.Modified)
		}
	}
	if strings.Join(names, " ") != "LICENSE README.md plainsync" {
		t.Fatalf("entries %v", names)
	}
}

func TestArchiveNames(t *testing.T) {
	for _, c := range []struct {
		t    Target
		want string
	}{
		{Target{"linux", "amd64"}, "plainsync_1.2.3_linux_amd64.tar.gz"},
		{Target{"darwin", "arm64"}, "plainsync_1.2.3_darwin_arm64.tar.gz"},
		{Target{"windows", "arm64"}, "plainsync_1.2.3_windows_arm64.zip"},
		{Target{"linux", "arm"}, "plainsync_1.2.3_linux_arm.tar.gz"},
	} {
		if got := ArchiveName("v1.2.3", c.t); got != c.want {
			t.Errorf("%s: %s, want %s", c.t, got, c.want)
		}
	}
	if len(DefaultTargets) != 8 {
		t.Fatalf("%d default targets", len(DefaultTargets))
	}
	if _, err := parseTargets("linux/amd64,plan9/386"); err == nil || !strings.Contains(err.Error(), `unknown target "plan9/386"`) {
		t.Fatalf("parseTargets: %v", err)
	}
}

func TestRunRefusesBadInput(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-version", "v1", "-commit", "x"}, "set -epoch or $SOURCE_DATE_EPOCH"},
		{[]string{"-version", "v1; rm", "-commit", "x", "-epoch", "1"}, "want a version such as v1.2.3"},
		{[]string{"-version", "v1", "-epoch", "1"}, "-commit is required"},
	} {
		err := run(append(c.args, "-out", t.TempDir()))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
}

// TestBuildTwiceIsIdentical builds the host's archive twice, in two output
// directories, and checks that checksums.txt names it with the same,
// correct digest both times. (.ci/run builds all eight platforms and checks
// one again with a cold build cache.)
func TestBuildTwiceIsIdentical(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	host := Target{runtime.GOOS, runtime.GOARCH}
	if !known(host) {
		t.Skipf("host %s is not a release target", host)
	}
	var sums [2]string
	for i := range sums {
		out := filepath.Join(t.TempDir(), "dist")
		var log bytes.Buffer
		err := Build(Options{Version: "v0.0.0-test", Commit: "abc123", Epoch: 1700000000, OutDir: out, Targets: []Target{host}}, &log)
		if err != nil {
			t.Fatalf("build: %v\n%s", err, log.String())
		}
		data, err := os.ReadFile(filepath.Join(out, "checksums.txt"))
		if err != nil {
			t.Fatal(err)
		}
		sums[i] = string(data)
		name := ArchiveName("v0.0.0-test", host)
		archive, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(archive)
		if want := hex.EncodeToString(h[:]) + "  " + name + "\n"; sums[i] != want {
			t.Fatalf("checksums.txt %q, want %q", sums[i], want)
		}
		entries, _ := os.ReadDir(out)
		if len(entries) != 2 {
			t.Fatalf("dist holds %d files, want the archive and checksums.txt", len(entries))
		}
	}
	if sums[0] != sums[1] {
		t.Fatalf("two builds differ:\n%s\n%s", sums[0], sums[1])
	}
}
