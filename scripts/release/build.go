package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Target is one platform a release ships for.
type Target struct{ OS, Arch string }

func (t Target) String() string { return t.OS + "/" + t.Arch }

// DefaultTargets are the platforms of every release: every platform the
// GitHub Actions runner itself runs on (hosted and self-hosted: Linux x64,
// ARM64 and 32-bit ARM, macOS x64 and ARM64, Windows x64 and ARM64), plus
// FreeBSD for developers' machines.
var DefaultTargets = []Target{
	{"linux", "amd64"}, {"linux", "arm64"}, {"linux", "arm"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
	{"freebsd", "amd64"},
}

func defaultTargetNames() []string {
	var s []string
	for _, t := range DefaultTargets {
		s = append(s, t.String())
	}
	return s
}

func parseTargets(s string) ([]Target, error) {
	if s == "" {
		return DefaultTargets, nil
	}
	var out []Target
	for _, p := range strings.Split(s, ",") {
		os, arch, ok := strings.Cut(strings.TrimSpace(p), "/")
		t := Target{os, arch}
		if !ok || !known(t) {
			return nil, fmt.Errorf("unknown target %q (want one of %s)", p, strings.Join(defaultTargetNames(), ", "))
		}
		out = append(out, t)
	}
	return out, nil
}

func known(t Target) bool {
	for _, k := range DefaultTargets {
		if k == t {
			return true
		}
	}
	return false
}

// Binaries are the commands each archive holds.
var Binaries = []string{"plainsync", "plain-mock"}

// Docs are the files each archive carries beside the binaries.
var Docs = []string{"LICENSE", "README.md"}

// Options configure Build.
type Options struct {
	Version string // e.g. v1.2.3; names the archives
	Commit  string
	Epoch   int64 // SOURCE_DATE_EPOCH: every entry's mtime
	OutDir  string
	Targets []Target
	Go      string // the go command
}

var versionRE = regexp.MustCompile(`^v?[0-9A-Za-z][0-9A-Za-z.+-]*$`)

// ArchiveName is the file a release holds for t, the name the Action's
// installer downloads: plainsync_1.2.3_linux_amd64.tar.gz, or .zip for
// Windows, where zip is what people open.
func ArchiveName(version string, t Target) string {
	ext := ".tar.gz"
	if t.OS == "windows" {
		ext = ".zip"
	}
	return fmt.Sprintf("plainsync_%s_%s_%s%s", strings.TrimPrefix(version, "v"), t.OS, t.Arch, ext)
}

// Build compiles every binary for every target, archives each target and
// writes checksums.txt, logging progress to log.
func Build(o Options, log io.Writer) error {
	if !versionRE.MatchString(o.Version) {
		return fmt.Errorf("-version %q: want a version such as v1.2.3", o.Version)
	}
	if o.Commit == "" {
		return fmt.Errorf("-commit is required")
	}
	if o.Go == "" {
		o.Go = "go"
	}
	if err := os.RemoveAll(o.OutDir); err != nil {
		return fmt.Errorf("clear %s: %w", o.OutDir, err)
	}
	work := filepath.Join(o.OutDir, ".work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	mtime := time.Unix(o.Epoch, 0).UTC()
	docs := make([]Entry, 0, len(Docs))
	for _, d := range Docs {
		data, err := os.ReadFile(d)
		if err != nil {
			return fmt.Errorf("read %s for the archives: %w", d, err)
		}
		docs = append(docs, Entry{Name: d, Data: data, Mode: 0o644})
	}
	var sums []string
	for _, t := range o.Targets {
		entries := append([]Entry{}, docs...)
		for _, b := range Binaries {
			name := b
			if t.OS == "windows" {
				name += ".exe"
			}
			out := filepath.Join(work, t.OS+"_"+t.Arch, name)
			fmt.Fprintf(log, "build %s for %s\n", b, t)
			if err := goBuild(o, t, "./cmd/"+b, out); err != nil {
				return err
			}
			data, err := os.ReadFile(out)
			if err != nil {
				return err
			}
			entries = append(entries, Entry{Name: name, Data: data, Mode: 0o755})
		}
		name := ArchiveName(o.Version, t)
		path := filepath.Join(o.OutDir, name)
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		h := sha256.New()
		w := io.MultiWriter(f, h)
		if t.OS == "windows" {
			err = WriteZip(w, entries, mtime)
		} else {
			err = WriteTarGz(w, entries, mtime)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		sums = append(sums, hex.EncodeToString(h.Sum(nil))+"  "+name)
	}
	if err := os.RemoveAll(work); err != nil {
		return err
	}
	// checksums.txt in sha256sum's format, sorted by name: verify with
	// sha256sum --check --ignore-missing checksums.txt.
	sort.Slice(sums, func(i, j int) bool { return sums[i][66:] < sums[j][66:] })
	if err := os.WriteFile(filepath.Join(o.OutDir, "checksums.txt"), []byte(strings.Join(sums, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(log, "wrote %d archives and checksums.txt to %s\n", len(o.Targets), o.OutDir)
	return nil
}

// goBuild cross-compiles pkg for t into out. Everything that could differ
// between two machines is pinned: no cgo, no paths (-trimpath), no build
// id, no VCS stamp (it would depend on the checkout's dirt, such as dist/).
func goBuild(o Options, t Target, pkg, out string) error {
	ldflags := fmt.Sprintf("-s -w -buildid= -X github.com/plainsync/plainsync/internal/version.Version=%s -X github.com/plainsync/plainsync/internal/version.Commit=%s", o.Version, o.Commit)
	cmd := exec.Command(o.Go, "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags, "-o", out, pkg)
	// GOARM is pinned because its default has changed between Go
	// releases; 7 is what 32-bit ARM runners (Raspberry Pi OS and the
	// like) execute.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+t.OS, "GOARCH="+t.Arch, "GOARM=7", "GOFLAGS=")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s for %s: %w", pkg, t, err)
	}
	return nil
}
