package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/lock"
	"github.com/plainsync/plainsync/internal/plain"
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
	putLease(e, "whTarget_01HD4400VTDJQ646V6RY37SR0P", "busy", time.Now().Add(time.Hour))

	for _, args := range [][]string{{"plan", "--prune"}, {"apply", "--auto-approve", "--dry-run", "--prune"}, {"drift", "--prune"}} {
		code, out, errOut := e.run("", false, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errOut)
		}
		if strings.Contains(out+errOut, "whTarget_0000000000000000000000DEAD") || strings.Contains(out+errOut, plain.LeasePrefix) {
			t.Errorf("%v shows the lease:\n%s\n%s", args, out, errOut)
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
