# plainsync — see README.md. Every target works on a fresh clone with Go only.
SHELL := /bin/bash
GO ?= go
PKG := github.com/plainsync/plainsync
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X $(PKG)/internal/version.Version=$(VERSION) -X $(PKG)/internal/version.Commit=$(COMMIT)
FUZZTIME ?= 20s

.PHONY: all build test lint demo bench fuzz clean

all: lint test build

build:
	@mkdir -p bin
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/plainsync ./cmd/plainsync
	@if [ -f cmd/plain-mock/main.go ]; then $(GO) build -ldflags "$(LDFLAGS)" -o bin/plain-mock ./cmd/plain-mock; fi

test:
	$(GO) test -count=1 ./...

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
