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

// putLease puts a lease of holder, valid until, into the mock.
func putLease(e *remoteEnv, id, holder string, until time.Time) {
	e.mock.PutTarget(plain.Target{ID: id, URL: lock.LeaseURL, EventTypes: []string{"thread.note_created"},
		Description: plain.LeasePrefix + " v1 holder=" + holder + " until=" + until.UTC().Format("2006-01-02T15:04:05.000Z")})
}

func leasesIn(e *remoteEnv) []string {
	var ids []string
	for _, t := range e.mock.Targets() {
		if plain.IsLease(t.Description) {
			ids = append(ids, t.ID)
		}
	}
	return ids
}

// A workspace with nothing to apply takes no lease, so apply itself
// removes an expired one there (a run killed, or whose delete failed),
// and says so; plan, --dry-run and a lease still held leave it alone.
func TestApplyWithNothingToDoRemovesAnExpiredLease(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	if code, out, errOut := e.run("", false, "apply", "--auto-approve"); code != 0 {
		t.Fatalf("first apply: exit %d\n%s\n%s", code, out, errOut)
	}
	putLease(e, "whTarget_0000000000000000000000DEAD", "dead", time.Now().Add(-time.Hour))
	putLease(e, "whTarget_01HD4400VTDJQ646V6RY37SR0P", "busy", time.Now().Add(time.Minute))

	for _, args := range [][]string{{"plan", "--prune"}, {"apply", "--auto-approve", "--dry-run", "--prune"}, {"drift", "--prune"}} {
		code, out, errOut := e.run("", false, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errOut)
		}
		if strings.Contains(out+errOut, "whTarget_01HD4400VTDJQ646V6RY37SR0P") || strings.Contains(out+errOut, plain.LeasePrefix) {
			t.Errorf("%v shows the lease:\n%s\n%s", args, out, errOut)
		}
		// plan and --dry-run say which expired lease apply would remove.
		if note := "apply will remove 1 expired apply lease(s) of workspace w_01MXCKWRKSPACE000000000000 (whTarget_0000000000000000000000DEAD)"; (args[0] == "drift") == strings.Contains(errOut, note) {
			t.Errorf("%v: the note on expired leases is wrong:\n%s", args, errOut)
		}
		if ids := leasesIn(e); len(ids) != 2 {
			t.Fatalf("%v changed the leases: %v", args, ids)
		}
	}

	code, out, errOut := e.run("", false, "apply", "--auto-approve", "--prune")
	if code != 0 || !strings.Contains(out, "0 to delete") {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "Removed 1 expired apply lease(s)") || !strings.Contains(errOut, "whTarget_0000000000000000000000DEAD") || strings.Contains(errOut, "whTarget_01HD4400VTDJQ646V6RY37SR0P") {
		t.Errorf("apply did not say what it removed:\n%s", errOut)
	}
	if ids := leasesIn(e); len(ids) != 1 || ids[0] != "whTarget_01HD4400VTDJQ646V6RY37SR0P" {
		t.Fatalf("leases after apply: %v, want only the live whTarget_01HD4400VTDJQ646V6RY37SR0P", ids)
	}
	if n := len(e.mock.Targets()); n != 3 {
		t.Fatalf("%d targets, want the 2 managed ones and the live lease", n)
	}
}

// An apply with changes removes an expired lease before it takes its own,
// and leaves none when done.
func TestApplyWithChangesRemovesAnExpiredLease(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	putLease(e, "whTarget_0000000000000000000000DEAD", "dead", time.Now().Add(-time.Hour))
	code, out, errOut := e.run("", false, "apply", "--auto-approve")
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errOut)
	}
	if ids := leasesIn(e); len(ids) != 0 {
		t.Fatalf("leases after apply: %v", ids)
	}
	if n := len(e.mock.Targets()); n != 2 {
		t.Fatalf("%d targets, want 2", n)
	}
}

