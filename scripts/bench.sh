#!/usr/bin/env bash
# Runs every Go benchmark once and prints ONE table of what users get.
# The scale benchmarks (BenchmarkScale*) run one iteration each against
# plain-mock with injected latency, through the default rate limiter and,
# for apply, the lease in Plain: each row gives the requests sent as a
# ratio to the command's floor (req/floor) and the time as a ratio to the
# floor's round trips (time/floor; for the limiter, to no limiter at
# all), with its goal. The micro-benchmarks follow in the same table with
# their ns/op, B/op and allocs/op. Numbers vary with the machine's load:
# compare runs with benchstat, never assert on them in tests.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCHTIME=${BENCHTIME:-1s}
raw=$(mktemp)
scale=$(mktemp)
trap 'rm -f "$raw" "$scale"' EXIT
go test -run='^$' -bench='^BenchmarkScale' -benchmem -benchtime=1x ./... | tee "$scale" >/dev/null
go test -run='^$' -bench=. -skip='^BenchmarkScale' -benchmem -benchtime="${BENCHTIME}" ./... | tee "$raw" >/dev/null
awk '
function goal(name) {
	if (name == "Floor/plan") return "req = 1"
	if (name == "Floor/apply-1-create-lease") return "req <= 1.25 (5 of 4)"
	if (name == "Floor/apply-1-create-lock-local") return "req = 1 (2)"
	if (name == "Floor/apply-24-creates-P16") return "req <= 1.04 (28 of 27)"
	if (name == "Floor/drift-health-20-targets") return "req <= 1.5 (3 of 2)"
	if (name == "Floor/plan-20-workspaces") return "time <= 1.6"
	if (name == "Floor/plan-20-workspaces-300ms") return "time <= 1.6"
	if (name ~ /^Plan\/W=100$/) return "time <= 2"
	if (name == "ApplyLimiter") return "time <= 1.2 (vs no limiter)"
	if (name == "RateLimit/server=450") return "0 429s, rate/limit >= 0.95"
	if (name == "RateLimit/server=300") return "429s <= boundaries"
	if (name == "DeliveryRate") return "after1600/first >= 0.7"
	return ""
}
FNR == 1 { file++ }
/^pkg: / { pkg = $2; sub(/^github.com\/plainsync\/plainsync\//, "", pkg); sub(/^internal\//, "", pkg) }
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
	scale = (file == 1)
	if (scale) sub(/^Scale/, "", name)
	req = "-"; tim = "-"; figs = ""
	for (i = 3; i < NF; i += 2) {
		v = $(i); unit = $(i+1)
		if (unit == "req/floor") { req = sprintf("%.2f", v); continue }
		if (unit == "time/floor" || unit == "measured/ideal" || unit == "default/unlimited") { tim = sprintf("%.2f", v); continue }
		if (unit ~ /-ms$/) continue # absolute times: the ratios say it
		if (scale && unit == "ns/op") { unit = "s"; v = sprintf("%.2f", v / 1e9) }
		if (scale && unit == "B/op") { unit = "MB"; v = sprintf("%.1f", v / 1e6) }
		if (scale && (unit == "allocs/op" || unit == "s" || unit == "MB") && name !~ /^DiffRender/) continue
		figs = figs sprintf("%s %s  ", v + 0, unit)
	}
	row = sprintf("%-16s %-32s %9s %10s  %-27s %s", pkg, name, req, tim, goal(name), figs)
	# Whole commands (Floor/*) first, then the other scale rows, then
	# the micro-benchmarks.
	if (name ~ /^Floor\//) floor[++nf] = row; else rows[++n] = row
}
END {
	print "what users get: plain-mock at 100 ms a request, the default rate limiter, --lock plain unless named;"
	print "req/floor = requests sent / the fewest any client could send; time/floor = time / the floor'"'"'s round trips"
	printf "%-16s %-32s %9s %10s  %-27s %s\n", "package", "benchmark", "req/floor", "time/floor", "goal", "other figures"
	printf "%-16s %-32s %9s %10s  %-27s %s\n", "-------", "---------", "---------", "----------", "----", "-------------"
	for (i = 1; i <= nf; i++) print floor[i]
	for (i = 1; i <= n; i++) print rows[i]
	if (nf + n == 0) { print "no benchmarks ran"; exit 1 }
}' "$scale" "$raw"
