package cli

import (
	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/policy"
	"github.com/plainsync/plainsync/internal/view"
)

// defaultFile is the desired-state file commands read when -f is not given.
const defaultFile = view.DefaultFile

// addFileFlag registers -f/--file (repeatable; default "plainsync.yaml")
// on cmd. A directory stands for every *.yaml/*.yml file in it.
func addFileFlag(cmd *cobra.Command, files *[]string) {
	cmd.Flags().StringArrayVarP(files, "file", "f", []string{defaultFile},
		"desired-state file, or a directory of *.yaml/*.yml files (repeatable)")
}

// addPolicyFlag registers --policy (repeatable) on validate, plan, apply
// and drift.
func addPolicyFlag(cmd *cobra.Command, paths *[]string) {
	cmd.Flags().StringArrayVar(paths, "policy", nil,
		"policy file, or a directory of *.yaml/*.yml policy files, whose CEL rules every webhook must satisfy (repeatable; default $"+policy.EnvPolicy+")")
}
