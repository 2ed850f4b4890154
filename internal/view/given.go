package view

import "strings"

// GivenFiles is what a command line names, for the pull-request comments
// of a command that stopped before it read its files (a bad flag): every
// -f/--file value (else the default file) and, for apply, the saved plan
// (the last argument that is no flag and ends in .json).
func GivenFiles(command string, args []string) Given {
	var g Given
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case (a == "-f" || a == "--file") && i+1 < len(args):
			i++
			g.Files = append(g.Files, args[i])
		case strings.HasPrefix(a, "--file="):
			g.Files = append(g.Files, strings.TrimPrefix(a, "--file="))
		case strings.HasPrefix(a, "-f") && len(a) > 2 && !strings.HasPrefix(a, "--"):
			g.Files = append(g.Files, strings.TrimPrefix(strings.TrimPrefix(a, "-f"), "="))
		case command == "apply" && !strings.HasPrefix(a, "-") && strings.HasSuffix(a, ".json"):
			g.SavedPlan = a
		}
	}
	if len(g.Files) == 0 {
		g.Files = []string{DefaultFile}
	}
	return g
}
