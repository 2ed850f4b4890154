package diff

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/plainsync/plainsync/internal/inert"
	"sort"
	"strconv"
	"strings"

	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// MarshalSaved encodes p as a saved plan file: the plan's indented JSON
// with every interpolated secret replaced by its ${NAME} reference, and
// every literal "${" written as "$${", so that UnmarshalSaved can
// re-interpolate the file from the environment and get p back exactly.
// The bytes never contain a secret value, nor a part of a URL that
// secret.ClassifyURL calls secret and no ${VAR} names.
func MarshalSaved(p *Plan) ([]byte, error) {
	if p == nil {
		return nil, errors.New("save plan: no plan")
	}
	enc := newSavedEncoder(p.Secrets)
	q, err := mapStrings(p, enc.encode)
	if err != nil {
		return nil, fmt.Errorf("save plan: %w", err)
	}
	// A token written literally in the file, or one only Plain knows, is
	// redacted by position like in every display: apply executes the plan
	// it recomputes, and CompareSaved encodes that plan the same way.
	redactURLs(q)
	q.FormatVersion = FormatVersion
	data, err := json.MarshalIndent(q, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("save plan: encode JSON: %w", err)
	}
	// No line of the file holds "##[", a workflow command to a runner
	// that prints it; the values decode the same.
	return append(inert.JSON(data), '\n'), nil
}

// MaxSavedSize is the largest saved plan apply reads. A plan of 25 targets
// is a few tens of kilobytes; the cap keeps a wrong argument (a device, a
// log) from being read into memory.
const MaxSavedSize = 8 << 20

