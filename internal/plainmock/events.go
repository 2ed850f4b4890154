package plainmock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/plainsync/plainsync/internal/glob"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/plainmock/deliver"
)

// Admin API paths. They live outside /graphql/v1 because Plain has no such
// API: they are how a test makes things happen that Plain's users cause by
// using Plain (a customer writes in, time passes).
const (
	EventsPath      = "/mock/v1/events"
	AgeAttemptsPath = "/mock/v1/age-attempts"
)

// MaxEmitCount bounds one POST /mock/v1/events.
const MaxEmitCount = 100

// DeliveryConfig configures real deliveries.
type DeliveryConfig struct {
	Timeout  time.Duration   // per attempt; 0 = 10s as on Plain
	Schedule []time.Duration // retry waits; nil = Plain's 12 steps, empty = no retries
	Dial     deliver.DialFunc
	// Concurrency bounds the first attempts one emit makes at once; 0 = 8.
	Concurrency int
}

// EmitRequest is the body of POST /mock/v1/events.
type EmitRequest struct {
	EventType string `json:"eventType"`
	Count     int    `json:"count,omitempty"` // 0 = 1
	// Payload is merged into every generated payload member (objects key
	// by key), e.g. {"thread": {"title": "Printer on fire"}}.
	Payload map[string]any `json:"payload,omitempty"`
}

// EmitResult is the answer: the new events' ids and how many deliveries
// (event × subscribed enabled target) were started.
type EmitResult struct {
	EventIDs   []string `json:"eventIds"`
	Deliveries int      `json:"deliveries"`
}

// EmitError is a request Emit refuses, with the HTTP status it answers.
type EmitError struct {
	Status int
	Msg    string
}

func (e *EmitError) Error() string { return e.Msg }

func newEngine(s *Server, cfg DeliveryConfig) *deliver.Engine {
	return deliver.New(deliver.Config{
		Timeout:  cfg.Timeout,
		Schedule: cfg.Schedule,
		Dial:     cfg.Dial,
		Now:      s.now,
		NewID: func(prefix string) string {
			return s.ids.id(prefix, s.nowMS())
		},
		Secret: func(wsID string) string {
			s.mu.Lock()
			defer s.mu.Unlock()
			if w := s.workspaces[wsID]; w != nil && w.hmac != nil {
				return w.hmac.Secret
			}
			return ""
		},
		Lookup: func(wsID, targetID string) (deliver.Target, bool) {
			s.mu.Lock()
			defer s.mu.Unlock()
			w := s.workspaces[wsID]
			if w == nil {
				return deliver.Target{}, false
			}
			t, ok := w.targets.get(targetID)
			return deliveryTarget(w, t), ok
		},
		Record: func(a deliver.Attempt) {
			s.mu.Lock()
			defer s.mu.Unlock()
			w := s.workspaces[a.WorkspaceID]
			if w == nil {
				return
			}
			w.addAttempt(a.DeliveryAttempt)
			w.recordEventBody(a.PublicEventID, a.EventAt, a.Body)
			s.persistLaterLocked()
		},
	})
}

func deliveryTarget(w *workspace, t plain.Target) deliver.Target {
	return deliver.Target{ID: t.ID, WorkspaceID: w.info.ID, URL: t.URL, Version: t.Version, Enabled: t.Enabled}
}

// Close stops scheduled retries, waits for deliveries in flight and
// writes the attempts they recorded.
func (s *Server) Close() {
	s.engine.Close()
	if err := s.flushState(); err != nil {
		logPersistError(err)
	}
}

// PendingDeliveries is the number of scheduled retries plus attempts in
// flight.
func (s *Server) PendingDeliveries() int { return s.engine.Pending() }

// Emit makes req.Count events of req.EventType happen in workspace wsID
// ("" is the primary one) and delivers each to every enabled target
// subscribed to it. It returns once every first attempt has finished (and
// is recorded); retries follow on the schedule.
func (s *Server) Emit(wsID string, req EmitRequest) (EmitResult, error) {
	count := req.Count
	if count == 0 {
		count = 1
	}
	if count < 0 || count > MaxEmitCount {
		return EmitResult{}, &EmitError{http.StatusBadRequest, fmt.Sprintf("count must be between 1 and %d, got %d", MaxEmitCount, req.Count)}
	}
	s.mu.Lock()
	w := s.workspaceFor(wsID)
	if w == nil {
		s.mu.Unlock()
		return EmitResult{}, &EmitError{http.StatusNotFound, fmt.Sprintf("no workspace %q", wsID)}
	}
	if !w.knownEventType(req.EventType) {
		s.mu.Unlock()
		return EmitResult{}, &EmitError{http.StatusBadRequest, fmt.Sprintf("unknown event type %q: subscriptionEventTypes lists the ones this workspace has", req.EventType)}
	}
	var targets []deliver.Target
	for _, t := range w.targets.sorted() {
		if t.Enabled && subscribed(t.EventTypes, req.EventType) {
			targets = append(targets, deliveryTarget(w, t))
		}
	}
	wsInfo := w.info
	now := s.nowMS()
	// Bodies Plain would have dropped go before new ones come, so that a
	// long-running mock without a state file does not keep them all.
	w.pruneEvents(now)
	events := make([]deliver.Event, count)
	for i := range events {
		events[i] = deliver.Event{
			ID: s.ids.id(plain.EventIDPrefix, now), Type: req.EventType, WorkspaceID: wsInfo.ID,
			Timestamp: now, Overrides: req.Payload,
		}
	}
	s.mu.Unlock()

	if req.Payload != nil {
		if err := checkOverrides(events[0], targets); err != nil {
			return EmitResult{}, err
		}
	}

	res := EmitResult{EventIDs: make([]string, len(events))}
	type job struct {
		ev deliver.Event
		t  deliver.Target
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range max(1, min(s.deliveryConcurrency, len(events)*len(targets))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				s.engine.Deliver(j.ev, j.t)
			}
		}()
	}
	for i, ev := range events {
		res.EventIDs[i] = ev.ID
		for _, t := range targets {
			jobs <- job{ev, t}
			res.Deliveries++
		}
	}
	close(jobs)
	wg.Wait()
	// The first attempts are recorded; one shared write makes them durable
	// before the caller hears of them.
	if err := s.flushState(); err != nil {
		logPersistError(err)
	}
	return res, nil
}

