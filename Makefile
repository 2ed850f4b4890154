# plainsync — see README.md. Every target works on a fresh clone with Go only, except test/interop,
# which also need Node.js and npm (for Plain's TypeScript SDK).
SHELL := /bin/bash
GO ?= go
PKG := github.com/plainsync/plainsync
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X $(PKG)/internal/version.Version=$(VERSION) -X $(PKG)/internal/version.Commit=$(COMMIT)
FUZZTIME ?= 20s

.PHONY: all build test interop lint demo bench fuzz clean release-snapshot release-check docs

all: lint test build

build:
	@mkdir -p bin
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/plainsync ./cmd/plainsync
	@if [ -f cmd/plain-mock/main.go ]; then $(GO) build -ldflags "$(LDFLAGS)" -o bin/plain-mock ./cmd/plain-mock; fi

test: interop
	$(GO) test -count=1 ./...

# interop drives Plain's official TypeScript SDK (pinned in
# interop/plain-sdk/package-lock.json) against bin/plain-mock. npm ci runs
# only when node_modules is missing or older than the lock file.
INTEROP := interop/plain-sdk
interop: build
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "make interop needs Node.js and npm on PATH"; exit 1; }
	@if [ ! -f $(INTEROP)/node_modules/.package-lock.json ] || [ $(INTEROP)/package-lock.json -nt $(INTEROP)/node_modules/.package-lock.json ] || [ $(INTEROP)/package.json -nt $(INTEROP)/node_modules/.package-lock.json ]; then \
		cd $(INTEROP) && npm ci --no-audit --no-fund; \
	fi
	cd $(INTEROP) && PLAIN_MOCK=$(CURDIR)/bin/plain-mock node interop.mjs

# staticcheck at a pinned version, fetched through the Go module proxy
# (its default checks; //lint:ignore lines say why a finding is accepted).
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	./scripts/lint-workflows.sh

# docs regenerates the command reference (docs/commands, docs/man) from the
# cobra tree; TestDocsAreCurrent fails when the committed pages are stale.
docs:
	$(GO) run ./scripts/gendocs -md docs/commands -man docs/man

demo: build
	@./scripts/demo.sh

bench:
	@./scripts/bench.sh

fuzz:
	@./scripts/fuzz.sh $(FUZZTIME)

# The release archives of this checkout, built as the release workflow
# builds a tag's: 8 archives and checksums.txt in dist/, reproducibly (the
# mtimes are the commit's time).
SNAPSHOT_VERSION ?= v0.0.0-snapshot-$(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
release-snapshot:
	$(GO) run ./scripts/release -version $(SNAPSHOT_VERSION) -commit $(COMMIT) -epoch $(SOURCE_DATE_EPOCH) -out dist

# release-snapshot, then prove it: the set of archives and their checksums,
# a byte-identical clean rebuild, and the Action's installer verifying and
# running the archive for this machine (and refusing a tampered one).
release-check: release-snapshot
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) ./scripts/check-release.sh dist $(SNAPSHOT_VERSION) $(COMMIT)
	PLAINSYNC_DIST=$(CURDIR)/dist $(GO) test -count=1 -run 'TestInstall' ./internal/e2e/

clean:
	rm -rf bin dist
