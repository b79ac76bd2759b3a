# flowloft collector image for compose.yaml: talks to a ClickHouse server
# (FLOWLOFT_CLICKHOUSE_URL), so the embedded engine (chdb, ~550 MB, an optional
# dependency) is left out of the runtime stage. Nothing is installed from Debian: both
# stages use the node image as it is, and npm installs exactly package-lock.json.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# Build: the whole workspace (dev and optional dependencies too: the AssemblyScript
# compiler builds the WASM decoder, and tsc reads chdb's types for engine.ts).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY decoder-wasm/package.json decoder-wasm/
COPY collector/package.json collector/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json ./
COPY types types
COPY decoder-wasm decoder-wasm
COPY collector collector
# The decoder's build checks its flows contract against the migrations.
COPY schema schema
RUN npm run build \
 && find collector/dist decoder-wasm/dist -name '*.test.*' -delete

# Runtime: production dependencies without the optional embedded engine.
FROM ${NODE_IMAGE} AS runtime
# glibc's allocator with fixed thresholds: decoded rows leave a worker in 1 MiB buffers
# and batches take 4 MiB ones; with the default (moving) thresholds freed ones were
# handed back to the kernel and faulted in again, over half the decoder's time in a
# profile (docs/sizing.md). Two arenas: the collector's threads allocate little.
ENV NODE_ENV=production \
    FLOWLOFT_DATA_DIR=/var/lib/flowloft \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=67108864 \
    MALLOC_TRIM_THRESHOLD_=67108864
WORKDIR /app
COPY package.json package-lock.json ./
COPY decoder-wasm/package.json decoder-wasm/
COPY collector/package.json collector/
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && mkdir -p /var/lib/flowloft \
 && chown node:node /var/lib/flowloft
COPY --from=build /src/decoder-wasm/dist decoder-wasm/dist
COPY --from=build /src/decoder-wasm/build/decoder.wasm decoder-wasm/build/decoder.wasm
COPY --from=build /src/collector/dist collector/dist
COPY collector/apps collector/apps
COPY schema schema
USER node
VOLUME ["/var/lib/flowloft"]
EXPOSE 2055/udp 4739/udp 6343/udp 8080/tcp
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/collector/dist/cli/main.js"]
CMD ["serve"]