// ReadSaved decodes a saved plan file written by MarshalSaved as it is
// written: ${VAR} references stay references and nothing is interpolated
// from the environment. The result is only good for CompareSaved: apply
// executes the plan it recomputes from the file and live state, never the
// saved one, so an edited plan can do nothing the file and Plain do not
// imply.
func ReadSaved(data []byte) (*Plan, error) {
	if len(data) > MaxSavedSize {
		return nil, fmt.Errorf("read saved plan: the file is larger than %d MiB, so it is not a plainsync plan", MaxSavedSize>>20)
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
	if *head.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("read saved plan: the file has format version %d but this plainsync reads version %d; make the plan again with this version", *head.FormatVersion, FormatVersion)
	}
	if head.Signature != nil {
		// Plans were once signed with the API key, which kept a plan made
		// with a read-only key from applying with the write key. They are
		// bound to their inputs instead now (see bind.go).
		return nil, errors.New("read saved plan: the file was made by an earlier plainsync, which signed plans with the API key; make the plan again with this version")
	}
	var p Plan
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
func validateSaved(p *Plan) error {
	if p.Fingerprint == "" {
		return errors.New("the plan has no live-state fingerprint")
	}
	if p.File == "" || p.FileDigest == "" {
		return errors.New("the plan does not name the file it was made from, or its digest")
	}
	for i, ch := range p.Changes {
		switch ch.Action {
		case ActionCreate:
			if ch.After == nil {
				return fmt.Errorf("changes[%d]: a create without desired state", i)
			}
		case ActionUpdate:
			if ch.After == nil || ch.TargetID == "" {
				return fmt.Errorf("changes[%d]: an update without desired state or target id", i)
			}
		case ActionDelete:
			if ch.TargetID == "" {
				return fmt.Errorf("changes[%d]: a delete without target id", i)
			}
		case ActionNoop, ActionUnmanaged:
		default:
			return fmt.Errorf("changes[%d]: unknown action %q", i, ch.Action)
		}
	}
	return nil
}

// Masked returns a deep copy of p with every string passed through
// p.Secrets.Mask: what renderers print. Secrets is carried over.
func Masked(p *Plan) *Plan {
	if p == nil {
		return nil
	}
	q, _ := mapStrings(p, func(s string) (string, error) { return p.Secrets.Mask(s), nil })
	redactURLs(q)
	return q
}

// Displayed is Masked with escape also applied to every string, after
// masking and URL redaction: what human-readable renderers print, with
// every piece of text that came from the file or from Plain made inert
// (see internal/inert).
func Displayed(p *Plan, escape func(string) string) *Plan {
	if p == nil {
		return nil
	}
	q, _ := mapStrings(Masked(p), func(s string) (string, error) { return escape(s), nil })
	return q
}

// redactURLs hides, in a masked plan, every secret part of every URL that
// no ${VAR} names (live tokens, literal ones in the file), by position:
// see secret.RedactMaskedURL. A URL field change shows the secret parts it
// changes as secret.ChangedMarker. mapStrings made q's states and fields
// fresh copies, so they are edited in place.
func redactURLs(q *Plan) {
	for i := range q.Changes {
		ch := &q.Changes[i]
		if ch.Before != nil {
			ch.Before.URL = secret.RedactMaskedURL(ch.Before.URL)
		}
		if ch.After != nil {
			ch.After.URL = secret.RedactMaskedURL(ch.After.URL)
		}
		for j := range ch.Fields {
			f := &ch.Fields[j]
			if f.Field != FieldURL {
				continue
			}
			f.Before = secret.RedactMaskedURL(f.Before)
			changed := map[string]bool{}
			for _, id := range f.SecretsChanged {
				changed[id] = true
			}
			f.After = secret.RedactMaskedURLWith(f.After, func(p secret.URLPart) (string, bool) {
				if changed[p.ID()] {
					return secret.ChangedMarker, true
				}
				return "", false
			})
		}
	}
	for i := range q.Warnings {
		q.Warnings[i].Message = secret.RedactURLsInText(q.Warnings[i].Message)
	}
}

// savedEncoder masks secrets and escapes literal "${" in one left-to-right
// pass. Doing the two separately is unsafe in either order: escaping first
// can break a secret that contains "${" so that masking misses it, and
// masking first would escape the references it just wrote.
type savedEncoder struct {
	values []string // longest first, as secret.Masker prefers
	masks  map[string]string
}

func newSavedEncoder(m *secret.Masker) *savedEncoder {
	e := &savedEncoder{masks: map[string]string{}}
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
	return b.String(), nil
}

// mapStrings returns a deep copy of p with f applied to every string that
// may hold text from the file or from Plain (enum-like fields such as
// Action and Field are left alone). An error names the field it came from,
// e.g. "changes[2].after.url"; paths are built only then, because Masked
// runs on every rendering of large plans.
func mapStrings(p *Plan, f func(s string) (string, error)) (*Plan, error) {
	var firstErr error
	m := func(prefix, field, s string) string {
		if firstErr != nil || s == "" {
			return s
		}
		out, err := f(s)
		if err != nil {
			firstErr = fmt.Errorf("%s%s: %w", prefix, field, err)
			return s
		}
		return out
	}
	ms := func(prefix, field string, ss []string) []string {
		if ss == nil {
			return nil
		}
		out := make([]string, len(ss))
		for i, s := range ss {
			if firstErr != nil {
				break
			}
			out[i] = s
			if r, err := f(s); err != nil {
				firstErr = fmt.Errorf("%s%s[%d]: %w", prefix, field, i, err)
			} else {
				out[i] = r
			}
		}
		return out
	}
	state := func(prefix string, t *TargetState) *TargetState {
		if t == nil {
			return nil
		}
		return &TargetState{
			ID:          m(prefix, ".id", t.ID),
			Description: m(prefix, ".description", t.Description),
			URL:         m(prefix, ".url", t.URL),
			EventTypes:  ms(prefix, ".eventTypes", t.EventTypes),
			Version:     m(prefix, ".version", t.Version),
			Enabled:     t.Enabled,
			CreatedAt:   t.CreatedAt,
		}
	}

	q := *p
	q.File = m("", "file", p.File)
	q.Workspace.ID = m("", "workspace.id", p.Workspace.ID)
	q.Workspace.Name = m("", "workspace.name", p.Workspace.Name)
	q.Fingerprint = m("", "fingerprint", p.Fingerprint)
	q.APIKeyEnv = m("", "apiKeyEnv", p.APIKeyEnv)
	q.Scope = ms("", "scope", p.Scope)
	if p.Changes != nil {
		q.Changes = make([]Change, len(p.Changes))
	}
	for i, ch := range p.Changes {
		w := "changes[" + strconv.Itoa(i) + "]"
		c := ch
		c.Name = m(w, ".name", ch.Name)
		c.TargetID = m(w, ".targetId", ch.TargetID)
		c.DuplicateOf = m(w, ".duplicateOf", ch.DuplicateOf)
		c.LookalikeOf = m(w, ".lookalikeOf", ch.LookalikeOf)
		c.MatchedBy = m(w, ".matchedBy", ch.MatchedBy)
		c.Before = state(w+".before", ch.Before)
		c.After = state(w+".after", ch.After)
		c.EventPatterns = ms(w, ".eventPatterns", ch.EventPatterns)
		c.Pos.File = m(w, ".pos.file", ch.Pos.File)
		if ch.Fields != nil {
			c.Fields = make([]FieldChange, len(ch.Fields))
		}
		for j, fc := range ch.Fields {
			fw := w + ".fields[" + strconv.Itoa(j) + "]"
			c.Fields[j] = FieldChange{
				Field:   fc.Field,
				Before:  m(fw, ".before", fc.Before),
				After:   m(fw, ".after", fc.After),
				Added:   ms(fw, ".added", fc.Added),
				Removed: ms(fw, ".removed", fc.Removed),
				// Part names and a flag: no text from the file or Plain.
				SecretsChanged: fc.SecretsChanged,
				OnlySecrets:    fc.OnlySecrets,
			}
		}
		q.Changes[i] = c
	}
	if p.Warnings != nil {
		q.Warnings = make([]spec.Problem, len(p.Warnings))
	}
	for i, wp := range p.Warnings {
		w := "warnings[" + strconv.Itoa(i) + "]"
		wp.Pos.File = m(w, ".pos.file", wp.Pos.File)
		wp.Message = m(w, ".message", wp.Message)
		q.Warnings[i] = wp
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return &q, nil
}
