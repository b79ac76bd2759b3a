// Reading data_dir/templates.bin at start-up. Never stops start-up: an intact file is
// restored (info), a torn or damaged one restores its intact exporters and says at warn
// level what came back and what was lost, and an older format is named and skipped
// (exporters resend their templates).
import { readFileSync } from 'node:fs'
import { TemplateRegistry, type RegistryLimits } from '@flowloft/decoder-wasm'
import type { Logger } from '../observability/log.js'

export function restoreTemplates(
  file: string,
  limits: RegistryLimits,
  log: Logger,
): TemplateRegistry {
  let bytes: Uint8Array
  try {
    bytes = new Uint8Array(readFileSync(file))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      log.warn('could not read saved templates; starting without', { file, error: String(err) })
    return new TemplateRegistry(limits)
  }
  const { registry, report } = TemplateRegistry.restore(bytes, limits)
  const fields = {
    file,
    entries: report.entries,
    exporters: report.exporters,
    refused: report.refused,
  }
  if (report.format === 1) {
    log.warn('saved templates are in the format before transport sessions; not restored', {
      file,
      bytes: bytes.byteLength,
      hint: 'exporters resend their templates; data before that is held for a while',
    })
  } else if (report.format !== 2) {
    log.warn('saved templates unreadable; starting without', { file, bytes: bytes.byteLength })
  } else if (report.lost.length > 0 || report.lostBytes > 0) {
    log.warn('saved templates damaged; restored what was intact', {
      ...fields,
      lostExporters: report.lost.map((l) => `${l.exporter} (${l.reason})`),
      lostBytes: report.lostBytes,
    })
  } else {
    log.info('templates restored', fields)
  }
  return registry
}
