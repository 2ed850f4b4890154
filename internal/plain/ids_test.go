package plain

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/plainsync/plainsync/internal/plainschema"
)

// IDShape is exactly the id pattern of Plain's payload schemas, and the
// ids of Plain's docs match it with the prefixes named here.
func TestIDShapeIsThePayloadSchemas(t *testing.T) {
	for name, raw := range plainschema.Payloads() {
		var doc struct {
			Definitions struct {
				ID struct {
					Pattern string `json:"pattern"`
				} `json:"id"`
			} `json:"definitions"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		want := strings.Replace(doc.Definitions.ID.Pattern, "[a-zA-Z]+", "([a-zA-Z]+)", 1)
		if IDShape.String() != want {
			t.Errorf("%s: id pattern %q; IDShape is %q", name, doc.Definitions.ID.Pattern, IDShape)
		}
	}
	for id, prefix := range map[string]string{
		ExampleTargetID:                        TargetIDPrefix,
		"whAttempt_01HD450N6X782MDTDBMS6Z14DJ": AttemptIDPrefix,
		"pEv_01HD450JT0RPBT7RRKS1ZQJYBA":       EventIDPrefix,
	} {
		if m := IDShape.FindStringSubmatch(id); m == nil || m[1]+"_" != prefix {
			t.Errorf("%s does not match IDShape with the prefix %s", id, prefix)
		}
	}
	for _, bad := range []string{"wht_1", "whTarget_01hd4400vtdjq646v6ry37sr7k", "whTarget_01HD4400VTDJQ646V6RY37SR7", "whTarget_01HD4400VTDJQ646V6RY37SR7KX", "_01HD4400VTDJQ646V6RY37SR7K", "whTarget_01HD4400VTDJQ646V6RY37SRIL"} {
		if IDShape.MatchString(bad) {
			t.Errorf("IDShape matches %q", bad)
		}
	}
}
