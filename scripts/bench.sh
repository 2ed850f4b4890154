#!/usr/bin/env bash
# Runs every Go benchmark once (with memory statistics) and prints two
# tables: the micro-benchmarks (ns/op, B/op, allocs/op), then the scale
# benchmarks (BenchmarkScale*), which run one iteration each against
# plain-mock with injected latency and report their own figures, above
# all measured/ideal. Numbers vary with the machine's load: compare runs
# with benchstat, never assert on them in tests.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCHTIME=${BENCHTIME:-1s}
raw=$(mktemp)
scale=$(mktemp)
trap 'rm -f "$raw" "$scale"' EXIT
go test -run='^$' -bench=. -skip='^BenchmarkScale' -benchmem -benchtime="${BENCHTIME}" ./... | tee "$raw" >/dev/null
go test -run='^$' -bench='^BenchmarkScale' -benchmem -benchtime=1x ./... | tee "$scale" >/dev/null
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
echo
# Scale benchmarks: every figure a benchmark reports, in its own units.
awk '
/^pkg: / { pkg = $2; sub(/^github.com\/plainsync\/plainsync\//, "", pkg) }
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name); sub(/^BenchmarkScale/, "", name)
	figs = ""
	for (i = 3; i < NF; i += 2) {
		unit = $(i+1); v = $(i)
		if (unit == "ns/op") { unit = "s"; v = sprintf("%.2f", v / 1e9) }
		if (unit == "B/op") { unit = "MB"; v = sprintf("%.1f", v / 1e6) }
		if (unit == "allocs/op") continue
		figs = figs sprintf("  %s %s", v, unit)
	}
	rows[++n] = sprintf("%-14s %-24s%s", pkg, name, figs)
}
END {
	print "scale (one run each; goals: Plan W=100 measured/ideal <= 2; RateLimit server=450 0 429s and rate/limit >= 0.95;"
	print "       RateLimit server=300 429s <= boundaries; ApplyLimiter default/unlimited <= 1.2;"
	print "       DeliveryRate after1600/first >= 0.7)"
	printf "%-14s %-24s  %s\n", "package", "benchmark", "figures"
	printf "%-14s %-24s  %s\n", "-------", "---------", "-------"
	for (i = 1; i <= n; i++) print rows[i]
	if (n == 0) { print "no scale benchmarks ran"; exit 1 }
}' "$scale"
