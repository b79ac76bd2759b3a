// The anonymisation key: anonymise.key when given, else the key file (data_dir/
// anonymise.key unless anonymise.key_file names another), made with mode 0600 from 32
// random bytes the first time. The same key gives the same mapping after a restart; a
// new key a different one. Messages name the setting.
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ConfigError } from '../config/index.js'
import { isHexKey, type AnonymiseConfig } from './config.js'
import { KEY_BYTES } from './crypto-pan.js'

export interface AnonymiseKey {
  /** 64 hex digits. */
  hex: string
  /** Where it came from: `anonymise.key`, or the file's path. */
  source: string
  /** Whether the file was made now. */
  created: boolean
}

export function anonymiseKeyFile(cfg: AnonymiseConfig, dataDir: string): string {
  return cfg.keyFile !== '' ? cfg.keyFile : join(dataDir, 'anonymise.key')
}

export function loadAnonymiseKey(cfg: AnonymiseConfig, dataDir: string): AnonymiseKey {
  if (cfg.key !== '') return { hex: cfg.key.toLowerCase(), source: 'anonymise.key', created: false }
  const file = anonymiseKeyFile(cfg, dataDir)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new ConfigError(`anonymise.key_file: cannot read ${file}: ${String(err)}`)
    const hex = randomBytes(KEY_BYTES).toString('hex')
    try {
      mkdirSync(dirname(file), { recursive: true })
      // wx: never replace a key another process wrote meanwhile.
      writeFileSync(file, `${hex}\n`, { mode: 0o600, flag: 'wx' })
    } catch (e) {
      throw new ConfigError(`anonymise.key_file: cannot create ${file}: ${String(e)}`)
    }
    return { hex, source: file, created: true }
  }
  if (!isHexKey(text))
    throw new ConfigError(
      `anonymise.key_file: ${file} must hold ${KEY_BYTES * 2} hex digits (${KEY_BYTES} bytes)`,
    )
  return { hex: text.trim().toLowerCase(), source: file, created: false }
}
