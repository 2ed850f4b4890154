#!/usr/bin/env bash
# Installs plainsync for the GitHub Action (action.yml's install step).
#
# A release version is downloaded, never compiled: the archive for this
# runner's OS and architecture and the release's checksums.txt are fetched,
# the archive's SHA-256 is compared with its line in checksums.txt, and only
# an archive that matches is unpacked, into the runner's tool cache
# ($RUNNER_TOOL_CACHE/plainsync/VERSION/ARCH), so that later jobs on the same
# runner reuse it. Nothing from the archive runs before that check.
#
# Environment (set by action.yml from its inputs):
#   PLAINSYNC_VERSION     "auto" (default): the release the action was pinned
#                         to (github.action_ref) when that is a version tag,
#                         else "source"; "source": go build this action's
#                         checkout (needs Go); or a release such as v1.2.3.
#   PLAINSYNC_ACTION_REF  github.action_ref.
#   PLAINSYNC_RELEASE_URL where releases live (default GitHub's); https only,
#                         plain http only for a loopback host (tests).
# Writes the outputs path (the binary) and version, and adds the binary's
# directory to $GITHUB_PATH.
set -euo pipefail

fail() {
	echo "::error title=plainsync install::$*" >&2
	exit 1
}

version=${PLAINSYNC_VERSION:-auto}
ref=${PLAINSYNC_ACTION_REF:-}
release_url=${PLAINSYNC_RELEASE_URL:-https://github.com/plainsync/plainsync/releases/download}
release_url=${release_url%/}
semver='^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'

if [[ "$version" == auto ]]; then
	if [[ "$ref" =~ $semver ]]; then
		version=$ref
	else
		version=source
	fi
fi

exe=""
if [[ "${RUNNER_OS:-}" == Windows ]]; then exe=".exe"; fi

output() { echo "$1=$2" >>"$GITHUB_OUTPUT"; }

if [[ "$version" == source ]]; then
	if ! command -v go >/dev/null 2>&1; then
		fail "version \"source\" builds plainsync with Go, which this runner lacks: pin the action to a release tag (uses: plainsync/plainsync@vX.Y.Z), set the input version to a release such as v1.2.3, or add actions/setup-go"
	fi
	bin_dir="${RUNNER_TEMP:?}/plainsync-bin"
	mkdir -p "$bin_dir"
	(cd "${GITHUB_ACTION_PATH:?}" && go build -trimpath \
		-ldflags "-X github.com/plainsync/plainsync/internal/version.Version=source -X github.com/plainsync/plainsync/internal/version.Commit=${ref:-unknown}" \
		-o "$bin_dir/plainsync$exe" ./cmd/plainsync)
	echo "$bin_dir" >>"$GITHUB_PATH"
	output path "$bin_dir/plainsync$exe"
	output version source
	exit 0
fi

if ! [[ "$version" =~ $semver ]]; then
	fail "input version must be \"auto\", \"source\" or a release tag such as v1.2.3, not \"$version\""
fi

# The token-free download still must not be redirected to anything but
# https: a man in the middle could serve both the archive and its checksum.
case "$release_url" in
https://*) ;;
http://127.0.0.1[:/]* | http://localhost[:/]* | http://\[::1\][:/]*) ;;
*) fail "release URL \"$release_url\" must use https (plain http only for a loopback host)" ;;
esac

case "${RUNNER_OS:-$(uname -s)}" in
Linux) os=linux ;;
macOS | Darwin) os=darwin ;;
Windows | MINGW* | MSYS* | CYGWIN*) os=windows ;;
FreeBSD) os=freebsd ;;
*) fail "no plainsync release for the runner OS \"${RUNNER_OS:-$(uname -s)}\"; use version: source" ;;
esac
case "${RUNNER_ARCH:-$(uname -m)}" in
X64 | x86_64 | amd64) arch=amd64 ;;
ARM64 | arm64 | aarch64) arch=arm64 ;;
ARM | armv7l | armv7 | arm) arch=arm ;;
*) fail "no plainsync release for the runner architecture \"${RUNNER_ARCH:-$(uname -m)}\"; use version: source" ;;
esac

number=${version#v}
if [[ "$os" == windows ]]; then ext=zip; else ext=tar.gz; fi
archive="plainsync_${number}_${os}_${arch}.${ext}"

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d' ' -f1
	else
		shasum -a 256 "$1" | cut -d' ' -f1
	fi
}

cache_root="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:?}/tool-cache}/plainsync/$number"
cache="$cache_root/$arch"
bin="$cache/plainsync$exe"

# A cached copy counts only if it is complete (the marker is written last)
# and still the binary that was verified, in case the cache is shared.
if [[ -f "$cache_root/$arch.complete" && -f "$bin" && -f "$cache/.sha256" ]] &&
	[[ "$(sha256 "$bin")" == "$(cat "$cache/.sha256")" ]]; then
	echo "plainsync $version: using the verified copy in the tool cache ($cache)"
else
	tmp=$(mktemp -d "${RUNNER_TEMP:-/tmp}/plainsync-install.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	curl_args=(--fail --silent --show-error --location --retry 3 --max-time 120)
	if [[ "$release_url" == https://* ]]; then curl_args+=(--proto '=https' --proto-redir '=https'); fi
	echo "plainsync $version: downloading $archive"
	curl "${curl_args[@]}" -o "$tmp/checksums.txt" "$release_url/$version/checksums.txt" ||
		fail "download $release_url/$version/checksums.txt failed; is $version a plainsync release?"
	curl "${curl_args[@]}" -o "$tmp/$archive" "$release_url/$version/$archive" ||
		fail "download $release_url/$version/$archive failed"
	want=$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1; exit }' "$tmp/checksums.txt")
	if [[ -z "$want" ]]; then
		fail "checksums.txt of $version lists no $archive; refusing to install it"
	fi
	got=$(sha256 "$tmp/$archive")
	if [[ "$got" != "$want" ]]; then
		fail "$archive does not match checksums.txt of $version (sha256 $got, want $want): refusing to install it"
	fi
	echo "plainsync $version: sha256 $got matches checksums.txt"
	mkdir -p "$tmp/unpacked"
	if [[ "$ext" == zip ]]; then
		if command -v unzip >/dev/null 2>&1; then
			unzip -q "$tmp/$archive" -d "$tmp/unpacked"
		else
			powershell -NoProfile -Command "Expand-Archive -LiteralPath '$tmp/$archive' -DestinationPath '$tmp/unpacked'"
		fi
	else
		tar -xzf "$tmp/$archive" -C "$tmp/unpacked"
	fi
	[[ -f "$tmp/unpacked/plainsync$exe" ]] || fail "$archive holds no plainsync$exe"
	rm -rf "$cache" "$cache_root/$arch.complete"
	mkdir -p "$cache_root"
	mv "$tmp/unpacked" "$cache"
	sha256 "$bin" >"$cache/.sha256"
	touch "$cache_root/$arch.complete"
fi

"$bin" --version
echo "$cache" >>"$GITHUB_PATH"
output path "$bin"
output version "$version"
