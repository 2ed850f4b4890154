// Command release cross-compiles plainsync and plain-mock for every
// supported platform and packs them into reproducible archives plus a
// checksums.txt, the files a GitHub release publishes and the Action's
// installer verifies. `make release-snapshot` runs it into dist/; the
// release workflow runs it for a tag.
//
// Reproducible means: the same commit gives byte-identical archives on any
// machine. The binaries are built with -trimpath, an empty build id and no
// VCS stamp (the commit is stamped explicitly), and the archives hold
// sorted entries with fixed owners, modes and mtimes (SOURCE_DATE_EPOCH).
//
//	go run ./scripts/release -version v1.2.3 -commit SHA -epoch 1700000000 -out dist
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	var o Options
	var targets string
	fs.StringVar(&o.Version, "version", "", "version to stamp and to name the archives with, e.g. v1.2.3")
	fs.StringVar(&o.Commit, "commit", "", "commit to stamp")
	fs.Int64Var(&o.Epoch, "epoch", -1, "mtime of every archive entry, in Unix seconds (default $SOURCE_DATE_EPOCH)")
	fs.StringVar(&o.OutDir, "out", "dist", "directory for the archives and checksums.txt (emptied first)")
	fs.StringVar(&targets, "targets", "", "comma-separated GOOS/GOARCH pairs (default: all of "+strings.Join(defaultTargetNames(), ",")+")")
	fs.StringVar(&o.Go, "go", "go", "the go command")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.Epoch < 0 {
		v := os.Getenv("SOURCE_DATE_EPOCH")
		if v == "" {
			return fmt.Errorf("set -epoch or $SOURCE_DATE_EPOCH (the commit time: git log -1 --format=%%ct)")
		}
		if _, err := fmt.Sscan(v, &o.Epoch); err != nil || o.Epoch < 0 {
			return fmt.Errorf("$SOURCE_DATE_EPOCH %q is not a Unix time in seconds", v)
		}
	}
	var err error
	if o.Targets, err = parseTargets(targets); err != nil {
		return err
	}
	return Build(o, os.Stderr)
}
