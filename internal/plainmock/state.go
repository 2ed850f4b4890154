package plainmock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sort"

	"github.com/plainsync/plainsync/internal/atomicfile"
	"github.com/plainsync/plainsync/internal/plain"
)

// stateFile is the --state file: one workspace shared by separate
// invocations of plain-mock (and of the tests and demos that drive it).
type stateFile struct {
	Workspace        plain.Workspace         `json:"workspace"`
	Keys             map[string][]string     `json:"keys,omitempty"`
	Targets          []plain.Target          `json:"targets"`
	DeliveryAttempts []plain.DeliveryAttempt `json:"deliveryAttempts"`
}

// readState loads path; a missing file is not an error (nil state), since
// it is created on the first change.
func readState(path string) (*stateFile, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("plainmock: read state file: %w", err)
	}
	var st stateFile
	dec := json.NewDecoder(bytes.NewReader(b))
	// Hand-written state files are expected; a misspelt field should be an
	// error, not a silently empty target.
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("plainmock: parse state file %s: %w", path, err)
	}
	return &st, nil
}

// adoptState installs st into a new server. filled reports whether ids or
// timestamps had to be made up, i.e. whether the file should be rewritten.
func (s *Server) adoptState(st *stateFile) (filled bool, err error) {
	s.workspace = st.Workspace
	if len(st.Keys) > 0 {
		s.stateKeys = map[string][]string{}
		for k, perms := range st.Keys {
			if k == "" {
				return false, errors.New(`"keys" has an empty key`)
			}
			s.stateKeys[k] = append([]string(nil), perms...)
			s.keys[k] = append([]string(nil), perms...)
		}
	}
	now := s.nowMS()
	for i, t := range st.Targets {
		if t.ID == "" || t.CreatedAt.IsZero() || t.UpdatedAt.IsZero() || t.Version == "" {
			filled = true
		}
		if t.ID == "" {
			t.ID = "wht_" + s.ids.next(now)
		}
		if _, dup := s.targets[t.ID]; dup {
			return false, fmt.Errorf("targets[%d]: duplicate id %s", i, t.ID)
		}
		if t.CreatedAt.IsZero() {
			t.CreatedAt = now
		}
		if t.UpdatedAt.IsZero() {
			t.UpdatedAt = t.CreatedAt
		}
		if t.Version == "" {
			t.Version = latestVersion()
		}
		sorted := plain.SortedUnique(t.EventTypes)
		if !slices.Equal(sorted, t.EventTypes) {
			filled = true
		}
		t.EventTypes = sorted
		s.targets[t.ID] = t
	}
	for i, a := range st.DeliveryAttempts {
		if _, ok := resultKinds[a.Result]; !ok {
			return false, fmt.Errorf("deliveryAttempts[%d]: result %q is not one of %s", i, a.Result, resultKindList())
		}
		if a.ID == "" || a.PublicEventID == "" || a.AttemptedAt.IsZero() {
			filled = true
		}
		s.attempts = append(s.attempts, s.fillAttempt(a))
	}
	return filled, nil
}

// persistLocked writes the whole state when a state file is configured.
// The write is atomic (temporary file in the same directory, then rename),
// so a concurrent reader or a crash never sees half a file. Callers hold
// s.mu and call it only after a change: read-only traffic must leave the
// file byte-identical.
func (s *Server) persistLocked() error {
	if s.statePath == "" {
		return nil
	}
	st := stateFile{
		Workspace:        s.workspace,
		Keys:             s.stateKeys,
		Targets:          s.sortedTargetsLocked(),
		DeliveryAttempts: append([]plain.DeliveryAttempt{}, s.attempts...),
	}
	sort.SliceStable(st.DeliveryAttempts, func(i, j int) bool {
		return attemptLess(st.DeliveryAttempts[i], st.DeliveryAttempts[j])
	})
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("plainmock: encode state: %w", err)
	}
	b = append(b, '\n')
	// 0600: the file holds API keys ("keys") and webhook URLs with their
	// tokens.
	if err := atomicfile.Write(s.statePath, b, 0o600); err != nil {
		return fmt.Errorf("plainmock: write state file: %w", err)
	}
	return nil
}

// WriteFileAtomic is writeFileAtomic for cmd/plain-mock's --url-file.
func WriteFileAtomic(path string, data []byte) error {
	return atomicfile.Write(path, data, 0o644)
}