// checkOverrides refuses payload overrides that would make the body
// invalid for some subscribed target's version: that is a mistake in the
// test's request, not something Plain would do. The check uses well-formed
// stand-in ids, so that only the payload member is judged.
func checkOverrides(ev deliver.Event, targets []deliver.Target) error {
	const standIn = "01KB0000000000000000000000"
	ev.WorkspaceID = "w_" + standIn
	seen := map[string]bool{}
	for _, t := range targets {
		if seen[t.Version] {
			continue
		}
		seen[t.Version] = true
		_, err := deliver.Body(ev, deliver.Metadata{
			TargetID: plain.TargetIDPrefix + standIn, Version: t.Version, AttemptID: plain.AttemptIDPrefix + standIn, AttemptNumber: 1, AttemptAt: ev.Timestamp,
		})
		var ve *deliver.ValidationError
		if errors.As(err, &ve) {
			return &EmitError{http.StatusBadRequest, fmt.Sprintf("payload overrides: %v", err)}
		}
	}
	return nil
}

// subscribed matches an event type against a target's subscriptions,
// which are exact types or, as another client may have stored them, globs
// in plainsync's one glob dialect.
func subscribed(subs []string, eventType string) bool {
	for _, p := range subs {
		if glob.Match(p, eventType) {
			return true
		}
	}
	return false
}

// AgeAttempts moves every recorded delivery attempt of workspace wsID ("" is
// the primary one), and every event body publicEventRequestBody keeps, d
// into the past, as if d had passed since they were made: the way a test
// lets a health window move on, or an event expire, without waiting. It
// returns how many attempts moved.
func (s *Server) AgeAttempts(wsID string, d time.Duration) (int, error) {
	if d < 0 {
		return 0, &EmitError{http.StatusBadRequest, "the duration must not be negative"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.workspaceFor(wsID)
	if w == nil {
		return 0, &EmitError{http.StatusNotFound, fmt.Sprintf("no workspace %q", wsID)}
	}
	n := 0
	for id, list := range w.attempts {
		for i := range list {
			list[i].AttemptedAt = list[i].AttemptedAt.Add(-d)
			n++
		}
		w.attempts[id] = list // the same shift keeps the newest-first order
	}
	// Events age with their attempts, so that publicEventRequestBody
	// answers null once they are older than PublicEventRetention.
	for id, ev := range w.events {
		ev.at = ev.at.Add(-d)
		w.events[id] = ev
	}
	if n > 0 || len(w.events) > 0 {
		s.persistOrLog()
	}
	return n, nil
}

// serveAdmin answers the /mock/v1/ endpoints: POST, a JSON body, and the
// same Bearer key as GraphQL, whose workspace they act on.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	key, hasBearer := bearerKey(r)
	s.mu.Lock()
	grant, known := s.keys[key]
	s.mu.Unlock()
	if !hasBearer || !known {
		adminError(w, http.StatusUnauthorized, "send a plain-mock API key as 'Authorization: Bearer <key>'")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		adminError(w, http.StatusMethodNotAllowed, "only POST is accepted")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		adminError(w, http.StatusBadRequest, "could not read the request body: "+err.Error())
		return
	}
	s.mu.Lock()
	wsID := grant.ws.info.ID
	s.mu.Unlock()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var out any
	switch r.URL.Path {
	case EventsPath:
		var req EmitRequest
		if err := dec.Decode(&req); err != nil {
			adminError(w, http.StatusBadRequest, `body must be {"eventType": "…", "count": N, "payload": {…}}: `+err.Error())
			return
		}
		out, err = s.Emit(wsID, req)
	case AgeAttemptsPath:
		var req struct {
			By string `json:"by"`
		}
		if err := dec.Decode(&req); err != nil {
			adminError(w, http.StatusBadRequest, `body must be {"by": "2h"}: `+err.Error())
			return
		}
		d, perr := time.ParseDuration(req.By)
		if perr != nil {
			adminError(w, http.StatusBadRequest, fmt.Sprintf(`"by" must be a duration such as 90m or 2h, got %q`, req.By))
			return
		}
		var n int
		n, err = s.AgeAttempts(wsID, d)
		out = map[string]int{"aged": n}
	default:
		adminError(w, http.StatusNotFound, "no such admin endpoint; see plain-mock --help")
		return
	}
	var ee *EmitError
	switch {
	case errors.As(err, &ee):
		adminError(w, ee.Status, ee.Msg)
	case err != nil:
		adminError(w, http.StatusInternalServerError, err.Error())
	default:
		writeJSON(w, http.StatusOK, out)
	}
}

func adminError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
