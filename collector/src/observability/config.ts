// The log.level setting: the least severe log line written.
import { choice, section } from '../config/index.js'

const level = choice({
  path: 'log.level',
  default: 'info',
  choices: ['debug', 'info', 'warn', 'error'],
  help: 'debug, info, warn or error',
})

export interface LogConfig {
  level: 'debug' | 'info' | 'warn' | 'error'
}

export const LOG = section([level], (v): LogConfig => ({ level: v.get(level) }))
