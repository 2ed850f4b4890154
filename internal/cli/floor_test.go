package cli

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/lock"
	"github.com/plainsync/plainsync/internal/plain"
	"github.com/plainsync/plainsync/internal/plainmock"
)

// oneCreateYAML plans one create against an empty workspace.
const oneCreateYAML = `version: 1
webhooks:
  - name: crm-sync
    url: https://crm.example.com/hook
    events: [thread.thread_created]
`

// floorEnv is a fresh plain-mock, a file planning one create and a cache
// directory of its own for the local lock.
type floorEnv struct {
	t     *testing.T
	mock  *plainmock.Server
	url   string
	file  string
	cache string
}

func newFloorEnv(t *testing.T) *floorEnv {
	t.Helper()
	srv, err := plainmock.New(plainmock.Config{Keys: map[string][]string{testKey: plainmock.AllPermissions}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	dir := t.TempDir()
	file := filepath.Join(dir, "plainsync.yaml")
	if err := os.WriteFile(file, []byte(oneCreateYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	return &floorEnv{t: t, mock: srv, url: hs.URL + plainmock.GraphQLPath, file: file, cache: filepath.Join(dir, "cache")}
}

// apply runs apply --auto-approve with args and returns the requests it
// sent and its stderr.
func (e *floorEnv) apply(args ...string) (int, string) {
	e.t.Helper()
	f, out, errOut := testFactory(map[string]string{"PLAIN_API_KEY": testKey, "PLAIN_API_URL": e.url, "XDG_CACHE_HOME": e.cache})
	before := e.mock.RequestCount()
	code := Execute(f, append([]string{"apply", "--auto-approve", "-f", e.file}, args...))
	if code != 0 {
		e.t.Fatalf("apply %v: exit %d\n%s\n%s", args, code, out, errOut)
	}
	var n int
	for _, x := range e.mock.Targets() {
		if plain.IsLease(x.Description) {
			e.t.Fatalf("apply %v left a lease: %+v", args, x)
		}
		n++
	}
	if n != 1 {
		e.t.Fatalf("apply %v: %d targets, want the one created", args, n)
	}
	return e.mock.RequestCount() - before, errOut.String()
}

// A one-create apply sends what the work needs and the lease costs: read,
// lease create, the read that decides the lease (and serves as the
// re-plan's), create, lease delete; with --lock local only read and
// create.
func TestOneCreateApplyIsAtTheFloor(t *testing.T) {
	n, errOut := newFloorEnv(t).apply()
	if !strings.Contains(errOut, "Holding the apply lease") {
		t.Fatalf("no lease taken:\n%s", errOut)
	}
	if n > 5 {
		t.Errorf("one create with the lease: %d requests, want at most 5", n)
	}
	if n, _ := newFloorEnv(t).apply("--lock", "local"); n != 2 {
		t.Errorf("one create with --lock local: %d requests, want 2 (read, create)", n)
	}
}

// With --lock local, a run on this machine that may have written since the
// plan's read (here: one killed while holding the lock) makes apply read
// the workspace again before it writes.
func TestLocalLockHeldSinceTheReadMeansAReRead(t *testing.T) {
	e := newFloorEnv(t)
	path := lock.LocalPath(e.cache, e.url, "w_01MXCKWRKSPACE000000000000") // plain-mock's default workspace
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	killed := "plainsync-lock v1 held=" + time.Now().UTC().Format(time.RFC3339Nano) + "\n"
	if err := os.WriteFile(path, []byte(killed), 0o600); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.apply("--lock", "local"); n != 3 {
		t.Errorf("%d requests, want 3 (read, read again, create)", n)
	}
}
