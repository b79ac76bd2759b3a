# flowhouse: `make run` installs, builds and runs on the embedded ClickHouse;
# `make test` installs the test tools from Debian, builds, lints and runs every test.
SHELL := /bin/bash
DEBIAN_TOOLS := softflowd nfdump tshark pmacct tcpdump chromium prometheus docker-compose libxml2-utils
NPM := npm --no-audit --no-fund --loglevel=error

.PHONY: run install build test lint test-deps bench clean

run: build
	node collector/dist/cli/main.js serve $(ARGS)

node_modules/.installed: package.json package-lock.json decoder-wasm/package.json collector/package.json
	$(NPM) ci
	touch $@

install: node_modules/.installed

build: install
	$(NPM) run build

# Debian packages the oracle and end-to-end tests need (root on Debian 12).
test-deps:
	@missing=""; for t in softflowd nfcapd nfdump tshark pmacctd tcpdump chromium promtool docker-compose xmllint; do \
	  command -v $$t >/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $(DEBIAN_TOOLS) >/dev/null; \
	fi

lint: install
	npx eslint . --max-warnings=0
	npx prettier --check .

test: test-deps build lint
	$(NPM) test

# One-core throughput benches; each prints a comparison with its peer and writes bench/out/.
BENCHES := bench/decoder.mjs bench/writer.mjs

bench: build
	@set -e; for b in $(BENCHES); do node $$b; done

clean:
	rm -rf node_modules */node_modules */dist decoder-wasm/build
