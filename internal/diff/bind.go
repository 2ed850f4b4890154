package diff

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/plainsync/plainsync/internal/inert"
	"sort"
	"strings"
)

// A saved plan is bound to its inputs three ways. CompareSaved checks that
// the plan is exactly the one plainsync computes now from the same file and
// the current live state; the file digest and the live fingerprint make the
// message precise when an input moved; and SignSaved's HMAC, keyed with the
// API key, covers what recomputation cannot see: the options the plan was
// made with (--prune). Apply then executes the recomputed plan, not the
// saved one.

// signaturePrefix names the MAC scheme, so that a later change of scheme
// is refused instead of mis-verified.
const signaturePrefix = "hmac-sha256:"

// signingContext keeps the MAC of a plan from being valid for anything
// else keyed with the same API key.
const signingContext = "plainsync saved plan v1\n"

// SignSaved returns the signature of a saved plan: an HMAC-SHA256 keyed
// with key over the plan's JSON with Signature empty. p must be in saved
// form (as ReadSaved returns it, or as MarshalSaved writes it).
func SignSaved(p *Plan, key string) (string, error) {
	if key == "" {
		return "", errors.New("sign saved plan: no API key")
	}
	q := *p
	q.Signature = ""
	q.Secrets = nil
	data, err := json.Marshal(&q)
	if err != nil {
		return "", fmt.Errorf("sign saved plan: %w", err)
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(signingContext))
	mac.Write(data)
	return signaturePrefix + hex.EncodeToString(mac.Sum(nil)), nil
}

// VerifySignature checks the signature SignSaved wrote into saved.
func VerifySignature(saved *Plan, key string) error {
	want, err := SignSaved(saved, key)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(saved.Signature, signaturePrefix) {
		return errors.New("the plan is not signed: it was not written by this version of plainsync")
	}
	if !hmac.Equal([]byte(saved.Signature), []byte(want)) {
		return errors.New("the plan's signature does not match: it was edited after plainsync wrote it, or it was made with another API key")
	}
	return nil
}

// CompareSaved reports how saved (as ReadSaved returns it) differs from
// fresh, the plan computed now from the same file and live state: nil when
// the two are identical change by change (actions, target ids, every
// field), else an error listing each difference by change and field. The
// comparison is in saved form on both sides, so secret values never take
// part and the message holds ${VAR} references at most. Warnings and the
// signature are not compared.
func CompareSaved(saved, fresh *Plan) error {
	if saved == nil || fresh == nil {
		return errors.New("compare saved plan: no plan")
	}
	data, err := MarshalSaved(fresh)
	if err != nil {
		return fmt.Errorf("compare saved plan: %w", err)
	}
	f, err := ReadSaved(data)
	if err != nil {
		return fmt.Errorf("compare saved plan: internal error: %w", err)
	}
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }

	head := func(p *Plan) map[string]any {
		q := *p
		q.Changes, q.Warnings, q.Signature, q.Secrets = nil, nil, "", nil
		return toTree(&q)
	}
	for _, path := range treeDiff("", head(saved), head(f)) {
		add("%s differs", path)
	}
	n := max(len(saved.Changes), len(f.Changes))
	for i := 0; i < n; i++ {
		switch {
		case i >= len(f.Changes):
			c := saved.Changes[i]
			add("change %d (%s %q%s) is not in the plan the file and Plain imply", i+1, c.Action, c.Name, idNote(c.TargetID))
		case i >= len(saved.Changes):
			c := f.Changes[i]
			add("the plan lacks change %d (%s %q%s) that the file and Plain imply", i+1, c.Action, c.Name, idNote(c.TargetID))
		default:
			s, c := saved.Changes[i], f.Changes[i]
			paths := treeDiff("", toTree(&s), toTree(&c))
			if len(paths) == 0 {
				continue
			}
			msg := fmt.Sprintf("change %d (%s %q%s): %s differs from what the file and Plain imply", i+1, s.Action, s.Name, idNote(s.TargetID), strings.Join(paths, ", "))
			if s.Action != c.Action || s.Name != c.Name || s.TargetID != c.TargetID {
				msg += fmt.Sprintf(" (%s %q%s)", c.Action, c.Name, idNote(c.TargetID))
			}
			add("%s", msg)
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	const show = 10
	if len(diffs) > show {
		diffs = append(diffs[:show], fmt.Sprintf("and %d more differences", len(diffs)-show))
	}
	return fmt.Errorf("the saved plan is not the plan the file and the live workspace imply (edited?):\n  %s", strings.Join(diffs, "\n  "))
}

func idNote(id string) string {
	if id == "" {
		return ""
	}
	return ", " + id
}

// toTree turns v into the generic JSON tree its encoding describes.
func toTree(v any) map[string]any {
	data, _ := json.Marshal(v)
	var out map[string]any
	_ = json.Unmarshal(data, &out)
	return out
}

// treeDiff lists the JSON paths ("after.url", "fields[1].added") at which a
// and b differ, sorted.
func treeDiff(prefix string, a, b any) []string {
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			return []string{orRoot(prefix)}
		}
		keys := map[string]bool{}
		for k := range av {
			keys[k] = true
		}
		for k := range bv {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var out []string
		for _, k := range sorted {
			out = append(out, treeDiff(join(k), av[k], bv[k])...)
		}
		return out
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return []string{orRoot(prefix)}
		}
		var out []string
		for i := range av {
			out = append(out, treeDiff(fmt.Sprintf("%s[%d]", prefix, i), av[i], bv[i])...)
		}
		return out
	default:
		if a != b {
			return []string{orRoot(prefix)}
		}
		return nil
	}
}

func orRoot(p string) string {
	if p == "" {
		return "the plan"
	}
	return p
}

// MarshalSigned is MarshalSaved with the plan signed by key (the API key
// the plan was made with): what "plan --out" writes.
func MarshalSigned(p *Plan, key string) ([]byte, error) {
	data, err := MarshalSaved(p)
	if err != nil {
		return nil, err
	}
	q, err := ReadSaved(data)
	if err != nil {
		return nil, fmt.Errorf("save plan: internal error: %w", err)
	}
	if q.Signature, err = SignSaved(q, key); err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(q, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("save plan: encode JSON: %w", err)
	}
	return append(inert.JSON(out), '\n'), nil
}
