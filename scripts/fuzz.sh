#!/usr/bin/env bash
# Runs each fuzz target for a short time: scripts/fuzz.sh [DURATION]
# (default 20s per target, any `go test -fuzztime` value such as 45s or 1m).
# Targets: the desired-state file loader (FuzzLoad) and the saved-plan
# reader (FuzzReadSaved). New crashers land in the package's
# testdata/fuzz/<Target>/ and become regression cases of the ordinary
# `go test` run once committed.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-20s}"
go test -count=1 -run '^$' -fuzz '^FuzzLoad$' -fuzztime "$duration" ./internal/spec/
go test -count=1 -run '^$' -fuzz '^FuzzReadSaved$' -fuzztime "$duration" ./internal/diff/
