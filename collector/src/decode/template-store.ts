// The main thread's template store: merges what workers learned, publishes the merged
// snapshot to all workers, and keeps it in data_dir/templates.bin (written atomically)
// so a restart decodes known exporters' data from the first datagram. Bounded per
// exporter address and in all (decode.templates.*): the snapshot always fits the shared
// buffer, and a damaged file restores its intact exporters with a warning.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import {
  TemplateRegistry,
  snapshotBound,
  type DescribedExporter,
  type RegistryLimits,
  type RegistryStats,
} from '@flowloft/decoder-wasm'
import type { Logger } from '../observability/log.js'
import { TemplatePublisher, createTemplateBuffer } from './template-channel.js'
import { restoreTemplates } from './template-restore.js'

export interface TemplateStore {
  readonly buffer: SharedArrayBuffer
  apply(events: Uint8Array): void
  describe(): DescribedExporter[]
  /** Entries held, exporter addresses, snapshot bytes, and what the bounds refused. */
  stats(): RegistryStats & { entries: number; exporters: number; snapshotBytes: number }
  /** Write the snapshot now if it changed. */
  save(): void
  close(): void
}

export function createTemplateStore(
  dataDir: string | null,
  log: Logger,
  limits: RegistryLimits = { perExporter: 512, total: 4096 },
  saveDelayMs = 1000,
): TemplateStore {
  const file = dataDir === null ? null : join(dataDir, 'templates.bin')
  let registry = new TemplateRegistry(limits)
  if (file) registry = restoreTemplates(file, limits, log)
  const buffer = createTemplateBuffer(Math.max(8 << 20, snapshotBound(limits)))
  const publisher = new TemplatePublisher(buffer)
  let dirty = false
  let timer: NodeJS.Timeout | undefined
  let snapshotBytes = 0

  const publish = (): void => {
    const snap = registry.snapshot()
    snapshotBytes = snap.byteLength
    // Cannot happen within the bounds; said loudly if it ever does.
    if (!publisher.publish(snap)) log.error('template snapshot larger than the shared buffer')
  }
  const save = (): void => {
    if (timer) clearTimeout(timer)
    timer = undefined
    if (!file || !dirty) return
    dirty = false
    try {
      mkdirSync(dirname(file), { recursive: true })
      writeFileSync(`${file}.tmp`, registry.snapshot())
      renameSync(`${file}.tmp`, file)
    } catch (err) {
      log.warn('could not save templates', { file, error: String(err) })
    }
  }
  publish()

  return {
    buffer,
    apply(events) {
      if (events.byteLength === 0 || !registry.apply(events)) return
      publish()
      dirty = true
      timer ??= setTimeout(save, saveDelayMs)
      timer.unref()
    },
    describe: () => registry.describe(),
    stats: () => ({
      ...registry.stats,
      entries: registry.size,
      exporters: registry.exporters,
      snapshotBytes,
    }),
    save,
    close: save,
  }
}
