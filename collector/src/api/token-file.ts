// The API token when authentication is on: api.bearer_token if set, else the one kept
// in data_dir/api-token (mode 0600), made at the first start and logged that once, so
// the owner can copy it into the console's login.
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ApiConfig, HttpConfig } from './config.js'
import type { Logger } from '../observability/log.js'

export const TOKEN_FILE = 'api-token'

/** What the token depends on: the HTTP server's settings, api.bearer_token, data_dir. */
export interface TokenSettings {
  http: HttpConfig
  api: ApiConfig
  dataDir: string
}

/** Whether the API needs a login under this configuration. */
export function authRequired(config: Pick<TokenSettings, 'http'>): boolean {
  const listen = config.http.listen
  if (config.http.auth !== 'auto') return config.http.auth === 'token'
  if (!listen) return false
  return !['127.0.0.1', '::1', 'localhost'].includes(listen.host)
}

/** The token of a data directory, or '' when none was made. */
export function readTokenFile(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, TOKEN_FILE), 'utf8').trim()
  } catch {
    return ''
  }
}

/** The token the API requires, '' when it requires none. */
export function apiToken(config: TokenSettings, log: Logger): string {
  if (!authRequired(config)) {
    if (config.http.listen) log.info('http: no login needed (http.auth, loopback only or none)')
    return ''
  }
  if (config.api.bearerToken !== '') return config.api.bearerToken
  const kept = readTokenFile(config.dataDir)
  const path = join(config.dataDir, TOKEN_FILE)
  if (kept !== '') {
    log.info('http: the console and API need the token kept in the data directory', { path })
    return kept
  }
  const token = randomBytes(18).toString('base64url')
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' })
  log.warn('http: API token made; log in to the console with it (shown this once)', {
    token,
    path,
  })
  return token
}
