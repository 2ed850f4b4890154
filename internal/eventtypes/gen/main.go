// Command gen writes internal/eventtypes/snapshot.go from Plain's webhook
// payload schema. Run it through "go generate ./internal/eventtypes".
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/plainsync/plainsync/internal/eventtypes"
)

func main() {
	in := flag.String("in", "", "Plain's webhook-event-schema.json")
	out := flag.String("out", "snapshot.go", "Go file to write")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	version, types, err := eventtypes.Extract(data)
	if err != nil {
		return err
	}
	src, err := eventtypes.Render(version, types)
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}
