package diff

import (
	"fmt"
	"strconv"

	"github.com/plainsync/plainsync/internal/secret"
	"github.com/plainsync/plainsync/internal/spec"
)

// RedactURLs hides, in a masked plan, every secret part of every URL that
// no ${VAR} names (live tokens, literal ones in the file), by position:
// see secret.RedactMaskedURL. It keeps those secrets out of the plan as
// data: planfile saves the result, and the renderers (render.masked)
// start from it. A URL field change shows the secret parts it
// changes as secret.ChangedMarker. MapStrings made q's states and fields
// fresh copies, so they are edited in place.
func RedactURLs(q *Plan) {
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

// MapStrings returns a deep copy of p with f applied to every string that
// may hold text from the file or from Plain (enum-like fields such as
// Action and Field are left alone). An error names the field it came from,
// e.g. "changes[2].after.url"; paths are built only then, because the
// renderers' masked copy runs on every rendering of large plans.
func MapStrings(p *Plan, f func(s string) (string, error)) (*Plan, error) {
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
