package plainmock

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/plainmock/deliver"
)

// DefaultKey is the API key a Server accepts when neither Config nor the
// state file names any.
const DefaultKey = "plainApiKey_mock"

// AllPermissions is every permission the mock knows; keys given without a
// permission list get all of them.
var AllPermissions = []string{plain.PermRead, plain.PermCreate, plain.PermEdit, plain.PermDelete}

// defaultWorkspace is used when neither Config nor the state file names one.
// Its id has the shape of Plain's ids (a prefix, _, a 26-character ULID),
// which delivered payloads must carry.
var defaultWorkspace = plain.Workspace{ID: "w_01MXCKWRKSPACE000000000000", Name: "Mock Workspace"}

// DefaultMaxTargets is Plain's documented ceiling of webhook targets per
// workspace.
const DefaultMaxTargets = 25

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
	Keys      map[string][]string // primary workspace's keys: key → permissions; with no key anywhere → {DefaultKey: AllPermissions}
	Workspace plain.Workspace     // the primary workspace; zero → {ID: "w_01MXCKWRKSPACE000000000000", Name: "Mock Workspace"} unless state has one
	// WorkspaceKeys are keys bound to a workspace by id (--key KEY@ID). A
	// workspace neither the state file nor Config.Workspace names is
	// created empty. An empty WorkspaceID means the primary workspace.
	WorkspaceKeys []WorkspaceKey
	// MaxTargets is how many targets a workspace may hold before create
	// answers a MutationError: 0 means Plain's documented 25, a negative
	// value no limit. PutTarget ignores it.
	MaxTargets      int
	StatePath       string
	Latency         time.Duration
	RateLimit       int     // requests per minute per key; 0 = unlimited
	FailRate        float64 // 0..1
	DropAfterCommit float64 // 0..1
	Seed            int64
	Now             func() time.Time // nil = time.Now
	// Delivery configures the real deliveries POST /mock/v1/events makes.
	Delivery DeliveryConfig

	// RefuseInvalidHosts makes create and update refuse a URL whose host
	// is in the reserved .invalid domain (RFC 2606) with a VALIDATION
	// error on url, as a service that checks its targets' hosts would;
	// plainsync's apply lease points there. Off by default: whether Plain
	// checks hosts is not documented either way.
	RefuseInvalidHosts bool
}

// WorkspaceKey grants an API key permissions on one workspace.
type WorkspaceKey struct {
	Key         string
	WorkspaceID string
	Permissions []string
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
	now        func() time.Time
	statePath  string
	maxTargets int // <= 0: no limit
	// refuseInvalid is Config.RefuseInvalidHosts.
	refuseInvalid bool

	// mu guards the workspaces below; operations run under it so that
	// every request sees and leaves a consistent state.
	mu         sync.Mutex
	primary    *workspace            // the one Config.Workspace and the state file's top level describe
	workspaces map[string]*workspace // by id, primary included
	wsOrder    []string              // ids in state-file order, primary first
	keys       map[string]keyGrant   // effective keys
	ids        *ulidSource
	simRand    *rand.Rand // delivery simulation, under mu

	// fmu guards fault injection, rate-limit windows and counters, so a
	// slow request never blocks another's fault decisions.
	fmu      sync.Mutex
	faults   Faults
	rng      *rand.Rand
	windows  map[string]*rateWindow
	requests int
	reqLog   io.Writer

	// State-file writes (state.go): stateSeq counts changes and flushTimer
	// is a pending write of queued ones, both under mu; stateWritten is the
	// stateSeq on disk, and writeMu serialises the writes.
	stateSeq     uint64
	flushTimer   *time.Timer
	writeMu      sync.Mutex
	stateWritten atomic.Uint64

	// engine makes real deliveries and their retries; it takes mu itself
	// (through its callbacks), so it is never called with mu held.
	engine              *deliver.Engine
	deliveryConcurrency int
}

