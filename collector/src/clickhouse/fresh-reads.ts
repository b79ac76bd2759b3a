// The engine as the API sees it when the writer's window stretches at light traffic
// (writer.quiet_batch_ms): every read first has the writer insert rows that waited longer
// than writer.batch_ms, so the console and API are never further behind than before while
// an unwatched collector makes a part every quiet_batch_ms instead of every batch_ms.
import type { Engine } from './engine.js'

export function freshReads(engine: Engine, fresh: () => Promise<void>): Engine {
  const reads: Pick<Engine, 'read' | 'userQuery'> = {
    async read(q) {
      await fresh()
      return engine.read(q)
    },
    async userQuery(sql, format) {
      await fresh()
      return engine.userQuery(sql, format)
    },
  }
  return Object.assign(Object.create(engine) as Engine, reads)
}