// --lock chooses: plain takes the lease, local only the local lock, none
// nothing; anything else is refused before any request.
func TestLockFlag(t *testing.T) {
	e := newRemoteEnv(t, testYAML)
	putLease(e, "whTarget_0000000000000000000000DEAD", "dead", time.Now().Add(-time.Hour))
	code, _, errOut := e.run("", false, "apply", "--auto-approve", "--lock", "local")
	if code != 0 || strings.Contains(errOut, "apply lease") || strings.Contains(errOut, "Removed") {
		t.Fatalf("--lock local: exit %d\n%s", code, errOut)
	}
	if ids := leasesIn(e); len(ids) != 1 {
		t.Fatalf("--lock local touched the leases: %v", ids)
	}
	enableOps(t, e)
	code, _, errOut = e.run("", false, "apply", "--auto-approve", "--lock", "none")
	if code != 0 || !strings.Contains(errOut, "without any lock (--lock none)") || strings.Contains(errOut, "Holding") {
		t.Fatalf("--lock none: exit %d\n%s", code, errOut)
	}
	enableOps(t, e)
	code, _, errOut = e.run("", false, "apply", "--auto-approve")
	if code != 0 || !strings.Contains(errOut, "Holding the apply lease") || !strings.Contains(errOut, "Removed 1 expired apply lease(s)") ||
		!strings.Contains(errOut, "Deleted this run's apply lease") {
		t.Fatalf("--lock plain: exit %d\n%s", code, errOut)
	}
	if code, _, errOut := e.run("", false, "apply", "--auto-approve", "--lock", "remote"); code == 0 || !strings.Contains(errOut, "--lock must be plain, local or none") {
		t.Fatalf("--lock remote: exit %d\n%s", code, errOut)
	}
}

// enableOps turns the ops target on by hand, so that apply has a change.
func enableOps(t *testing.T, e *remoteEnv) {
	t.Helper()
	ops := targetNamed(t, e, "ops")
	ops.Enabled = true
	e.mock.PutTarget(ops)
}

func targetNamed(t *testing.T, e *remoteEnv, desc string) plain.Target {
	t.Helper()
	for _, x := range e.mock.Targets() {
		if x.Description == desc {
			return x
		}
	}
	t.Fatalf("no target %q", desc)
	return plain.Target{}
}

// An update-only apply with a key that may not create or delete targets
// does not need those permissions for the lease: it applies under the
// local lock and says so in one line.
func TestUpdateOnlyApplyNeedsNoCreatePermissionForTheLease(t *testing.T) {
	srv, err := plainmock.New(plainmock.Config{Keys: map[string][]string{testKey: {plain.PermRead, plain.PermEdit}}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "plainsync.yaml"), []byte(testYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	e := &remoteEnv{t: t, mock: srv, url: hs.URL + plainmock.GraphQLPath, dir: dir}
	srv.PutTarget(plain.Target{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7K", Description: "crm-sync", URL: "https://crm.example.com/hook?token=" + testToken,
		EventTypes: []string{"thread.thread_created"}, Version: "2026-05-06", Enabled: true})
	srv.PutTarget(plain.Target{ID: "whTarget_01HD4400VTDJQ646V6RY37SR7M", Description: "ops", URL: "https://ops.example.com/hook",
		EventTypes: []string{"customer.customer_created"}, Version: "2026-05-06", Enabled: true})
	code, out, errOut := e.run("", false, "apply", "--auto-approve")
	if code != 0 || !strings.Contains(out, "1 to update") {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errOut)
	}
	want := "under the local lock only: the API key lacks webhookTarget:create or webhookTarget:delete, which the apply lease needs"
	if strings.Count(errOut, want) != 1 || strings.Contains(errOut, "Holding the apply lease") {
		t.Fatalf("apply did not say once that it runs under the local lock:\n%s", errOut)
	}
	if targetNamed(t, e, "ops").Enabled {
		t.Fatal("the update was not applied")
	}
}
