#!/usr/bin/env bash
# Runs each fuzz target for a short time: scripts/fuzz.sh [DURATION]
# (default 20s per target, any `go test -fuzztime` value such as 45s or 1m).
# New crashers land in the package's testdata/fuzz/<Target>/ and become
# regression cases of the ordinary `go test` run once committed.
#   FuzzLoad         internal/spec: the loader never panics on any file
#   FuzzRedactURL    internal/secret: a redacted URL shows no secret part
#   FuzzTemplateURL  internal/export: an exported URL loads back to the live one
#   FuzzRead         internal/diff/planfile: the saved-plan reader never panics and
#                    accepts only a plan identical to the recomputed one
#   FuzzParse        webhook: Parse never panics and accepts only Plain-shaped
#                    events (ids, positive attempt number, object payload)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-20s}"
go test -count=1 -run '^$' -fuzz '^FuzzLoad$' -fuzztime "$duration" ./internal/spec/
go test -count=1 -run '^$' -fuzz '^FuzzRedactURL$' -fuzztime "$duration" ./internal/secret/
go test -count=1 -run '^$' -fuzz '^FuzzTemplateURL$' -fuzztime "$duration" ./internal/export/
go test -count=1 -run '^$' -fuzz '^FuzzRead$' -fuzztime "$duration" ./internal/diff/planfile/
go test -count=1 -run '^$' -fuzz '^FuzzParse$' -fuzztime "$duration" ./webhook/
