package plainmock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"time"

	"github.com/plainsync/plainsync/internal/atomicfile"
	"github.com/plainsync/plainsync/internal/plain"
)

// stateFile is the --state file, shared by separate invocations of
// plain-mock (and by the tests and demos that drive it). Its top level is
// the primary workspace, exactly the single-workspace format of earlier
// versions, so old files load unchanged and readers that know only that
// format still find the primary workspace; "workspaces" holds the others.
type stateFile struct {
	workspaceRecord
	Workspaces []workspaceRecord `json:"workspaces,omitempty"`
}

// workspaceRecord is one workspace in the state file.
type workspaceRecord struct {
	Workspace plain.Workspace     `json:"workspace"`
	Keys      map[string][]string `json:"keys,omitempty"`
	// HMAC is the request-signing secret; absent until one is set.
	HMAC *HMAC `json:"hmac,omitempty"`
	// EventTypes and WebhookVersions replace the built-in catalog for this
	// workspace when given.
	EventTypes       []plain.EventType       `json:"eventTypes,omitempty"`
	WebhookVersions  []plain.WebhookVersion  `json:"webhookVersions,omitempty"`
	Targets          []plain.Target          `json:"targets"`
	DeliveryAttempts []plain.DeliveryAttempt `json:"deliveryAttempts"`
	// PublicEvents are the bodies publicEventRequestBody answers, kept for
	// PublicEventRetention.
	PublicEvents []PublicEventRecord `json:"publicEvents,omitempty"`
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

// adoptState installs st into a new server: the top level into s.primary,
// the rest into s.workspaces (the primary joins the map once Config has
// had its say about its id). filled reports whether ids or timestamps had
// to be made up, i.e. whether the file should be rewritten.
func (s *Server) adoptState(st *stateFile) (filled bool, err error) {
	seenIDs := map[string]bool{}
	seenKeys := map[string]bool{}
	filled, err = s.adoptRecord(s.primary, &st.workspaceRecord, seenKeys)
	if err != nil {
		return false, err
	}
	if st.Workspace.ID != "" {
		seenIDs[st.Workspace.ID] = true
	}
	for i := range st.Workspaces {
		rec := &st.Workspaces[i]
		id := rec.Workspace.ID
		if id == "" {
			return false, fmt.Errorf("workspaces[%d]: workspace.id is required", i)
		}
		if seenIDs[id] {
			return false, fmt.Errorf("workspaces[%d]: workspace id %s is used twice", i, id)
		}
		seenIDs[id] = true
		if rec.Workspace.Name == "" {
			rec.Workspace.Name = id
		}
		w := newWorkspace(rec.Workspace)
		f, err := s.adoptRecord(w, rec, seenKeys)
		if err != nil {
			return false, fmt.Errorf("workspaces[%d] (%s): %w", i, id, err)
		}
		filled = filled || f
		s.workspaces[id] = w
		s.wsOrder = append(s.wsOrder, id)
	}
	return filled, nil
}

func (s *Server) adoptRecord(w *workspace, rec *workspaceRecord, seenKeys map[string]bool) (filled bool, err error) {
	w.info = rec.Workspace
	if rec.HMAC != nil {
		h := *rec.HMAC
		w.hmac = &h
	}
	if len(rec.EventTypes) > 0 || len(rec.WebhookVersions) > 0 {
		w.customCatalog = true
		if len(rec.EventTypes) > 0 {
			w.eventTypes = append([]plain.EventType(nil), rec.EventTypes...)
		}
		if len(rec.WebhookVersions) > 0 {
			w.versions = append([]plain.WebhookVersion(nil), rec.WebhookVersions...)
		}
	}
	if len(rec.Keys) > 0 {
		w.stateKeys = map[string][]string{}
		for k, perms := range rec.Keys {
			if k == "" {
				return false, errors.New(`"keys" has an empty key`)
			}
			if seenKeys[k] {
				return false, errors.New(`"keys": a key belongs to two workspaces`)
			}
			seenKeys[k] = true
			w.stateKeys[k] = append([]string(nil), perms...)
			s.keys[k] = keyGrant{ws: w, perms: append([]string(nil), perms...)}
		}
	}
	now := s.nowMS()
	for i, t := range rec.Targets {
		if t.ID == "" || t.CreatedAt.IsZero() || t.UpdatedAt.IsZero() || t.Version == "" {
			filled = true
		}
		if t.ID == "" {
			t.ID = s.ids.id(plain.TargetIDPrefix, now)
		}
		if _, dup := w.targets.get(t.ID); dup {
			return false, fmt.Errorf("targets[%d]: duplicate id %s", i, t.ID)
		}
		if t.CreatedAt.IsZero() {
			t.CreatedAt = now
		}
		if t.UpdatedAt.IsZero() {
			t.UpdatedAt = t.CreatedAt
		}
		if t.Version == "" {
			t.Version = w.latestVersion()
		}
		sorted := plain.SortedUnique(t.EventTypes)
		if !slices.Equal(sorted, t.EventTypes) {
			filled = true
		}
		t.EventTypes = sorted
		w.targets.put(t)
	}
	for i, a := range rec.DeliveryAttempts {
		if _, ok := resultKinds[a.Result]; !ok {
			return false, fmt.Errorf("deliveryAttempts[%d]: result %q is not one of %s", i, a.Result, resultKindList())
		}
		if a.ID == "" || a.PublicEventID == "" || a.AttemptedAt.IsZero() {
			filled = true
		}
		w.addAttempt(s.fillAttempt(a))
	}
	if err := w.adoptEvents(rec.PublicEvents); err != nil {
		return false, err
	}
	return filled, nil
}

func (w *workspace) record() workspaceRecord {
	rec := workspaceRecord{
		Workspace:        w.info,
		Keys:             w.stateKeys,
		HMAC:             w.hmac,
		Targets:          w.targets.sorted(),
		DeliveryAttempts: w.allAttempts(),
		PublicEvents:     w.eventRecords(),
	}
	if w.customCatalog {
		rec.EventTypes = w.eventTypes
		rec.WebhookVersions = w.versions
	}
	return rec
}

// persistLocked writes the whole state when a state file is configured,
// and returns once it is on disk (fsynced): callers acknowledge a change
// only after it, so that a kill -9 right after the answer loses nothing.
// The write is atomic (temporary file in the same directory, then rename),
// so a concurrent reader or a crash never sees half a file. Callers hold
// s.mu and call it only after a change: read-only traffic must leave the
// file byte-identical. It also makes durable every change persistLaterLocked
// has queued.
func (s *Server) persistLocked() error {
	if s.statePath == "" {
		return nil
	}
	s.stateSeq++
	b, err := s.encodeStateLocked()
	if err != nil {
		return err
	}
	return s.writeState(b, s.stateSeq)
}

// persistLaterLocked queues a change that nobody waits for (a delivery
// attempt the engine recorded): it is written with the next write, by a
// mutation or at most stateFlushDelay later, so that a burst of attempts
// costs one write instead of one whole-file rewrite and fsync each under
// s.mu. Callers hold s.mu.
func (s *Server) persistLaterLocked() {
	if s.statePath == "" {
		return
	}
	s.stateSeq++
	if s.flushTimer == nil {
		s.flushTimer = time.AfterFunc(stateFlushDelay, func() {
			if err := s.flushState(); err != nil {
				logPersistError(err)
			}
		})
	}
}

// stateFlushDelay bounds how long a queued change waits for its write.
const stateFlushDelay = 50 * time.Millisecond

// flushState writes the state if a queued change is not on disk yet, and
// returns once every change made before the call is. Concurrent callers
// share writes: one that finds its changes already written by another
// returns without writing (group commit).
func (s *Server) flushState() error {
	if s.statePath == "" {
		return nil
	}
	s.mu.Lock()
	if s.flushTimer != nil {
		s.flushTimer.Stop()
		s.flushTimer = nil
	}
	seq := s.stateSeq
	if s.stateWritten.Load() >= seq {
		s.mu.Unlock()
		return nil
	}
	b, err := s.encodeStateLocked()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.writeState(b, seq)
}

// encodeStateLocked is the state file's content. Callers hold s.mu.
func (s *Server) encodeStateLocked() ([]byte, error) {
	now := s.nowMS()
	for _, w := range s.workspaces {
		w.pruneEvents(now)
	}
	st := stateFile{workspaceRecord: s.primary.record()}
	for _, id := range s.wsOrder[1:] {
		st.Workspaces = append(st.Workspaces, s.workspaces[id].record())
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("plainmock: encode state: %w", err)
	}
	return append(b, '\n'), nil
}

// writeState writes b, the state as of change seq, unless a newer state
// is already on disk: writes are serialised by writeMu (taken after s.mu
// when both are held, never before), and an older snapshot never replaces
// a newer one.
func (s *Server) writeState(b []byte, seq uint64) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if s.stateWritten.Load() >= seq {
		return nil
	}
	// 0600: the file holds API keys ("keys"), HMAC secrets and webhook URLs
	// with their tokens.
	if err := atomicfile.Write(s.statePath, b, 0o600); err != nil {
		return fmt.Errorf("plainmock: write state file: %w", err)
	}
	s.stateWritten.Store(seq)
	return nil
}

// WriteFileAtomic is writeFileAtomic for cmd/plain-mock's --url-file.
func WriteFileAtomic(path string, data []byte) error {
	return atomicfile.Write(path, data, 0o644)
}
