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
# With version auto, the ref the action was pinned to (github.action_ref)
# picks the release: a full version tag (v1.2.3) is that release; any other
# ref (a major tag such as v1 or v1.2, a branch, a commit SHA) is looked up
# with git ls-remote in the action's repository, which needs no token and
# no API: the commit the ref names, then the highest version tag vX.Y.Z on
# that very commit (a release before a pre-release). Only when no version
# tag is on it, or the lookup fails, is this checkout built from source.
#
# Environment (set by action.yml from its inputs):
#   PLAINSYNC_VERSION      "auto" (default): the release the action was
#                          pinned to, as above, else "source"; "source": go
#                          build this action's checkout (needs Go); or a
#                          release such as v1.2.3.
#   PLAINSYNC_ACTION_REF   github.action_ref.
#   PLAINSYNC_ACTION_REPO  github.action_repository (owner/name), where
#                          version auto looks the ref up, at
#                          $GITHUB_SERVER_URL/OWNER/NAME.git.
#   PLAINSYNC_ACTION_GIT_URL  overrides that URL: https, or a local
#                          repository's absolute path or file:// URL (tests).
#   PLAINSYNC_RELEASE_URL  where releases live (default GitHub's); https only,
#                          plain http only for a loopback host (tests).
# Writes the outputs path (the binary) and version, and adds the binary's
# directory to $GITHUB_PATH. On failure it writes the output error, the
# message, for the pull-request comment that replaces an earlier plan.
set -Eeuo pipefail

