package plainmock

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
)

// DefaultKey is the API key a Server accepts when neither Config nor the
// state file names any.
const DefaultKey = "plainApiKey_mock"

// AllPermissions is every permission the mock knows; keys given without a
// permission list get all of them.
var AllPermissions = []string{plain.PermRead, plain.PermCreate, plain.PermEdit, plain.PermDelete}

// defaultWorkspace is used when neither Config nor the state file names one.
var defaultWorkspace = plain.Workspace{ID: "w_01MOCKWORKSPACE0000000000", Name: "Mock Workspace"}

// GraphQLPath is the only GraphQL endpoint, as on Plain.
const GraphQLPath = "/graphql/v1"

// unlimitedHeaderLimit is what x-ratelimit-limit says when no rate limit is
// configured. Every response must carry the headers, and a small number
// would make well-behaved clients throttle themselves for nothing.
const unlimitedHeaderLimit = 1_000_000

// maxBodyBytes bounds a request body; the client's largest document is a
// few kilobytes.
const maxBodyBytes = 1 << 20

// Config configures a Server. The zero value is a usable in-memory mock
// with the default key and workspace.
type Config struct {
	Keys            map[string][]string // key → permissions; empty → {DefaultKey: AllPermissions} unless the state file has keys
	Workspace       plain.Workspace     // zero → {ID: "w_01MOCKWORKSPACE0000000000", Name: "Mock Workspace"} unless state has one
	StatePath       string
	Latency         time.Duration
	RateLimit       int     // requests per minute per key; 0 = unlimited
	FailRate        float64 // 0..1
	DropAfterCommit float64 // 0..1
	Seed            int64
	Now             func() time.Time // nil = time.Now
}

// Faults are the injectable failures, changeable while the server runs.
type Faults struct {
	Latency         time.Duration
	RateLimit       int
	FailRate        float64
	DropAfterCommit float64
}

// Server is an http.Handler that behaves like Plain's GraphQL API for
// webhook targets. It is safe for concurrent use.
type Server struct {
	now       func() time.Time
	statePath string

	// mu guards the workspace state below; operations run under it so that
	// every request sees and leaves a consistent state.
	mu        sync.Mutex
	workspace plain.Workspace
	keys      map[string][]string // effective keys
	stateKeys map[string][]string // keys that came from the state file; only these are persisted
	targets   map[string]plain.Target
	attempts  []plain.DeliveryAttempt
	ids       *ulidSource
	simRand   *rand.Rand // delivery simulation, under mu

	// fmu guards fault injection, rate-limit windows and counters, so a
	// slow request never blocks another's fault decisions.
	fmu      sync.Mutex
	faults   Faults
	rng      *rand.Rand
	windows  map[string]*rateWindow
	requests int
	reqLog   io.Writer
}

type rateWindow struct {
	start time.Time
	count int
}

