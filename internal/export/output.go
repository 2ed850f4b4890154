package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/plainsync/plainsync/internal/atomicfile"
	"github.com/plainsync/plainsync/internal/plain"
)

// Formats of the exported file (export's -o).
const (
	FormatYAML = "yaml"
	FormatJSON = "json"
)

// Output is how the exported file is written.
type Output struct {
	// Format is FormatYAML or FormatJSON.
	Format string
	// Path is the file to write; "" (or "-") is stdout.
	Path string
	// Force replaces an existing Path.
	Force bool
}

// Check refuses what the flags alone decide is wrong, before Plain is
// asked anything, and returns the path to write: out.Path, or "" (stdout)
// for "-".
func Check(o Options, out Output) (string, error) {
	if out.Format != FormatYAML && out.Format != FormatJSON {
		// -o used to name the file; a value that is not a format is
		// almost always that habit, and must not become a file.
		return "", fmt.Errorf("-o names an output format (yaml or json), not %q; to write the file, use --out %s", out.Format, out.Format)
	}
	if out.Path == "-" {
		out.Path = ""
	}
	for _, g := range o.Scope {
		if g == "" {
			return out.Path, errors.New("--scope needs a glob over target names, e.g. --scope \"support-*\"")
		}
	}
	if o.NameFrom != NameFromDescription && o.NameFrom != NameFromID {
		return out.Path, fmt.Errorf("unknown --name-from %q (want %s or %s)", o.NameFrom, NameFromDescription, NameFromID)
	}
	if out.Path != "" && !out.Force {
		if _, err := os.Lstat(out.Path); err == nil {
			return out.Path, fmt.Errorf("%s already exists; pass --force to overwrite it", out.Path)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return out.Path, fmt.Errorf("check %s: %w", out.Path, err)
		}
	}
	return out.Path, nil
}

// Snapshotter reads the live workspace.
type Snapshotter interface {
	Snapshot(ctx context.Context) (*plain.Snapshot, error)
}

// Live reads the workspace, builds its file, checks that plainsync loads
// it and returns it with its document in format (see Document).
func Live(ctx context.Context, c Snapshotter, o Options, format string) (*File, []byte, error) {
	snap, err := c.Snapshot(ctx)
	if err != nil {
		return nil, nil, err
	}
	ex, err := Build(snap, o)
	if err != nil {
		return nil, nil, err
	}
	if err := ex.Check(); err != nil {
		return nil, nil, err
	}
	doc, err := ex.Document(format)
	if err != nil {
		return nil, nil, err
	}
	return ex, doc, nil
}

// Document is the file in format (FormatYAML or FormatJSON), as written:
// not yet masked or made inert.
func (ex *File) Document(format string) ([]byte, error) {
	if format == FormatJSON {
		return ex.JSON()
	}
	return ex.YAML, nil
}

// VarNames are the names of the file's variables, in the file's order.
func (ex *File) VarNames() []string {
	names := make([]string, len(ex.Vars))
	for i, v := range ex.Vars {
		names[i] = v.Name
	}
	return names
}

// Write writes data (the document as shown) to path atomically, or to
// stdout when path is "".
func Write(path string, data []byte, stdout io.Writer) error {
	if path == "" {
		_, err := stdout.Write(data)
		return err
	}
	// The file holds ${VAR} references, never their values: it is
	// meant for Git, so ordinary read permissions.
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
