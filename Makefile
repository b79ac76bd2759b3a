# flowloft: `make run` installs, builds and runs on the embedded ClickHouse;
# `make test` installs the test tools from Debian, builds, lints and runs every test.
SHELL := /bin/bash
DEBIAN_TOOLS := softflowd nfdump tshark pmacct tcpdump chromium prometheus docker-compose libxml2-utils snmpd snmp dnsmasq-base busybox kea-dhcp4-server isc-dhcp-server
NPM := npm --no-audit --no-fund --loglevel=error

.PHONY: run install build test lint test-deps bench bench-e2e fuzz clean

# Through the launcher: on a Node.js flowloft does not support it says so in one line.
run: build
	node collector/bin/flowloft.js serve $(ARGS)

node_modules/.installed: package.json package-lock.json decoder-wasm/package.json collector/package.json
	$(NPM) ci
	touch $@

install: node_modules/.installed

build: install
	$(NPM) run build

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

# Throughput: the decoder per core next to node-netflowv9, the writer next to a plain
# insert, a short end-to-end run with enrichers on and off, and the cost per flow at home
# rates next to nfcapd and nfacctd (sqlite3); bench/RESULTS.md from all.
BENCHES := bench/decoder.mjs bench/writer.mjs bench/home-rate.mjs

bench: build
	@set -e; for b in $(BENCHES); do node $$b; done
	node bench/e2e.mjs --quick
	node bench/results.mjs

# End to end on this machine: the highest rate `flowloft serve` keeps with zero loss and
# the stored rate in step with the send rate, ramped and then held for 60 s, with every
# enricher on and off (bench/out/e2e.json).
bench-e2e: build
	node bench/e2e.mjs
	node bench/results.mjs

# Every decoder fed FUZZ_COUNT (default 1,000,000) mutated real datagrams from FUZZ_SEED;
# fails on a trap, a hang or a datagram without a result (reproducers in bench/out/fuzz).
fuzz: build
	node collector/dist/fuzz/main.js
	node bench/results.mjs

clean:
	rm -rf node_modules */node_modules */dist decoder-wasm/build
