package cli

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/plainsync/plainsync/internal/reconcile"
)

// Flags map to ApplyOptions, and what flags alone decide is refused before
// anything is read; no Plain is involved.
func TestApplyFlagsToOptions(t *testing.T) {
	cases := []struct {
		args    []string
		check   func(*ApplyOptions) bool
		wantErr string
	}{
		{args: nil, check: func(o *ApplyOptions) bool {
			return o.savedPlan == "" && len(o.files) == 1 && o.files[0] == "plainsync.yaml" && o.run.Parallelism == 4 &&
				!o.rf.workspacesGiven && o.rf.workspacesFor(1) == 1 && o.rf.workspacesFor(20) == 20 && o.rf.workspacesFor(100) == reconcile.MaxWorkspaces && !o.run.DeleteSet && !o.run.UpdateSet && o.run.LockTimeout == reconcile.DefaultLockTimeout
		}},
		{args: []string{"-f", "a.yaml", "-f", "b.yaml", "--prune", "--auto-approve", "--parallelism", "8", "--workspaces-parallelism", "3", "--max-delete-percent", "10", "--lock-timeout", "5s"},
			check: func(o *ApplyOptions) bool {
				return strings.Join(o.files, ",") == "a.yaml,b.yaml" && o.prune && o.run.AutoApprove && o.run.Parallelism == 8 && o.rf.workspacesFor(20) == 3 &&
					o.run.DeleteSet && o.run.MaxDeletePercent == 10 && !o.run.UpdateSet && o.run.LockTimeout == 5*time.Second
			}},
		{args: []string{"plan.json"}, check: func(o *ApplyOptions) bool { return o.savedPlan == "plan.json" }},
		{args: []string{"plan.json", "--prune"}, check: func(o *ApplyOptions) bool { return o.savedPlan == "plan.json" && o.prune }},
		{args: []string{"plan.json", "-f", "a.yaml"}, wantErr: "a saved plan carries its file"},
		{args: []string{"--parallelism", "0"}, wantErr: "--parallelism must be at least 1"},
		{args: []string{"--max-update-percent", "101"}, wantErr: "--max-update-percent must be between 0 and 100"},
		{args: []string{"a.json", "b.json"}, wantErr: "accepts at most 1 arg"},
	}
	for _, tc := range cases {
		f, _, _ := testFactory(nil)
		var got *ApplyOptions
		cmd := NewCmdApply(f, func(o *ApplyOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		err := cmd.Execute()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || got != nil {
				t.Errorf("%v: err %v, want %q and no run", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got == nil || got.f != f || !tc.check(got) {
			t.Errorf("%v: err %v, options %+v", tc.args, err, got)
		}
	}
}