// New builds a Server. When cfg.StatePath names an existing file, the
// workspace, keys, targets and delivery attempts are loaded from it; a
// missing file is created on the first change.
func New(cfg Config) (*Server, error) {
	if cfg.FailRate < 0 || cfg.FailRate > 1 {
		return nil, fmt.Errorf("plainmock: fail rate %v is outside 0..1", cfg.FailRate)
	}
	if cfg.DropAfterCommit < 0 || cfg.DropAfterCommit > 1 {
		return nil, fmt.Errorf("plainmock: drop-after-commit probability %v is outside 0..1", cfg.DropAfterCommit)
	}
	if cfg.RateLimit < 0 {
		return nil, fmt.Errorf("plainmock: rate limit %d is negative", cfg.RateLimit)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	seed := uint64(cfg.Seed)
	// Three independent streams, so that e.g. creating one more target in a
	// test does not shift which later request the fault injector fails.
	idRand := rand.New(rand.NewPCG(seed, 0x1d5))
	s := &Server{
		now:       now,
		statePath: cfg.StatePath,
		keys:      map[string][]string{},
		targets:   map[string]plain.Target{},
		ids: &ulidSource{fill: func(b []byte) {
			for i := range b {
				b[i] = byte(idRand.Uint32())
			}
		}},
		simRand: rand.New(rand.NewPCG(seed, 0x5e1)),
		faults: Faults{
			Latency:         cfg.Latency,
			RateLimit:       cfg.RateLimit,
			FailRate:        cfg.FailRate,
			DropAfterCommit: cfg.DropAfterCommit,
		},
		rng:     rand.New(rand.NewPCG(seed, 0xfa17)),
		windows: map[string]*rateWindow{},
	}

	filled := false
	if cfg.StatePath != "" {
		st, err := readState(cfg.StatePath)
		if err != nil {
			return nil, err
		}
		if st != nil {
			filled, err = s.adoptState(st)
			if err != nil {
				return nil, fmt.Errorf("plainmock: state file %s: %w", cfg.StatePath, err)
			}
		}
	}
	// Config overrides the state file field by field, so --workspace-id
	// alone keeps the file's name.
	if cfg.Workspace.ID != "" {
		s.workspace.ID = cfg.Workspace.ID
	}
	if cfg.Workspace.Name != "" {
		s.workspace.Name = cfg.Workspace.Name
	}
	if s.workspace.ID == "" {
		s.workspace.ID = defaultWorkspace.ID
	}
	if s.workspace.Name == "" {
		s.workspace.Name = defaultWorkspace.Name
	}
	for k, perms := range cfg.Keys {
		s.keys[k] = append([]string(nil), perms...)
	}
	if len(s.keys) == 0 {
		s.keys[DefaultKey] = append([]string(nil), AllPermissions...)
	}
	if filled {
		// A hand-written state file lacked ids or timestamps. Writing them
		// back keeps ids stable across invocations sharing the file.
		s.mu.Lock()
		err := s.persistLocked()
		s.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// SetFaults replaces the fault-injection settings.
func (s *Server) SetFaults(f Faults) {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.faults = f
}

// SetRequestLog makes the server write one line per GraphQL request
// (method, operation name, status, duration) to w; nil turns it off. The
// line never contains the API key or any variable value.
func (s *Server) SetRequestLog(w io.Writer) {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.reqLog = w
}

// AddKey accepts key with perms from now on (replacing an earlier grant).
// Keys added this way are not written to the state file.
func (s *Server) AddKey(key string, perms []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[key] = append([]string(nil), perms...)
}

// PutTarget inserts t, or replaces the target with the same ID, and
// persists. An empty ID, timestamp or version is filled in the way Plain
// would; the stored target is returned.
func (s *Server) PutTarget(t plain.Target) plain.Target {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowMS()
	if t.ID == "" {
		t.ID = "wht_" + s.ids.next(now)
	}
	if t.CreatedAt.IsZero() {
		if old, ok := s.targets[t.ID]; ok {
			t.CreatedAt = old.CreatedAt
		} else {
			t.CreatedAt = now
		}
	}
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = now
	}
	if t.Version == "" {
		t.Version = latestVersion()
	}
	t.EventTypes = plain.SortedUnique(t.EventTypes)
	s.targets[t.ID] = t
	s.persistOrLog()
	return cloneTarget(t)
}

// Targets returns a copy of every target, sorted by createdAt then id (the
// order webhookTargets pages through).
func (s *Server) Targets() []plain.Target {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.sortedTargetsLocked()
	for i := range list {
		list[i] = cloneTarget(list[i])
	}
	return list
}

// AddDeliveryAttempts stores attempts (filling empty ids and times) and
// persists.
func (s *Server) AddDeliveryAttempts(as ...plain.DeliveryAttempt) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range as {
		if _, ok := resultKinds[a.Result]; !ok {
			// A test fixture with a typo; failing loudly beats serving an
			// attempt whose result matches no union member.
			panic(fmt.Sprintf("plainmock: AddDeliveryAttempts: result %q is not one of %s", a.Result, resultKindList()))
		}
		s.attempts = append(s.attempts, s.fillAttempt(a))
	}
	s.persistOrLog()
}

// RequestCount is the number of requests that reached the GraphQL endpoint,
// including those answered by an injected fault.
func (s *Server) RequestCount() int {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	return s.requests
}

func (s *Server) nowMS() time.Time {
	// Plain's DateTime carries milliseconds; storing exactly that keeps
	// state, responses and client-side comparisons in agreement.
	return s.now().UTC().Truncate(time.Millisecond)
}

func (s *Server) sortedTargetsLocked() []plain.Target {
	list := make([]plain.Target, 0, len(s.targets))
	for _, t := range s.targets {
		list = append(list, t)
	}
	sort.Slice(list, func(i, j int) bool { return targetLess(list[i], list[j]) })
	return list
}

func targetLess(a, b plain.Target) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.Before(b.CreatedAt)
	}
	return a.ID < b.ID
}

