// Command plainsync keeps a Plain workspace's webhook targets in Git.
package main

import (
	"os"

	"github.com/plainsync/plainsync/internal/cli"
)

func main() {
	os.Exit(cli.Execute(cli.SystemFactory(), os.Args[1:]))
}
