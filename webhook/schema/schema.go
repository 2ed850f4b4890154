// Package schema checks webhook bodies against the JSON Schema Plain
// publishes for each payload version, for use with webhook.WithValidator:
//
//	h := webhook.NewHandler(secret, fn, webhook.WithValidator(schema.Validate))
//
// It knows the versions whose schemas Plain ships (the copies committed
// in this repository, see internal/plainschema/README.md); a body of any
// other version is refused with ErrUnknownVersion, so that a receiver
// never accepts a shape it cannot check. Plain's TypeScript SDK behaves
// the same way: it bundles one payload version and rejects every other
// (PlainWebhookVersionMismatchError).
package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/plainsync/plainsync/internal/plainschema"
)

// ErrUnknownVersion means no payload schema of the body's version is known.
var ErrUnknownVersion = errors.New("no payload schema for this webhook version")

var (
	once     sync.Once
	compiled map[string]*jsonschema.Schema
	loadErr  error
)

// load compiles every committed payload schema once, keyed by the version
// each declares as the const of webhookMetadata.webhookTargetVersion.
func load() {
	compiled = map[string]*jsonschema.Schema{}
	names := make([]string, 0, len(plainschema.Payloads()))
	for n := range plainschema.Payloads() {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		raw := plainschema.Payloads()[name]
		version, err := declaredVersion(raw)
		if err != nil {
			loadErr = fmt.Errorf("payload schema %s: %w", name, err)
			return
		}
		c := jsonschema.NewCompiler()
		c.Draft = jsonschema.Draft7
		c.AssertFormat = true
		url := "mem://plain/" + name
		if err := c.AddResource(url, bytes.NewReader(raw)); err != nil {
			loadErr = fmt.Errorf("payload schema %s: %w", name, err)
			return
		}
		s, err := c.Compile(url)
		if err != nil {
			loadErr = fmt.Errorf("payload schema %s: %w", name, err)
			return
		}
		compiled[version] = s
	}
}

// declaredVersion reads definitions.webhookMetadata.properties.webhookTargetVersion.const.
func declaredVersion(raw []byte) (string, error) {
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
	if err := json.Unmarshal(raw, &doc); err != nil {
		return "", err
	}
	v := doc.Definitions.WebhookMetadata.Properties.WebhookTargetVersion.Const
	if v == "" {
		return "", errors.New("declares no webhookTargetVersion const")
	}
	return v, nil
}

// Versions lists the payload versions this package can check, sorted.
func Versions() []string {
	once.Do(load)
	out := make([]string, 0, len(compiled))
	for v := range compiled {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// Validate checks body against the payload schema of version. Its
// signature is webhook.WithValidator's. The error names the first
// violated keyword's location, never the body's content.
func Validate(version string, body []byte) error {
	once.Do(load)
	if loadErr != nil {
		return loadErr
	}
	s, ok := compiled[version]
	if !ok {
		return fmt.Errorf("%w: %q (known: %v)", ErrUnknownVersion, version, Versions())
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	if err := s.Validate(v); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			// The location and keyword only: messages can quote values.
			leaf := ve
			for len(leaf.Causes) > 0 {
				leaf = leaf.Causes[0]
			}
			return fmt.Errorf("body does not match the %s payload schema at %s (%s)", version, orRoot(leaf.InstanceLocation), leaf.KeywordLocation)
		}
		return err
	}
	return nil
}

func orRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}
