package eventtypes

import (
	"bytes"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/plainsync/plainsync/internal/plainschema"
)

// TestSnapshotMatchesSchema proves snapshot.go is what "go generate" makes
// from Plain's published schema (the repository's copy in
// internal/plainschema): a newer schema (or a hand edit) fails here until
// the snapshot is regenerated.
func TestSnapshotMatchesSchema(t *testing.T) {
	version, types, err := Extract(plainschema.PayloadLatest)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Render(version, types)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("snapshot.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("snapshot.go is stale: run go generate ./internal/eventtypes")
	}
	if len(types) != 30 || !slices.Contains(types, "thread.thread_created") || version != "2026-04-21" {
		t.Errorf("Extract = %q, %d types %v; want 2026-04-21 and Plain's 30 event types", version, len(types), types)
	}
	if !reflect.DeepEqual(Snapshot(), types) {
		t.Errorf("Snapshot() = %v, want %v", Snapshot(), types)
	}
}

func TestExtractRejectsSchemaWithoutEvents(t *testing.T) {
	if _, _, err := Extract([]byte(`{"definitions":{}}`)); err == nil {
		t.Error("Extract accepted a schema with no event types")
	}
	if _, _, err := Extract([]byte(`{`)); err == nil {
		t.Error("Extract accepted invalid JSON")
	}
}

func TestKnownMatchesMissing(t *testing.T) {
	if !Known("thread.thread_created") || Known("thread.thread_create") {
		t.Error("Known is wrong about thread.thread_created / thread.thread_create")
	}
	if got := Matches("thread.email_*"); !reflect.DeepEqual(got, []string{"thread.email_received", "thread.email_sent"}) {
		t.Errorf("Matches(thread.email_*) = %v", got)
	}
	if got := Matches("nope.*"); got != nil {
		t.Errorf("Matches(nope.*) = %v, want none", got)
	}
	if got := Missing([]string{"thread.thread_created", "thread.brand_new", "thread.brand_new"}); !reflect.DeepEqual(got, []string{"thread.brand_new"}) {
		t.Errorf("Missing = %v, want [thread.brand_new]", got)
	}
}

func TestSuggest(t *testing.T) {
	lev := func(a, b string) int { // a tiny Levenshtein for the test
		d := make([][]int, len(a)+1)
		for i := range d {
			d[i] = make([]int, len(b)+1)
			d[i][0] = i
		}
		for j := range d[0] {
			d[0][j] = j
		}
		for i := 1; i <= len(a); i++ {
			for j := 1; j <= len(b); j++ {
				c := 1
				if a[i-1] == b[j-1] {
					c = 0
				}
				d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
			}
		}
		return d[len(a)][len(b)]
	}
	for in, want := range map[string]string{
		"thread.thread_create": "thread.thread_created",
		"thread_created":       "thread.thread_created",
		"billing.invoice_paid": "",
	} {
		if got := Suggest(in, Snapshot(), lev); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}