// keyGrant is what an API key may do, and where.
type keyGrant struct {
	ws    *workspace
	perms []string
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
	if cfg.MaxTargets == 0 {
		cfg.MaxTargets = DefaultMaxTargets
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
		now:        now,
		statePath:  cfg.StatePath,
		maxTargets: cfg.MaxTargets,
		workspaces: map[string]*workspace{},
		keys:       map[string]keyGrant{},
		ids:        newULIDSource(randReader{idRand.Uint32}),
		simRand:    rand.New(rand.NewPCG(seed, 0x5e1)),
		faults: Faults{
			Latency:         cfg.Latency,
			RateLimit:       cfg.RateLimit,
			FailRate:        cfg.FailRate,
			DropAfterCommit: cfg.DropAfterCommit,
		},
		rng:     rand.New(rand.NewPCG(seed, 0xfa17)),
		windows: map[string]*rateWindow{},
	}
	s.refuseInvalid = cfg.RefuseInvalidHosts

	s.primary = newWorkspace(plain.Workspace{})
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
	if err := s.applyConfigWorkspaces(cfg); err != nil {
		return nil, err
	}
	s.engine = newEngine(s, cfg.Delivery)
	s.deliveryConcurrency = cfg.Delivery.Concurrency
	if s.deliveryConcurrency <= 0 {
		s.deliveryConcurrency = 8
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

// applyConfigWorkspaces lays Config's workspace and keys over what the
// state file gave.
func (s *Server) applyConfigWorkspaces(cfg Config) error {
	// Config overrides the state file field by field, so --workspace-id
	// alone keeps the file's name.
	p := &s.primary.info
	if cfg.Workspace.ID != "" {
		p.ID = cfg.Workspace.ID
	}
	if cfg.Workspace.Name != "" {
		p.Name = cfg.Workspace.Name
	}
	if p.ID == "" {
		p.ID = defaultWorkspace.ID
	}
	if p.Name == "" {
		p.Name = defaultWorkspace.Name
	}
	// adoptState left the primary workspace out of the map: its id is
	// only final now.
	if s.workspaces[p.ID] != nil {
		return fmt.Errorf("plainmock: workspace id %s is used twice", p.ID)
	}
	s.workspaces[p.ID] = s.primary
	s.wsOrder = append([]string{p.ID}, s.wsOrder...)

	for k, perms := range cfg.Keys {
		if k == "" {
			return errors.New("plainmock: Config.Keys has an empty key")
		}
		s.keys[k] = keyGrant{ws: s.primary, perms: append([]string(nil), perms...)}
	}
	for _, wk := range cfg.WorkspaceKeys {
		if wk.Key == "" {
			return errors.New("plainmock: Config.WorkspaceKeys has an empty key")
		}
		w := s.primary
		if wk.WorkspaceID != "" {
			w = s.workspaceOrNew(wk.WorkspaceID)
		}
		s.keys[wk.Key] = keyGrant{ws: w, perms: append([]string(nil), wk.Permissions...)}
	}
	if len(s.keys) == 0 {
		s.keys[DefaultKey] = keyGrant{ws: s.primary, perms: append([]string(nil), AllPermissions...)}
	}
	return nil
}

// workspaceOrNew finds the workspace with id, creating an empty one (named
// after its id) when none exists.
func (s *Server) workspaceOrNew(id string) *workspace {
	if w := s.workspaces[id]; w != nil {
		return w
	}
	w := newWorkspace(plain.Workspace{ID: id, Name: id})
	s.workspaces[id] = w
	s.wsOrder = append(s.wsOrder, id)
	return w
}

// workspaceFor finds a workspace by id; "" is the primary one.
func (s *Server) workspaceFor(id string) *workspace {
	if id == "" {
		return s.primary
	}
	return s.workspaces[id]
}

func (s *Server) mustWorkspace(method, id string) *workspace {
	w := s.workspaceFor(id)
	if w == nil {
		// Test code asked for a workspace it never configured.
		panic(fmt.Sprintf("plainmock: %s: no workspace %q", method, id))
	}
	return w
}

// AddKey accepts key with perms on the primary workspace from now on
// (replacing an earlier grant). Keys added this way are not written to the
// state file.
func (s *Server) AddKey(key string, perms []string) {
	s.AddWorkspaceKey(WorkspaceKey{Key: key, Permissions: perms})
}

// AddWorkspaceKey accepts k.Key on workspace k.WorkspaceID (created empty
// when new; "" is the primary workspace) from now on. Not persisted.
func (s *Server) AddWorkspaceKey(k WorkspaceKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.primary
	if k.WorkspaceID != "" {
		w = s.workspaceOrNew(k.WorkspaceID)
	}
	s.keys[k.Key] = keyGrant{ws: w, perms: append([]string(nil), k.Permissions...)}
}

// Workspaces lists every workspace the server holds, primary first.
func (s *Server) Workspaces() []plain.Workspace {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]plain.Workspace, 0, len(s.wsOrder))
	for _, id := range s.wsOrder {
		out = append(out, s.workspaces[id].info)
	}
	return out
}