func cloneTarget(t plain.Target) plain.Target {
	t.EventTypes = append([]string(nil), t.EventTypes...)
	return t
}

// persistOrLog is for the exported helpers that cannot return an error: a
// failed write is reported on stderr rather than lost silently.
func (s *Server) persistOrLog() {
	if err := s.persistLocked(); err != nil {
		logPersistError(err)
	}
}

// ServeHTTP answers POST /graphql/v1 and GET /healthz.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/healthz":
		s.setRateHeaders(w, "", false)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	case GraphQLPath:
		s.serveGraphQL(w, r)
	default:
		s.setRateHeaders(w, "", false)
		http.NotFound(w, r)
	}
}

func (s *Server) serveGraphQL(rw http.ResponseWriter, r *http.Request) {
	started := time.Now()
	op := "-"
	s.fmu.Lock()
	logOut := s.reqLog
	s.fmu.Unlock()
	// The log line is written before the response so that whoever reads
	// the log after getting an answer sees the line.
	logLine := func(status string) {
		if logOut != nil {
			fmt.Fprintf(logOut, "plain-mock: %s %s op=%s status=%s %s\n", r.Method, r.URL.Path, op, status, time.Since(started).Round(time.Millisecond))
		}
	}
	w := &loggingWriter{ResponseWriter: rw, log: logLine}

	s.fmu.Lock()
	s.requests++
	f := s.faults
	fail := f.FailRate > 0 && s.rng.Float64() < f.FailRate
	s.fmu.Unlock()

	// Read the body before waiting: net/http only notices a client that
	// gave up (and cancels r.Context) once the body has been consumed.
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))

	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			logLine("client-gone")
			return
		}
	}

	key, hasBearer := bearerKey(r)
	if fail {
		// A gateway failure: nothing below runs, so nothing is applied.
		s.setRateHeaders(w, key, false)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, badGatewayHTML)
		return
	}

	s.mu.Lock()
	perms, known := s.keys[key]
	perms = append([]string(nil), perms...)
	s.mu.Unlock()
	if !hasBearer || !known {
		s.setRateHeaders(w, key, false)
		msg := "Authentication required: send an API key in the Authorization header as 'Bearer <key>'."
		if hasBearer {
			msg = "Invalid API key."
		}
		writeErrors(w, http.StatusUnauthorized, gqlErr{Message: msg, Code: codeUnauthenticated})
		return
	}

	if limited, retryAfter := s.setRateHeaders(w, key, true); limited {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		writeErrors(w, http.StatusTooManyRequests, gqlErr{Message: "Too Many Requests - Rate limit exceeded", Code: codeRateLimited})
		return
	}

	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeErrors(w, http.StatusMethodNotAllowed, gqlErr{Message: "plain-mock only accepts POST requests.", Code: codeBadRequest})
		return
	}

	var req gqlRequest
	if readErr != nil {
		writeErrors(w, http.StatusBadRequest, gqlErr{Message: "Could not read the request body: " + readErr.Error(), Code: codeBadRequest})
		return
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Query == "" {
		msg := "POST body must be a JSON object with a non-empty \"query\"."
		if err != nil {
			msg = "POST body is not valid JSON: " + err.Error()
		}
		writeErrors(w, http.StatusBadRequest, gqlErr{Message: msg, Code: codeBadRequest})
		return
	}
	if req.OperationName != "" {
		op = req.OperationName
	}

	res := s.execute(&req, perms)
	if res.opName != "" {
		op = res.opName
	}
	if res.isMutation {
		s.fmu.Lock()
		p := s.faults.DropAfterCommit
		drop := p > 0 && s.rng.Float64() < p
		s.fmu.Unlock()
		if drop {
			// The change is committed (and persisted); the client only
			// loses the answer, exactly the case plainsync must resolve
			// by re-reading instead of creating again.
			logLine("dropped")
			dropConnection(rw)
			return
		}
	}
	writeJSON(w, res.status, res.body)
}

