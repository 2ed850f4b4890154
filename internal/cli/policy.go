package cli

import (
	"github.com/spf13/cobra"

	"github.com/plainsync/plainsync/internal/policy"
)

// addPolicyFlag registers --policy (repeatable) on validate, plan, apply
// and drift.
func addPolicyFlag(cmd *cobra.Command, paths *[]string) {
	cmd.Flags().StringArrayVar(paths, "policy", nil,
		"policy file, or a directory of *.yaml/*.yml policy files, whose CEL rules every webhook must satisfy (repeatable; default $"+policy.EnvPolicy+")")
}
