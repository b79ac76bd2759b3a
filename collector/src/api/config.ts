// The settings of the HTTP server (http.*: where it listens, who may use it, its bounds)
// and of the API's authentication of changes (api.*).
import {
  bool,
  choice,
  commaList,
  int,
  listen,
  section,
  text,
  type ListenAddress,
} from '../config/index.js'

const httpListen = listen({
  path: 'http.listen',
  default: '0.0.0.0:8080',
  flag: 'http',
  help: 'HTTP API, web UI and /metrics (a login is needed unless it is loopback only: http.auth)',
})
const maxBodyBytes = int({
  path: 'http.max_body_bytes',
  default: 1 << 20,
  min: 1024,
  max: 64 << 20,
  help: 'largest request body accepted',
})
const auth = choice({
  path: 'http.auth',
  default: 'auto',
  choices: ['auto', 'token', 'none'],
  help: 'token: every API call and the console need api.bearer_token (made at first start into data_dir/api-token when empty); none: no login; auto: token unless http.listen is loopback only',
})
const allowedHosts = commaList({
  path: 'http.allowed_hosts',
  default: '',
  help: 'host names (comma-separated) the console and API answer to, besides IP addresses, localhost and this host name; stops DNS rebinding',
})
const maxConnections = int({
  path: 'http.max_connections',
  default: 256,
  min: 8,
  max: 65536,
  help: 'open HTTP connections at most; more are closed at once',
})
const metricsPublic = bool({
  path: 'http.metrics_public',
  default: false,
  help: 'serve /metrics without credentials (for a scraper that has none)',
})
const metricsMaxSources = int({
  path: 'http.metrics_max_sources',
  default: 256,
  min: 1,
  max: 65536,
  help: 'source addresses (exporters) that get their own series in /metrics families labelled by address; the rest are added up under exporter="other" (registered senders and SNMP exporters always keep theirs)',
})

export interface HttpConfig {
  listen: ListenAddress | null
  maxBodyBytes: number
  auth: 'auto' | 'token' | 'none'
  allowedHosts: string[]
  maxConnections: number
  metricsPublic: boolean
  /** Source addresses with their own series in per-address metric families. */
  metricsMaxSources: number
}

export const HTTP = section(
  [httpListen, maxBodyBytes, auth, allowedHosts, maxConnections, metricsPublic, metricsMaxSources],
  (v): HttpConfig => ({
    listen: v.get(httpListen),
    maxBodyBytes: v.get(maxBodyBytes),
    auth: v.get(auth),
    allowedHosts: v.get(allowedHosts),
    maxConnections: v.get(maxConnections),
    metricsPublic: v.get(metricsPublic),
    metricsMaxSources: v.get(metricsMaxSources),
  }),
)

const hmacKey = text({
  path: 'api.hmac_key',
  default: '',
  secret: true,
  help: 'key of HMAC-SHA256 signed API changes (x-flowloft-timestamp, x-flowloft-signature); empty turns them off',
})
const bearerToken = text({
  path: 'api.bearer_token',
  default: '',
  secret: true,
  help: 'token accepted as "Authorization: Bearer <token>" for API changes; empty turns it off',
})
const hmacWindowSeconds = int({
  path: 'api.hmac_window_seconds',
  default: 300,
  min: 5,
  max: 3600,
  help: "how old a signed request's timestamp may be (ahead of the clock: 30 s at most); accepted signatures are kept in data_dir/hmac-nonces.json for this long, so a replay is refused even after a restart",
})

/** Authentication of API changes (mutation-auth.ts). */
export interface ApiConfig {
  hmacKey: string
  bearerToken: string
  hmacWindowSeconds: number
}

export const API = section([hmacKey, bearerToken, hmacWindowSeconds], (v): ApiConfig => ({
  hmacKey: v.get(hmacKey),
  bearerToken: v.get(bearerToken),
  hmacWindowSeconds: v.get(hmacWindowSeconds),
}))
