#!/usr/bin/env bash
# make lint's workflow check: actionlint (pinned) on .github/workflows and
# on the example workflows. actionlint checks a step's with: keys against an
# action's inputs only for a local action (uses: ./), so the examples are
# also linted as a copy in which "uses: plainsync/plainsync@…" reads
# "uses: ./", beside this checkout's action.yml: an input the examples use
# that action.yml does not declare (or a required one they leave out) fails.
set -euo pipefail
cd "$(dirname "$0")/.."
ACTIONLINT_VERSION=v1.7.12
actionlint=(go run "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION")

"${actionlint[@]}" .github/workflows/*.yml examples/workflows/*.yml

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/.github/workflows"
cp action.yml "$tmp/action.yml"
for f in examples/workflows/*.yml; do
	sed -E 's#uses: plainsync/plainsync@[^ ]+#uses: ./#' "$f" >"$tmp/.github/workflows/$(basename "$f")"
	if ! grep -q 'uses: \./$\|uses: \./ ' "$tmp/.github/workflows/$(basename "$f")"; then
		echo "lint-workflows: $f does not use plainsync/plainsync@…" >&2
		exit 1
	fi
done
(cd "$tmp" && git init -q . && "${actionlint[@]}" .github/workflows/*.yml) || {
	echo "lint-workflows: the examples disagree with action.yml (paths above are the examples' copies)" >&2
	exit 1
}
echo "actionlint: workflows and examples OK (examples checked against action.yml's inputs)"
