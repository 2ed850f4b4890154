// Command gen writes Go files from Plain's webhook payload schema: by
// default internal/eventtypes/snapshot.go, and with -descriptions
// plain-mock's event catalog (internal/plainmock/eventcatalog.go). Run it
// through "go generate ./internal/eventtypes ./internal/plainmock".
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
	descriptions := flag.String("descriptions", "", "event-type descriptions (TSV): write plain-mock's event catalog instead of the snapshot")
	flag.Parse()
	if err := run(*in, *out, *descriptions); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(in, out, descriptions string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	version, types, err := eventtypes.Extract(data)
	if err != nil {
		return err
	}
	var src []byte
	if descriptions == "" {
		src, err = eventtypes.Render(version, types)
	} else {
		var table []byte
		if table, err = os.ReadFile(descriptions); err != nil {
			return err
		}
		var desc map[string]string
		if desc, err = eventtypes.ParseDescriptions(descriptions, table); err != nil {
			return err
		}
		src, err = eventtypes.RenderCatalog(version, types, desc)
	}
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}
