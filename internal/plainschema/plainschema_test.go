package plainschema

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeNamesEveryFile: every schema file in the folder is embedded
// and listed in README.md with the sha256 of its exact bytes, so a
// refresh (or an accidental edit) that does not update the README fails.
func TestReadmeNamesEveryFile(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([^`]+)` \\|.*\\| `([0-9a-f]{64})` \\|$")
	listed := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		listed[m[1]] = m[2]
	}
	embedded := map[string][]byte{"schema.graphql": []byte(GraphQL)}
	for name, b := range Payloads() {
		embedded[name] = b
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".graphql") {
			if embedded[n] == nil {
				t.Errorf("%s is in the folder but not embedded", n)
			}
		}
	}
	if len(listed) != len(embedded) {
		t.Errorf("README.md lists %d files, %d are embedded", len(listed), len(embedded))
	}
	for name, b := range embedded {
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); listed[name] != got {
			t.Errorf("README.md gives %s the sha256 %q; the file's is %s", name, listed[name], got)
		}
	}
}

func TestPayloadVersions(t *testing.T) {
	for name, want := range map[string]string{"webhook-event-schema.json": "2026-04-21", "webhook-event-schema-2026-02-27.json": "2026-02-27"} {
		var doc struct {
			Definitions struct {
				WebhookMetadata struct {
					Properties struct {
						WebhookTargetVersion struct {
							Const string `json:"const"`
						} `json:"webhookTargetVersion"`
					} `json:"properties"`
				} `json:"webhookMetadata"`
			} `json:"definitions"`
		}
		if err := json.Unmarshal(Payloads()[name], &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := doc.Definitions.WebhookMetadata.Properties.WebhookTargetVersion.Const; got != want {
			t.Errorf("%s carries version %q, want %q", name, got, want)
		}
	}
	if n := strings.Count(GraphQL, "\n"); n != 11382 || !strings.Contains(GraphQL, "createWebhookTarget(") {
		t.Errorf("schema.graphql has %d lines; want Plain's complete schema (11,382)", n)
	}
}
