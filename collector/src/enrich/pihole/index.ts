// Follows a Pi-hole / dnsmasq query log (enrich.pihole.log) and hands on address ->
// the name a client asked for. Lines that are not dnsmasq's are counted and logged at
// a limited rate; the file may be missing, rotated or truncated at any time.
import type { Logger } from '../../observability/log.js'
import { rateLimited } from '../../observability/log.js'
import type { Registry } from '../../observability/metrics.js'
import { LogFollower } from './follow.js'
import { AskedNames } from './learner.js'
import { parseLogLine } from './parse.js'

export interface PiholeLog {
  start(): void
  stop(): Promise<void>
  /** Read what is new now (what the timer does); for tests. */
  poll(): Promise<void>
}

export function createPiholeLog(
  path: string,
  deps: {
    log: Logger
    metrics: Registry
    onName(addr: string, name: string): void
    pollMs?: number
  },
): PiholeLog {
  const log = deps.log.child({ component: 'enrich-pihole', path })
  const warn = rateLimited(log, 60_000)
  const lines = deps.metrics.counter(
    'flowloft_enrich_pihole_lines_total',
    'Query-log lines read, by result (learned: gave an address its asked name, used: query or other answer, ignored: another dnsmasq line, error: not a dnsmasq log line or cut off)',
    ['result'],
  )
  const reopened = deps.metrics.counter(
    'flowloft_enrich_pihole_reopens_total',
    'Times the query log was read from its start again, by reason (rotated, truncated)',
    ['reason'],
  )
  const names = new AskedNames()
  const follower = new LogFollower(path, {
    lines(batch) {
      for (const text of batch) {
        if (text === '') continue
        const line = parseLogLine(text)
        if (!line) {
          lines.inc({ result: 'error' })
          warn('parse', 'query-log line not in dnsmasq format: skipped', {
            line: text.slice(0, 200),
          })
          continue
        }
        if (line.kind === 'other') {
          lines.inc({ result: 'ignored' })
          continue
        }
        const learned = names.learn(line)
        lines.inc({ result: learned ? 'learned' : 'used' })
        if (learned) deps.onName(learned[0], learned[1])
      }
    },
    reopened(reason) {
      reopened.inc({ reason })
      log.info('query log reopened', { reason })
    },
    overlong() {
      lines.inc({ result: 'error' })
      warn('overlong', 'query-log line longer than 64 KiB: skipped')
    },
    error(err) {
      log.warn('query log cannot be read: retrying', { error: String(err) })
    },
  })
  let timer: NodeJS.Timeout | undefined
  return {
    poll: () => follower.poll(),
    start() {
      if (timer) return
      void follower.poll()
      timer = setInterval(() => void follower.poll(), deps.pollMs ?? 500)
      timer.unref()
    },
    async stop() {
      if (timer) clearInterval(timer)
      timer = undefined
      await follower.close()
    },
  }
}