// loggingWriter logs the status as it is written.
type loggingWriter struct {
	http.ResponseWriter
	log    func(status string)
	logged bool
}

func (l *loggingWriter) WriteHeader(code int) {
	if !l.logged {
		l.logged = true
		l.log(strconv.Itoa(code))
	}
	l.ResponseWriter.WriteHeader(code)
}

const badGatewayHTML = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>plain-mock</center>
</body>
</html>
`

// dropConnection closes the connection without writing a response.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Not hijackable (HTTP/2, some test recorders): aborting the handler
	// makes net/http reset the stream without a response.
	panic(http.ErrAbortHandler)
}

func bearerKey(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(h) <= len(prefix) || !equalFoldASCII(h[:len(prefix)], prefix) {
		return "", false
	}
	return h[len(prefix):], true
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}

// setRateHeaders writes Plain's x-ratelimit-* headers for key's fixed
// one-minute window. With consume it counts this request and reports
// whether it is over the limit, and the Retry-After seconds.
func (s *Server) setRateHeaders(w http.ResponseWriter, key string, consume bool) (limited bool, retryAfter int) {
	now := s.now().UTC()
	start := now.Truncate(time.Minute)
	reset := start.Add(time.Minute)

	s.fmu.Lock()
	limit := s.faults.RateLimit
	win := s.windows[key]
	if win == nil || !win.start.Equal(start) {
		win = &rateWindow{start: start}
		if consume {
			s.windows[key] = win
		}
	}
	if consume {
		win.count++
	}
	count := win.count
	s.fmu.Unlock()

	headerLimit := limit
	if limit <= 0 {
		headerLimit = unlimitedHeaderLimit
	}
	remaining := headerLimit - count
	if remaining < 0 {
		remaining = 0
	}
	h := w.Header()
	h.Set("x-ratelimit-limit", strconv.Itoa(headerLimit))
	h.Set("x-ratelimit-remaining", strconv.Itoa(remaining))
	h.Set("x-ratelimit-reset", reset.Format(isoMillis))
	if consume && limit > 0 && count > limit {
		secs := int((reset.Sub(now) + time.Second - 1) / time.Second)
		if secs < 1 {
			secs = 1
		}
		return true, secs
	}
	return false, 0
}

// isoMillis is JavaScript's Date.toISOString format, which Plain uses.
const isoMillis = "2006-01-02T15:04:05.000Z07:00"

// Error codes Plain puts in errors[].extensions.code.
const (
	codeParseFailed      = "GRAPHQL_PARSE_FAILED"
	codeValidationFailed = "GRAPHQL_VALIDATION_FAILED"
	codeBadUserInput     = "BAD_USER_INPUT"
	codeUnauthenticated  = "UNAUTHENTICATED"
	codeForbidden        = "FORBIDDEN"
	codeRateLimited      = "RATE_LIMITED"
	codeInternal         = "INTERNAL_SERVER_ERROR"
	codeBadRequest       = "BAD_REQUEST"
)

// gqlErr is one entry of a response's top-level errors.
type gqlErr struct {
	Message   string
	Code      string
	Path      []any
	Locations []location
}

type location struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

func (e gqlErr) MarshalJSON() ([]byte, error) {
	m := newOrderedMap()
	m.set("message", e.Message)
	if len(e.Locations) > 0 {
		m.set("locations", e.Locations)
	}
	if len(e.Path) > 0 {
		m.set("path", e.Path)
	}
	m.set("extensions", map[string]string{"code": e.Code})
	return m.MarshalJSON()
}

func writeErrors(w http.ResponseWriter, status int, errs ...gqlErr) {
	writeJSON(w, status, map[string]any{"errors": errs})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshalJSON(v)
	if err != nil {
		// Only resolver bugs get here; answer like Plain's server would.
		status = http.StatusInternalServerError
		b, _ = marshalJSON(map[string]any{"errors": []gqlErr{{Message: "internal error encoding the response", Code: codeInternal}}})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
