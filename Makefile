# plainsync — see README.md. Every target works on a fresh clone with Go only, except test/interop,
# which also need Node.js and npm (for Plain's TypeScript SDK).
SHELL := /bin/bash
GO ?= go
PKG := github.com/plainsync/plainsync
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X $(PKG)/internal/version.Version=$(VERSION) -X $(PKG)/internal/version.Commit=$(COMMIT)
FUZZTIME ?= 20s

.PHONY: all build test interop lint demo bench fuzz clean

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

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

demo: build
	@./scripts/demo.sh

bench:
	@./scripts/bench.sh

fuzz:
	@./scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf bin
