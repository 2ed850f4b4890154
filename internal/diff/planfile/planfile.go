// Package planfile is the on-disk format of a saved plan ("plainsync plan
// --out") and its binding to the inputs it was computed from: Marshal and
// Read write and read the file, Compare checks a saved plan against the
// plan computed again from the same file and live state. The plan itself
// and its computation are package diff's.
package planfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/plainsync/plainsync/internal/diff"
	"github.com/plainsync/plainsync/internal/inert"
	"github.com/plainsync/plainsync/internal/secret"
)

// Marshal encodes p as a saved plan file: the plan's indented JSON
// with every interpolated secret replaced by its ${NAME} reference, and
// every literal "${" written as "$${", so that Read can
// re-interpolate the file from the environment and get p back exactly.
// The bytes never contain a secret value, nor a part of a URL that
// secret.ClassifyURL calls secret and no ${VAR} names.
func Marshal(p *diff.Plan) ([]byte, error) {
	if p == nil {
		return nil, errors.New("save plan: no plan")
	}
	enc := newSavedEncoder(p.Secrets)
	q, err := diff.MapStrings(p, enc.encode)
	if err != nil {
		return nil, fmt.Errorf("save plan: %w", err)
	}
	// A token written literally in the file, or one only Plain knows, is
	// redacted by position like in every display: apply executes the plan
	// it recomputes, and Compare encodes that plan the same way.
	diff.RedactURLs(q)
	q.FormatVersion = diff.FormatVersion
	data, err := json.MarshalIndent(q, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("save plan: encode JSON: %w", err)
	}
	// No line of the file holds "##[", a workflow command to a runner
	// that prints it; the values decode the same.
	return append(inert.JSON(data), '\n'), nil
}

// MaxSize is the largest saved plan apply reads. A plan of 25 targets
// is a few tens of kilobytes; the cap keeps a wrong argument (a device, a
// log) from being read into memory.
const MaxSize = 8 << 20

// Read decodes a saved plan file written by Marshal as it is
// written: ${VAR} references stay references and nothing is interpolated
// from the environment. The result is only good for Compare: apply
// executes the plan it recomputes from the file and live state, never the
// saved one, so an edited plan can do nothing the file and Plain do not
// imply.
func Read(data []byte) (*diff.Plan, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("read saved plan: the file is larger than %d MiB, so it is not a plainsync plan", MaxSize>>20)
	}
	var head struct {
		FormatVersion *int            `json:"formatVersion"`
		Signature     json.RawMessage `json:"signature"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("read saved plan: not a plainsync plan file: %w", err)
	}
	if head.FormatVersion == nil {
		return nil, errors.New("read saved plan: not a plainsync plan file (no formatVersion)")
	}
	if *head.FormatVersion != diff.FormatVersion {
		return nil, fmt.Errorf("read saved plan: the file has format version %d but this plainsync reads version %d; make the plan again with this version", *head.FormatVersion, diff.FormatVersion)
	}
	if head.Signature != nil {
		// Plans were once signed with the API key, which kept a plan made
		// with a read-only key from applying with the write key. They are
		// bound to their inputs instead now (see bind.go).
		return nil, errors.New("read saved plan: the file was made by an earlier plainsync, which signed plans with the API key; make the plan again with this version")
	}
	var p diff.Plan
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("read saved plan: %w", err)
	}
	if err := validateSaved(&p); err != nil {
		return nil, fmt.Errorf("read saved plan: %w", err)
	}
	return &p, nil
}

// validateSaved rejects a plan file that apply could not execute sensibly,
// for example one edited by hand.
func validateSaved(p *diff.Plan) error {
	if p.Fingerprint == "" {
		return errors.New("the plan has no live-state fingerprint")
	}
	if p.File == "" || p.FileDigest == "" {
		return errors.New("the plan does not name the file it was made from, or its digest")
	}
	for i, ch := range p.Changes {
		switch ch.Action {
		case diff.ActionCreate:
			if ch.After == nil {
				return fmt.Errorf("changes[%d]: a create without desired state", i)
			}
		case diff.ActionUpdate:
			if ch.After == nil || ch.TargetID == "" {
				return fmt.Errorf("changes[%d]: an update without desired state or target id", i)
			}
		case diff.ActionDelete:
			if ch.TargetID == "" {
				return fmt.Errorf("changes[%d]: a delete without target id", i)
			}
		case diff.ActionNoop, diff.ActionUnmanaged:
		default:
			return fmt.Errorf("changes[%d]: unknown action %q", i, ch.Action)
		}
	}
	return nil
}

// savedEncoder masks secrets and escapes literal "${" in one left-to-right
// pass. Doing the two separately is unsafe in either order: escaping first
// can break a secret that contains "${" so that masking misses it, and
// masking first would escape the references it just wrote.
type savedEncoder struct {
	values []string // longest first, as secret.Masker prefers
	masks  map[string]string
	// masker hides, after the pass, the escaped forms of the secrets
	// (percent-encoded, quoted) that live text may echo: the raw values
	// are gone by then, so it can only write references.
	masker *secret.Masker
}

func newSavedEncoder(m *secret.Masker) *savedEncoder {
	e := &savedEncoder{masks: map[string]string{}, masker: m}
	for _, v := range m.Values() {
		e.values = append(e.values, v)
		// The masker does not export names; masking the value alone yields
		// exactly its ${NAME} reference.
		e.masks[v] = m.Mask(v)
	}
	sort.SliceStable(e.values, func(i, j int) bool {
		if len(e.values[i]) != len(e.values[j]) {
			return len(e.values[i]) > len(e.values[j])
		}
		return e.values[i] < e.values[j]
	})
	return e
}

func (e *savedEncoder) secretAt(s string, i int) string {
	for _, v := range e.values {
		if strings.HasPrefix(s[i:], v) {
			return v
		}
	}
	return ""
}

func (e *savedEncoder) encode(s string) (string, error) {
	if len(e.values) == 0 && !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if v := e.secretAt(s, i); v != "" {
			b.WriteString(e.masks[v])
			i += len(v)
			continue
		}
		if strings.HasPrefix(s[i:], "${") {
			if e.secretAt(s, i+1) != "" {
				// "$" then a secret starting with "{": "$" + "${NAME}"
				// would read back as a literal "${NAME}". Refuse rather
				// than save a plan that applies something else.
				return "", errors.New("a secret value follows a literal \"$\" and cannot be saved unambiguously")
			}
			b.WriteString("$${")
			i += 2
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return e.masker.Mask(b.String()), nil
}
