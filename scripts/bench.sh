#!/usr/bin/env bash
# Runs every Go benchmark once (with memory statistics) and prints a table.
# Numbers vary with the machine's load: compare runs with benchstat, never
# assert on them in tests.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCHTIME=${BENCHTIME:-1s}
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
go test -run='^$' -bench=. -benchmem -benchtime="${BENCHTIME}" ./... | tee "$raw" >/dev/null
awk '
/^pkg: / { pkg = $2; sub(/^github.com\/plainsync\/plainsync\//, "", pkg) }
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	ns = ""; b = ""; a = ""
	for (i = 2; i <= NF; i++) {
		if ($(i) == "ns/op") ns = $(i-1)
		if ($(i) == "B/op") b = $(i-1)
		if ($(i) == "allocs/op") a = $(i-1)
	}
	rows[++n] = sprintf("%-22s %-34s %14s %14s %12s", pkg, name, ns, b, a)
}
END {
	printf "%-22s %-34s %14s %14s %12s\n", "package", "benchmark", "ns/op", "B/op", "allocs/op"
	printf "%-22s %-34s %14s %14s %12s\n", "-------", "---------", "-----", "----", "---------"
	for (i = 1; i <= n; i++) print rows[i]
	if (n == 0) { print "no benchmarks ran"; exit 1 }
}' "$raw"
