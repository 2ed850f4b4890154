// Command gendocs writes plainsync's command reference from the cobra tree:
// Markdown pages into docs/commands and man pages into docs/man (make
// docs). TestDocsAreCurrent fails when the committed pages differ from
// what the tree generates, so a new flag cannot ship undocumented.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/plainsync/plainsync/scripts/gendocs/gen"
)

func main() {
	md := flag.String("md", "docs/commands", "directory for the Markdown pages")
	man := flag.String("man", "docs/man", "directory for the man pages")
	flag.Parse()
	if err := gen.Write(*md, *man); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}
