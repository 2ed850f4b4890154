package diff

import (
	"slices"

	"github.com/plainsync/plainsync/internal/spec"
)

// warnDeprecatedLive warns about live targets that stay pinned to a
// version Plain marks deprecated (webhookVersions' isDeprecated): managed
// targets whose file gives no version (their version is left alone) and
// unmanaged ones in scope. A file that pins a deprecated version already
// gets a warning at that line (resolve); a change that moves a target off
// one fixes it.
func (c *computer) warnDeprecatedLive(changes []Change) {
	deprecated := map[string]bool{}
	for _, v := range c.live.Versions {
		if v.IsDeprecated {
			deprecated[v.Version] = true
		}
	}
	latest := c.live.LatestVersion()
	for _, ch := range changes {
		if ch.Before == nil || !deprecated[ch.Before.Version] || ch.Action == ActionDelete || ch.Action == ActionCreate {
			continue
		}
		if ch.After != nil && ch.After.Version != ch.Before.Version {
			continue // the plan moves it off
		}
		if ch.After != nil && slices.ContainsFunc(c.d.Webhooks, func(w spec.Webhook) bool {
			return w.Pos == ch.Pos && w.WebhookVersion.Value != ""
		}) {
			continue // warned at the file's version
		}
		fix := "pin it to a current version in the file"
		if ch.After == nil {
			fix = "manage it in the file with a current version, or move it in Plain"
		}
		if latest != "" {
			fix += " (the latest is \"" + latest + "\")"
		}
		at := ch.Pos
		if at.File == "" {
			at.File = c.d.File // an unmanaged target: the file it is unmanaged in
		}
		c.warnf(at, "live target %q (%s) is pinned to webhook version %q, which Plain marks deprecated; %s", ch.Name, ch.TargetID, ch.Before.Version, fix)
	}
}
