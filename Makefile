# flowloft: `make run` installs, builds and runs on the embedded ClickHouse;
# `make test` installs the test tools from Debian, builds, lints and runs every test.
SHELL := /bin/bash
DEBIAN_TOOLS := softflowd nfdump tshark pmacct tcpdump chromium prometheus docker-compose libxml2-utils snmpd snmp dnsmasq-base busybox kea-dhcp4-server isc-dhcp-server
NPM := npm --no-audit --no-fund --loglevel=error

.PHONY: run install build build-test test test-unit test-files lint test-deps bench bench-e2e fuzz clean

# The allocator settings the image sets (Dockerfile, docs/sizing.md).
MALLOC_ENV = MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=67108864 MALLOC_TRIM_THRESHOLD_=67108864

# Through the launcher: on a Node.js flowloft does not support it says so in one line.
run: build
	$(MALLOC_ENV) node collector/bin/flowloft.js serve $(ARGS)

node_modules/.installed: package.json package-lock.json decoder-wasm/package.json collector/package.json
	$(NPM) ci
	touch $@

install: node_modules/.installed

# Each package rebuilds only when its sources changed since the last build (stamp files).
DECODER_SRC := $(shell find decoder-wasm/assembly decoder-wasm/src decoder-wasm/testing/src decoder-wasm/testing/fixtures decoder-wasm/contract decoder-wasm/package.json -type f 2>/dev/null)
COLLECTOR_SRC := $(shell find collector/src collector/package.json collector/tsconfig.json -type f 2>/dev/null)
TEST_SRC := $(shell find collector/test -type f 2>/dev/null)

decoder-wasm/dist/.built: node_modules/.installed $(DECODER_SRC)
	$(NPM) run build -w decoder-wasm
	touch $@

collector/dist/.built: decoder-wasm/dist/.built $(COLLECTOR_SRC)
	$(NPM) run build -w collector
	touch $@

build: collector/dist/.built

# Tests, their helpers and the fuzzer compile apart from the product (collector/dist-test,
# decoder-wasm's testing build), so dist/ and the image hold product only.
collector/dist-test/.built: collector/dist/.built $(TEST_SRC)
	$(NPM) run build:test --workspaces --if-present
	touch $@

build-test: collector/dist-test/.built

# Debian packages the oracle and end-to-end tests need (root on Debian 12).
test-deps:
	@missing=""; for t in softflowd nfcapd nfdump tshark pmacctd tcpdump chromium promtool docker-compose xmllint snmpd snmpwalk dnsmasq busybox kea-dhcp4 dhcpd; do \
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

# The fast loop: tests that need neither the engine (chdb) nor an outside tool, run
# concurrently. ONLY=regex keeps the test files whose path matches (also for test-files,
# which runs any suite's files: `make test-files ONLY=e2e/templates`).
UNIT_TESTS = find collector/dist-test/unit -name '*.test.js'
ALL_TESTS = find collector/dist-test decoder-wasm/dist -name '*.test.js'
ONLY ?= .

test-unit: build-test
	node --test --test-concurrency=4 --test-reporter=spec $$($(UNIT_TESTS) | grep -E '$(ONLY)' | sort)

test-files: build-test
	node --test --test-concurrency=1 --test-reporter=spec $$($(ALL_TESTS) | grep -E '$(ONLY)' | sort)

# Throughput: the decoder per core next to node-netflowv9, the writer next to a plain
# insert, a short end-to-end run with enrichers on and off, and the cost per flow at home
# rates next to nfcapd and nfacctd (sqlite3) and the floor its parts set alone, what each
# rollup view adds to an insert,
# the console's views on 30 days of history,
# the household features (names, apps, alerts, caps, anonymisation) on against off and
# what anonymise.clear_days costs ClickHouse, what the jobs reading raw flows cost a day;
# bench/RESULTS.md from all.
BENCHES := bench/decoder.mjs bench/writer.mjs bench/insert-views.mjs bench/home-rate.mjs \
	bench/home-floor.mjs bench/history.mjs bench/household.mjs bench/anonymise-clear.mjs \
	bench/jobs.mjs

bench: build-test
	@set -e; for b in $(BENCHES); do node $$b; done
	node bench/e2e.mjs --quick
	node bench/results.mjs

# End to end on this machine: the highest rate `flowloft serve` keeps with zero loss and
# the stored rate in step with the send rate, ramped and then held for 60 s, with every
# enricher on and off (bench/out/e2e.json).
bench-e2e: build-test
	node bench/e2e.mjs
	node bench/results.mjs

# Every decoder fed FUZZ_COUNT (default 1,000,000) mutated real datagrams from FUZZ_SEED;
# fails on a trap, a hang or a datagram without a result (reproducers in bench/out/fuzz).
fuzz: build-test
	node collector/dist-test/fuzz/main.js
	node bench/results.mjs

clean:
	rm -rf node_modules */node_modules */dist decoder-wasm/build
