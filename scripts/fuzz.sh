#!/usr/bin/env bash
# Runs the loader's fuzz target for a short time: scripts/fuzz.sh [DURATION]
# (default 20s, any `go test -fuzztime` value such as 45s or 1m).
# New crashers land in internal/spec/testdata/fuzz/FuzzLoad/ and become
# regression cases of the ordinary `go test` run once committed.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-20s}"
exec go test -count=1 -run '^$' -fuzz '^FuzzLoad$' -fuzztime "$duration" ./internal/spec/
