#!/usr/bin/env bash
# Checks a release directory built by scripts/release (make release-snapshot,
# or the release workflow):
#   - it holds exactly the 8 expected archives and checksums.txt;
#   - every archive matches its line in checksums.txt;
#   - every archive holds LICENSE, README.md, plainsync and plain-mock;
#   - the build is reproducible: the commit's sources, unpacked at another
#     path and built with an empty Go build cache, give a byte-identical
#     linux/amd64 archive.
# Usage: scripts/check-release.sh DIST VERSION COMMIT   (SOURCE_DATE_EPOCH set)
set -euo pipefail
cd "$(dirname "$0")/.."
dist=${1:?usage: check-release.sh DIST VERSION COMMIT}
version=${2:?version}
commit=${3:?commit}
: "${SOURCE_DATE_EPOCH:?set SOURCE_DATE_EPOCH to the commit time}"
number=${version#v}

fail() { echo "check-release: $*" >&2; exit 1; }

want=()
for t in linux_amd64 linux_arm64 linux_arm darwin_amd64 darwin_arm64 freebsd_amd64; do
	want+=("plainsync_${number}_${t}.tar.gz")
done
for t in windows_amd64 windows_arm64; do
	want+=("plainsync_${number}_${t}.zip")
done
have=$(cd "$dist" && ls -A | sort)
expect=$(printf '%s\n' "${want[@]}" checksums.txt | sort)
[[ "$have" == "$expect" ]] || fail "$dist holds
$have
want
$expect"

(cd "$dist" && sha256sum --check --strict --quiet checksums.txt) || fail "an archive does not match checksums.txt"
[[ $(wc -l <"$dist/checksums.txt") -eq 8 ]] || fail "checksums.txt does not list 8 archives"

for a in "${want[@]}"; do
	exe=""
	if [[ "$a" == *.zip ]]; then
		list=$(unzip -Z1 "$dist/$a" | sort)
		exe=".exe"
	else
		list=$(tar -tzf "$dist/$a" | sort)
	fi
	expected=$(printf '%s\n' LICENSE README.md "plain-mock$exe" "plainsync$exe" | sort)
	[[ "$list" == "$expected" ]] || fail "$a holds
$list"
done

# Rebuild from the committed sources elsewhere, with nothing cached.
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
git archive --format=tar HEAD | tar -x -C "$tmp" -f -
if ! git diff --quiet HEAD -- . ':!dist'; then
	echo "check-release: note: the working tree differs from HEAD; the rebuild uses HEAD" >&2
fi
(cd "$tmp" && GOCACHE="$tmp/.gocache" GOFLAGS=-modcacherw go run ./scripts/release -version "$version" -commit "$commit" \
	-epoch "$SOURCE_DATE_EPOCH" -targets linux/amd64 -out "$tmp/dist" >"$tmp/rebuild.log" 2>&1) || { cat "$tmp/rebuild.log" >&2; fail "the rebuild failed"; }
again=$(cat "$tmp/dist/checksums.txt")
first=$(grep " plainsync_${number}_linux_amd64.tar.gz\$" "$dist/checksums.txt")
[[ "$again" == "$first" ]] || fail "not reproducible: a clean rebuild gives
$again
but $dist has
$first"
echo "check-release: $dist holds 8 verified archives; a clean rebuild of linux/amd64 is byte-identical"
