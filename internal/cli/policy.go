package cli

import (
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/policy"
	"github.com/plainsync/plainsync/internal/spec"
)

// addPolicyFlag registers --policy (repeatable) on validate, plan, apply
// and drift.
func addPolicyFlag(cmd *cobra.Command, paths *[]string) {
	cmd.Flags().StringArrayVar(paths, "policy", nil,
		"policy file, or a directory of *.yaml/*.yml policy files, whose CEL rules every webhook must satisfy (repeatable; default $"+policy.EnvPolicy+")")
}

// loadPolicy loads the --policy paths, or those $PLAINSYNC_POLICY lists
// (separated like PATH) when the flag is not given. No paths: a nil set,
// which checks nothing.
func loadPolicy(f *Factory, paths []string) (*policy.Set, []spec.Problem) {
	if len(paths) == 0 {
		if v, ok := f.LookupEnv(policy.EnvPolicy); ok {
			for _, p := range filepath.SplitList(v) {
				if p != "" {
					paths = append(paths, p)
				}
			}
		}
	}
	if len(paths) == 0 {
		return nil, nil
	}
	return policy.Load(paths)
}
