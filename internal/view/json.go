package view

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/plainsync/plainsync/internal/health"
	"github.com/plainsync/plainsync/internal/plain"
)

// WriteJSON writes v to w as an indented JSON document through the gate
// (see JSON), ending in a newline: every command's -o json.
func (g Gate) WriteJSON(w io.Writer, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(g.JSON(data)))
	return err
}

// TargetsJSON is the -o json shape of targets
// (schema/output/targets.schema.json): Targets for a list, Target for one.
type TargetsJSON struct {
	FormatVersion int            `json:"formatVersion"`
	Targets       []plain.Target `json:"targets,omitempty"`
	Target        *plain.Target  `json:"target,omitempty"`
}

// RedactTargets redacts the secret parts of every target's URL in place
// (see RedactURL), as listings show them unless a URL is revealed on
// purpose.
func RedactTargets(ts []plain.Target) {
	for i := range ts {
		ts[i].URL = RedactURL(ts[i].URL)
	}
}

// Targets writes the live targets as output ("table" or "json") asks.
func (g Gate) Targets(w io.Writer, ts []plain.Target, output string) error {
	if output == "json" {
		return g.WriteJSON(w, TargetsJSON{FormatVersion: 1, Targets: ts})
	}
	if len(ts) == 0 {
		fmt.Fprintln(w, "No webhook targets.")
		return nil
	}
	return g.TargetsTable(w, ts)
}

// Target writes one target in full as output ("table" or "json") asks.
func (g Gate) Target(w io.Writer, t plain.Target, output string) error {
	if output == "json" {
		return g.WriteJSON(w, TargetsJSON{FormatVersion: 1, Target: &t})
	}
	g.ShowTarget(w, t)
	return nil
}

// EventsJSON is the -o json shape of events
// (schema/output/events.schema.json): event types sorted by name,
// versions in the order Plain lists them (newest first).
type EventsJSON struct {
	FormatVersion int                    `json:"formatVersion"`
	EventTypes    []plain.EventType      `json:"eventTypes"`
	Versions      []plain.WebhookVersion `json:"versions"`
}

// Events writes the catalog, its types sorted by name (types itself is
// left as it is), and the webhook versions as output ("table" or "json")
// asks.
func (g Gate) Events(w io.Writer, types []plain.EventType, versions []plain.WebhookVersion, output string) error {
	types = append([]plain.EventType(nil), types...)
	sort.Slice(types, func(i, j int) bool { return types[i].EventType < types[j].EventType })
	if output != "json" {
		return EventsTable(w, types, versions)
	}
	if versions == nil {
		versions = []plain.WebhookVersion{}
	}
	return g.WriteJSON(w, EventsJSON{FormatVersion: 1, EventTypes: types, Versions: versions})
}

// Event writes an event's report as output ("table" or "json") asks; the
// body is never part of it (see DeliveredBody).
func (g Gate) Event(w io.Writer, rep *health.EventReport, output string) error {
	if output == "json" {
		return g.WriteJSON(w, rep)
	}
	return EventReport(w, rep)
}

// DeliveredBody shows the body Plain delivered, under its heading, on a
// terminal (see BodyToTerminal).
func DeliveredBody(w io.Writer, body []byte) error {
	fmt.Fprintf(w, "\nBody Plain delivered (its latest attempt):\n")
	return PrettyBody(w, body)
}

// BodyWritten notes on w (stderr) that event's body went to path.
func (g Gate) BodyWritten(w io.Writer, eventID string, size int, path string) {
	fmt.Fprintf(w, "Wrote the body Plain delivered for %s (%d bytes) to %s.\n", g.Text(eventID), size, g.Text(path))
}

// Deliveries writes the deliveries listing as output ("table" or "json")
// asks: one line per event, or per attempt with attempts.
func (g Gate) Deliveries(w io.Writer, rep *health.Listing, targets int, output string, attempts bool) error {
	switch {
	case output == "json":
		return g.WriteJSON(w, rep)
	case attempts:
		return DeliveriesTable(w, rep, targets)
	}
	return DeliveryEvents(w, rep, targets)
}
