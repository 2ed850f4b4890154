package spec

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// MaxFileSize is the largest desired-state file plainsync reads. Real
// files are a few kilobytes; the limit keeps a wrong -f (a log, a binary)
// from being read into memory.
const MaxFileSize = 1 << 20

// Load reads, parses, validates and interpolates one file. d is nil when
// any error-severity problem exists; problems are sorted and may hold
// warnings either way.
func Load(path string, lookupEnv func(string) (string, bool)) (*Desired, []Problem) {
	data, prob := readFile(path)
	if prob != nil {
		return nil, []Problem{*prob}
	}
	return loadBytes(path, data, lookupEnv)
}

// LoadForValidate is Load for the validate command, which runs without the
// secrets plan needs (fork pull requests, pre-commit hooks): a ${VAR} that
// is unset or empty gets a placeholder, so the file's shape and each URL's
// syntax are still checked, and Desired.Unset lists it. Event types are
// also checked against the embedded snapshot of Plain's catalog (warnings
// with a did-you-mean). Placeholders never become secrets, and a Desired
// loaded this way must never be planned.
func LoadForValidate(path string, lookupEnv func(string) (string, bool)) (*Desired, []Problem) {
	data, prob := readFile(path)
	if prob != nil {
		return nil, []Problem{*prob}
	}
	return load(&parser{file: path, forValidate: true}, data, lookupEnv)
}

// loadBytes is Load on content already read; file names positions.
func loadBytes(file string, data []byte, lookupEnv func(string) (string, bool)) (*Desired, []Problem) {
	return load(&parser{file: file}, data, lookupEnv)
}

func load(p *parser, data []byte, lookupEnv func(string) (string, bool)) (*Desired, []Problem) {
	root := p.parse(data)
	if root == nil {
		return nil, finish(p.probs)
	}
	bad := p.checkStructure(root)
	// The schema's own reports also go into bad: the semantic rules then
	// skip those nodes, so one mistake gives one message.
	p.validateSchema(root, bad)
	d := p.build(root, bad, lookupEnv)
	probs := finish(p.probs)
	if HasErrors(probs) {
		return nil, probs
	}
	d.Digest = Digest(data)
	return d, probs
}

// Digest identifies a file's exact bytes: "sha256:" and the hex digest. A
// saved plan records it, so that applying the plan refuses an edited file.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// finish sorts problems and drops exact repeats, which arise when an
// aliased node is reached through several aliases.
func finish(ps []Problem) []Problem {
	SortProblems(ps)
	out := ps[:0]
	for i, p := range ps {
		if i > 0 && p == ps[i-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}

// readFile reads path if it is a readable file within MaxFileSize.
func readFile(path string) ([]byte, *Problem) {
	fail := func(format string, args ...any) ([]byte, *Problem) {
		return nil, &Problem{Pos: Pos{File: path}, Severity: SeverityError, Message: fmt.Sprintf(format, args...)}
	}
	st, err := os.Stat(path)
	if err != nil {
		return fail("%s", fileErr(err))
	}
	if st.IsDir() {
		return fail("is a directory, not a file")
	}
	// Stat first so that a huge file is refused without reading it.
	if st.Mode().IsRegular() && st.Size() > MaxFileSize {
		return fail("file is %d bytes; the limit is %d", st.Size(), MaxFileSize)
	}
	f, err := os.Open(path)
	if err != nil {
		return fail("%s", fileErr(err))
	}
	defer f.Close()
	// The limit also holds for pipes and files that grow after Stat.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return fail("%s", fileErr(err))
	}
	if len(data) > MaxFileSize {
		return fail("file is more than %d bytes; the limit is %d", MaxFileSize, MaxFileSize)
	}
	return data, nil
}

// fileErr words a file-system error without repeating the path, which the
// problem's position already shows.
func fileErr(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "file not found"
	case errors.Is(err, fs.ErrPermission):
		return "cannot read file: permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return "cannot read file: " + pe.Err.Error()
	}
	return "cannot read file: " + err.Error()
}

// ExpandPaths turns -f arguments into the files to load: a file stays as
// given; a directory becomes every *.yaml and *.yml directly in it, sorted.
// A path given twice is loaded once. A missing path or a directory without
// YAML files is an error Problem with Pos{File: path}.
func ExpandPaths(paths []string) ([]string, []Problem) {
	var files []string
	var probs []Problem
	seen := map[string]bool{}
	add := func(f string) {
		if key := filepath.Clean(f); !seen[key] {
			seen[key] = true
			files = append(files, f)
		}
	}
	fail := func(path, format string, args ...any) {
		probs = append(probs, Problem{Pos: Pos{File: path}, Severity: SeverityError, Message: fmt.Sprintf(format, args...)})
	}
	for _, path := range paths {
		st, err := os.Stat(path)
		if err != nil {
			fail(path, "%s", fileErr(err))
			continue
		}
		if !st.IsDir() {
			add(path)
			continue
		}
		entries, err := os.ReadDir(path)
		if err != nil {
			fail(path, "cannot read directory: %s", strings.TrimPrefix(fileErr(err), "cannot read file: "))
			continue
		}
		n := 0
		for _, e := range entries { // ReadDir sorts by name
			ext := strings.ToLower(filepath.Ext(e.Name()))
			if ext != ".yaml" && ext != ".yml" {
				continue
			}
			full := filepath.Join(path, e.Name())
			if st, err := os.Stat(full); err == nil && st.IsDir() {
				continue
			}
			add(full)
			n++
		}
		if n == 0 {
			fail(path, "directory has no *.yaml or *.yml files")
		}
	}
	return files, probs
}

// LoadPaths loads every file that paths name (see ExpandPaths). It returns
// the files that loaded without errors and every problem, sorted. Each
// file's masker also learns the Basic-auth headers its URLs' user info
// makes (LearnBasicAuth), so that a server echoing one cannot show it.
func LoadPaths(paths []string, lookupEnv func(string) (string, bool)) ([]*Desired, []Problem) {
	files, probs := ExpandPaths(paths)
	var out []*Desired
	for _, f := range files {
		d, ps := Load(f, lookupEnv)
		probs = append(probs, ps...)
		if d != nil {
			d.LearnBasicAuth()
			out = append(out, d)
		}
	}
	SortProblems(probs)
	return out, probs
}

// HasErrors reports whether any problem is an error (not a warning).
func HasErrors(ps []Problem) bool {
	for _, p := range ps {
		if p.Severity != SeverityWarning {
			return true
		}
	}
	return false
}

// SortProblems orders problems by file, line, column, then message.
func SortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i].Pos, ps[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return ps[i].Message < ps[j].Message
	})
}