# wf_escape escapes a workflow command's message, so that no input can end
# the line and start a command of its own.
wf_escape() {
	local s=$1
	s=${s//'%'/%25}
	s=${s//$'\r'/%0D}
	s=${s//$'\n'/%0A}
	printf '%s' "$s"
}

# fail is the one way this script fails: the annotation, and the message
# as the step output error.
fail() {
	trap - ERR
	local msg="$*"
	# In a command substitution, the shell that ran it reports the failure.
	if ((BASH_SUBSHELL > 0)); then
		echo "plainsync install: $msg" >&2
		exit 1
	fi
	echo "::error title=plainsync install::$(wf_escape "$msg")" >&2
	if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
		local delim="plainsync_error_${RANDOM}${RANDOM}${RANDOM}"
		while [[ "$msg" == *"$delim"* ]]; do delim+=$RANDOM; done
		printf 'error<<%s\n%s\n%s\n' "$delim" "$msg" "$delim" >>"$GITHUB_OUTPUT" || true
	fi
	exit 1
}
# Anything else that fails still goes through fail (-E: in functions and
# command substitutions too).
trap 'fail "unexpected failure (exit $?) at scripts/install.sh line $LINENO: $BASH_COMMAND"' ERR

notice() { echo "::notice title=plainsync install::$(wf_escape "$*")"; }

version=${PLAINSYNC_VERSION:-auto}
ref=${PLAINSYNC_ACTION_REF:-}
release_url=${PLAINSYNC_RELEASE_URL:-https://github.com/plainsync/plainsync/releases/download}
release_url=${release_url%/}
semver='^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'

# valid_ref: a tag, branch or commit SHA as git allows them, and nothing a
# shell or git could read as anything else (no option, space, quote, $, ..).
valid_ref() {
	local r=$1
	[[ ${#r} -ge 1 && ${#r} -le 255 ]] || return 1
	[[ "$r" =~ ^[A-Za-z0-9][A-Za-z0-9._/+-]*$ ]] || return 1
	case "$r" in
	*..* | *//* | */ | *. | *.lock | *.lock/* | */.* | */-*) return 1 ;;
	esac
}

# action_git_url prints the URL of the action's repository for ls-remote,
# or fails with why not.
action_git_url() {
	local u=${PLAINSYNC_ACTION_GIT_URL:-}
	if [[ -n "$u" ]]; then
		if [[ "$u" =~ ^(/|file:///)[A-Za-z0-9._/+@=,~-]+$ || "$u" =~ ^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/+-]*)?$ ]] && [[ "$u" != *..* ]]; then
			printf '%s' "$u"
			return 0
		fi
		echo "PLAINSYNC_ACTION_GIT_URL is neither an https URL nor a local repository's absolute path"
		return 1
	fi
	local repo=${PLAINSYNC_ACTION_REPO:-}
	if [[ -z "$repo" ]]; then
		echo "the action's repository is unknown (github.action_repository is empty)"
		return 1
	fi
	if ! [[ "$repo" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.][A-Za-z0-9_.-]*$ ]] || [[ "$repo" == *..* ]]; then
		echo "the action's repository \"$repo\" is not OWNER/NAME"
		return 1
	fi
	local server=${GITHUB_SERVER_URL:-https://github.com}
	server=${server%/}
	if ! [[ "$server" =~ ^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?$ ]]; then
		echo "GITHUB_SERVER_URL \"$server\" is not an https URL"
		return 1
	fi
	printf '%s' "$server/$repo.git"
}

# pick_release reads git ls-remote output and prints "COMMIT TAG": the
# commit that ref names (a tag, peeled; else a branch; a full SHA is
# itself) and the highest version tag whose peeled commit it is, releases
# before pre-releases; "COMMIT" alone when no version tag is on it; nothing
# when the ref names nothing.
pick_release() {
	awk -v ref="$1" '
	function isnum(s) { return s ~ /^[0-9]+$/ }
	# cmpid compares two pre-release identifiers the semver way.
	function cmpid(a, b) {
		if (isnum(a) && isnum(b)) return (a + 0 < b + 0) ? -1 : (a + 0 > b + 0)
		if (isnum(a)) return -1
		if (isnum(b)) return 1
		return (a < b) ? -1 : (a > b)
	}
	# cmpver orders vX.Y.Z[-PRE]: every release above every pre-release,
	# then by semver precedence.
	function cmpver(a, b,    pa, pb, ca, cb, na, nb, i, c, ia, ib, ka, kb) {
		a = substr(a, 2); b = substr(b, 2)
		pa = ""; pb = ""
		if ((i = index(a, "-")) > 0) { pa = substr(a, i + 1); a = substr(a, 1, i - 1) }
		if ((i = index(b, "-")) > 0) { pb = substr(b, i + 1); b = substr(b, 1, i - 1) }
		if ((pa == "") != (pb == "")) return (pa == "") ? 1 : -1
		split(a, ca, "."); split(b, cb, ".")
		for (i = 1; i <= 3; i++) if (ca[i] + 0 != cb[i] + 0) return (ca[i] + 0 < cb[i] + 0) ? -1 : 1
		if (pa == pb) return 0
		na = split(pa, ia, "."); nb = split(pb, ib, ".")
		for (i = 1; i <= na && i <= nb; i++) if ((c = cmpid(ia[i], ib[i])) != 0) return c
		return (na < nb) ? -1 : (na > nb)
	}
	$2 ~ /^refs\/tags\// {
		t = substr($2, 11)
		if (t ~ /\^\{\}$/) peeled[substr(t, 1, length(t) - 3)] = tolower($1)
		else direct[t] = tolower($1)
		next
	}
	$2 ~ /^refs\/heads\// { heads[substr($2, 12)] = tolower($1) }
	END {
		commit = ""
		if (ref ~ /^[0-9A-Fa-f]+$/ && length(ref) == 40) commit = tolower(ref)
		else if (ref in peeled) commit = peeled[ref]
		else if (ref in direct) commit = direct[ref]
		else if (ref in heads) commit = heads[ref]
		if (commit == "") exit
		best = ""
		for (t in direct) {
			if (t !~ /^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/) continue
			c = (t in peeled) ? peeled[t] : direct[t]
			if (c == commit && (best == "" || cmpver(t, best) > 0)) best = t
		}
		print commit (best == "" ? "" : " " best)
	}'
}

# resolve_auto sets version for version auto, and why when it falls back
# to source.
why=""
resolve_auto() {
	if [[ "$ref" =~ $semver ]]; then
		version=$ref
		return
	fi
	version=source
	if [[ -z "$ref" ]]; then
		why="the action is not pinned to a ref (a local action, uses: ./)"
		return
	fi
	if ! valid_ref "$ref"; then
		why="the action ref \"$ref\" is not a valid tag, branch or commit SHA, so it was not looked up"
		return
	fi
	local url listing picked commit tag errs
	# Releases are downloaded from plainsync/plainsync on github.com: a
	# fork's or a mirror's tag of the same name may be on other code, so
	# only that repository's refs are looked up (unless both the releases
	# and the repository are given, as tests and private mirrors do).
	if [[ -z "${PLAINSYNC_RELEASE_URL:-}" && -z "${PLAINSYNC_ACTION_GIT_URL:-}" ]]; then
		local repo_lc server
		repo_lc=$(printf '%s' "${PLAINSYNC_ACTION_REPO:-}" | tr '[:upper:]' '[:lower:]')
		server=${GITHUB_SERVER_URL:-https://github.com}
		if [[ "$repo_lc" != plainsync/plainsync || "${server%/}" != https://github.com ]]; then
			why="the action comes from ${server%/}/${PLAINSYNC_ACTION_REPO:-(unknown)}, not https://github.com/plainsync/plainsync whose releases are downloaded, so a release named like its ref might not be its code"
			return
		fi
	fi
	if ! url=$(action_git_url); then
		why="cannot look up the release the action ref \"$ref\" points at: $url"
		return
	fi
	if ! command -v git >/dev/null 2>&1; then
		why="cannot look up the release the action ref \"$ref\" points at: git is not installed"
		return
	fi
	# Only https and local repositories; never a prompt for credentials.
	errs=$(mktemp "${RUNNER_TEMP:-/tmp}/plainsync-ls-remote.XXXXXX")
	if ! listing=$(GIT_TERMINAL_PROMPT=0 GIT_ALLOW_PROTOCOL=https:file \
		git -c http.lowSpeedLimit=1 -c http.lowSpeedTime=30 ls-remote --tags --heads -- "$url" 2>"$errs"); then
		local msg
		msg=$({ grep -v '^[[:space:]]*$' "$errs" || true; } | head -n 3 | tr '\n' ' ' | sed 's/ $//')
		why="cannot look up the release the action ref \"$ref\" points at: git ls-remote $url failed: ${msg:-(git said nothing)}"
		rm -f "$errs"
		return
	fi
	rm -f "$errs"
	picked=$(printf '%s\n' "$listing" | pick_release "$ref")
	commit=${picked%% *}
	tag=""
	if [[ "$picked" == *" "* ]]; then tag=${picked#* }; fi
	if [[ -z "$commit" ]]; then
		why="the action ref \"$ref\" is no tag, branch or full commit SHA of $url, so no release was found for it"
	elif [[ -z "$tag" ]]; then
		why="no release tag (vX.Y.Z) of $url is on commit $commit, which the action ref \"$ref\" names"
	elif ! [[ "$tag" =~ $semver ]]; then
		why="internal error: picked tag \"$tag\""
	else
		version=$tag
		echo "plainsync: the action ref $ref is commit $commit, release $tag"
	fi
}

if [[ "$version" == auto ]]; then
	resolve_auto
	if [[ -n "$why" ]]; then notice "version auto: $why; building plainsync from source"; fi
fi

exe=""
if [[ "${RUNNER_OS:-}" == Windows ]]; then exe=".exe"; fi

output() { echo "$1=$2" >>"$GITHUB_OUTPUT" || fail "cannot write the step output $1 to \$GITHUB_OUTPUT"; }

if [[ "$version" == source ]]; then
	if ! command -v go >/dev/null 2>&1; then
		how="pin the action to a release tag (uses: plainsync/plainsync@vX.Y.Z, or a major tag such as @v1 that is on a release), set the input version to a release such as v1.2.3, or add actions/setup-go"
		if [[ -n "$why" ]]; then
			fail "version \"auto\" builds plainsync from source because $why; building needs Go, which this runner lacks: $how"
		fi
		fail "version \"source\" builds plainsync with Go, which this runner lacks: $how"
	fi
	commit_stamp=unknown
	if [[ -n "$ref" ]] && valid_ref "$ref"; then commit_stamp=$ref; fi
	bin_dir="${RUNNER_TEMP:?}/plainsync-bin"
	mkdir -p "$bin_dir"
	log=$(mktemp "${RUNNER_TEMP:-/tmp}/plainsync-build.XXXXXX")
	if ! (cd "${GITHUB_ACTION_PATH:?}" && go build -trimpath \
		-ldflags "-X github.com/plainsync/plainsync/internal/version.Version=source -X github.com/plainsync/plainsync/internal/version.Commit=$commit_stamp" \
		-o "$bin_dir/plainsync$exe" ./cmd/plainsync) >"$log" 2>&1; then
		cat "$log" >&2
		fail "go build of plainsync failed: $(tail -n 20 "$log")"
	fi
	cat "$log"
	rm -f "$log"
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
