// The main thread's template store: merges what workers learned, publishes the merged
// snapshot to all workers, and keeps it in data_dir/templates.bin (written atomically)
// so a restart decodes known exporters' data from the first datagram.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { TemplateRegistry, type DescribedExporter } from '@flowloft/decoder-wasm'
import type { Logger } from '../observability/log.js'
import { TemplatePublisher, createTemplateBuffer } from './template-channel.js'

export interface TemplateStore {
  readonly buffer: SharedArrayBuffer
  apply(events: Uint8Array): void
  describe(): DescribedExporter[]
  /** Write the snapshot now if it changed. */
  save(): void
  close(): void
}

export function createTemplateStore(
  dataDir: string | null,
  log: Logger,
  saveDelayMs = 1000,
): TemplateStore {
  const file = dataDir === null ? null : join(dataDir, 'templates.bin')
  let registry = new TemplateRegistry()
  if (file) {
    try {
      registry = TemplateRegistry.fromSnapshot(new Uint8Array(readFileSync(file)))
      log.info('templates restored', { file, entries: registry.size })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        log.warn('could not restore templates; starting without', { file, error: String(err) })
      }
    }
  }
  const buffer = createTemplateBuffer()
  const publisher = new TemplatePublisher(buffer)
  let dirty = false
  let timer: NodeJS.Timeout | undefined

  const publish = (): void => {
    if (!publisher.publish(registry.snapshot()))
      log.error('template snapshot larger than the shared buffer')
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
    save,
    close: save,
  }
}