// WorkspaceHMAC is workspace id's request-signing secret ("" is the
// primary workspace); ok is false when it has none yet.
func (s *Server) WorkspaceHMAC(id string) (h HMAC, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.mustWorkspace("WorkspaceHMAC", id)
	if w.hmac == nil {
		return HMAC{}, false
	}
	return *w.hmac, true
}

// SetWorkspaceHMAC sets workspace id's request-signing secret ("" is the
// primary workspace) and persists; an empty secret removes it.
func (s *Server) SetWorkspaceHMAC(id, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setHMACLocked(s.mustWorkspace("SetWorkspaceHMAC", id), secret)
	s.persistOrLog()
}

func (s *Server) setHMACLocked(w *workspace, secret string) {
	if secret == "" {
		w.hmac = nil
		return
	}
	now := s.nowMS()
	if w.hmac == nil {
		w.hmac = &HMAC{CreatedAt: now}
	}
	w.hmac.Secret = secret
	w.hmac.UpdatedAt = now
}

// PutTarget is PutTargetIn on the primary workspace.
func (s *Server) PutTarget(t plain.Target) plain.Target { return s.PutTargetIn("", t) }

// PutTargetIn inserts t into workspace wsID ("" is the primary one), or
// replaces the target with the same ID, and persists. An empty ID,
// timestamp or version is filled in the way Plain would; the stored target
// is returned. It bypasses the target limit, so tests can build any state.
func (s *Server) PutTargetIn(wsID string, t plain.Target) plain.Target {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.mustWorkspace("PutTargetIn", wsID)
	now := s.nowMS()
	if t.ID == "" {
		t.ID = s.ids.id(plain.TargetIDPrefix, now)
	}
	if t.CreatedAt.IsZero() {
		if old, ok := w.targets.get(t.ID); ok {
			t.CreatedAt = old.CreatedAt
		} else {
			t.CreatedAt = now
		}
	}
	t.CreatedAt = t.CreatedAt.UTC()
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = now
	}
	if t.Version == "" {
		t.Version = w.latestVersion()
	}
	t.EventTypes = plain.SortedUnique(t.EventTypes)
	w.targets.put(t)
	s.persistOrLog()
	return cloneTarget(t)
}

// Targets is TargetsIn of the primary workspace.
func (s *Server) Targets() []plain.Target { return s.TargetsIn("") }

// TargetsIn returns a copy of every target of workspace wsID ("" is the
// primary one), sorted by createdAt then id (the order webhookTargets
// pages through).
func (s *Server) TargetsIn(wsID string) []plain.Target {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.mustWorkspace("TargetsIn", wsID).targets.sorted()
	for i := range list {
		list[i] = cloneTarget(list[i])
	}
	return list
}

// AddDeliveryAttempts is AddDeliveryAttemptsIn on the primary workspace.
func (s *Server) AddDeliveryAttempts(as ...plain.DeliveryAttempt) {
	s.AddDeliveryAttemptsIn("", as...)
}

// AddDeliveryAttemptsIn stores attempts in workspace wsID ("" is the
// primary one), filling empty ids, public event ids and times, and
// persists once. Each attempt's WebhookTargetID names its target;
// webhookDeliveryAttempts lists them newest first.
func (s *Server) AddDeliveryAttemptsIn(wsID string, as ...plain.DeliveryAttempt) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.mustWorkspace("AddDeliveryAttemptsIn", wsID)
	for _, a := range as {
		if _, ok := resultKinds[a.Result]; !ok {
			// A test fixture with a typo; failing loudly beats serving an
			// attempt whose result matches no union member.
			panic(fmt.Sprintf("plainmock: AddDeliveryAttempts: result %q is not one of %s", a.Result, resultKindList()))
		}
		w.addAttempt(s.fillAttempt(a))
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

// ServeHTTP answers POST /graphql/v1, GET /healthz and the admin API
// (POST /mock/v1/events, POST /mock/v1/age-attempts).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/healthz":
		s.setRateHeaders(w, "", false)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	case GraphQLPath:
		s.serveGraphQL(w, r)
	case EventsPath, AgeAttemptsPath:
		s.serveAdmin(w, r)
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
	grant, known := s.keys[key]
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

	res := s.execute(&req, grant)
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
	// codeNotImplemented is the mock's own: a valid query outside the
	// webhook surface. Plain itself would answer it.
	codeNotImplemented = "PLAIN_MOCK_NOT_IMPLEMENTED"
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
