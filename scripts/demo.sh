#!/usr/bin/env bash
# make demo: the main job end to end against a seeded plain-mock workspace on
# a free loopback port. Needs no network and no API key from the user.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-$PWD/bin}
work=$(mktemp -d)
mock_pid=
receiver_pid=
cleanup() {
	if [[ -n "$receiver_pid" ]]; then kill "$receiver_pid" 2>/dev/null || true; wait "$receiver_pid" 2>/dev/null || true; fi
	if [[ -n "$mock_pid" ]]; then kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then bold=$'\033[1m' reset=$'\033[0m'; else bold='' reset=''; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$reset"; }

# The seed is copied: the demo never changes files in the repository.
cp examples/demo/workspace.json "$work/workspace.json"
cp examples/demo/plainsync.yaml "$work/plainsync.yaml"

step "Starting plain-mock (a local stand-in for Plain's API) with a seeded workspace"
# The workspace's HMAC secret signs real deliveries (step 7); not a real secret.
export DEMO_HMAC_SECRET=whsec_demo_not_a_real_secret
"$BIN/plain-mock" --addr 127.0.0.1:0 --state "$work/workspace.json" \
	--key plainApiKey_demo --url-file "$work/url" --hmac-secret "$DEMO_HMAC_SECRET" >"$work/mock.log" 2>&1 &
mock_pid=$!
for _ in $(seq 1 100); do
	[[ -s "$work/url" ]] && break
	if ! kill -0 "$mock_pid" 2>/dev/null; then cat "$work/mock.log"; echo "plain-mock failed to start" >&2; exit 1; fi
	sleep 0.05
done
[[ -s "$work/url" ]] || { echo "plain-mock did not report its URL" >&2; exit 1; }
export PLAIN_API_URL
PLAIN_API_URL=$(cat "$work/url")
export PLAIN_API_KEY=plainApiKey_demo
# The token is a secret: plainsync shows ${CRM_WEBHOOK_TOKEN} wherever it would appear.
export CRM_WEBHOOK_TOKEN=demo-token-not-a-real-secret
echo "plain-mock is serving $PLAIN_API_URL"

ps() { echo "\$ plainsync $*"; "$BIN/plainsync" "$@"; }
cd "$work"

step "1. Validate the desired-state file (offline)"
ps validate -f plainsync.yaml

step "2. The live targets before"
ps targets

step "3. Plan: what apply would change"
ps plan -f plainsync.yaml

step "4. Apply (non-interactive, as in CI)"
ps apply -f plainsync.yaml --auto-approve

step "5. Drift check, as a nightly cron would run it (exit 0: in sync)"
ps drift -f plainsync.yaml

step "6. The live targets after"
ps targets

step "7. A real, signed delivery to a local receiver, and the health line it produces"
# plain-mock receive is a tiny loopback receiver that checks each delivery with package webhook
# (github.com/plainsync/plainsync/webhook: signature, body, attempt timestamp), as a Go receiver would.
"$BIN/plain-mock" receive --url-file "$work/receiver.url" --secret-env DEMO_HMAC_SECRET >"$work/receiver.log" 2>&1 &
receiver_pid=$!
for _ in $(seq 1 100); do [[ -s "$work/receiver.url" ]] && break; sleep 0.05; done
[[ -s "$work/receiver.url" ]] || { cat "$work/receiver.log"; echo "the receiver did not start" >&2; exit 1; }
# A scoped file owns only local-receiver, so it can sit beside plainsync.yaml.
cat >receiver.yaml <<YAML
version: 1
scope: ["local-receiver"]
webhooks:
  - name: local-receiver
    url: $(cat "$work/receiver.url")plain
    events: [thread.thread_created]
    webhookVersion: "2026-02-27"
YAML
ps apply -f receiver.yaml --auto-approve
echo "\$ plain-mock emit thread.thread_created"
"$BIN/plain-mock" emit thread.thread_created --url-file "$work/url"
echo "(crm-sync and support-analytics subscribe too, but point off this machine: plain-mock records"
echo " an ERROR attempt, ENOTLOOPBACK, for each and never dials them.)"
echo "receiver log:"
sed -n 's/^received/  received/p' "$work/receiver.log"
ps drift -f receiver.yaml --health-window 1h --min-success-rate 0.9

printf '\nDone: plainsync created support-analytics, repaired billing-events, left crm-sync alone\nand kept the unmanaged manual-debugging target (prune is off); then a real signed event\nreached a local receiver and its delivery counted towards local-receiver'"'"'s health.\n'
