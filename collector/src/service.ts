// `flowloft serve`: the pipeline plus UDP listeners in front and the HTTP server.
import { serve, type ServerType } from '@hono/node-server'
import { createApi } from './api/index.js'
import type { Config } from './config/index.js'
import { createListeners, type BoundListener, type ListenerSpec } from './listener/index.js'
import type { Logger } from './observability/log.js'
import { createSenders, type Senders } from './senders/index.js'
import { createPipeline, type Pipeline } from './pipeline.js'

export interface Service {
  pipeline: Pipeline
  listeners: BoundListener[]
  http: { address: string; port: number } | null
  stop(): Promise<void>
}

export async function startService(config: Config, log: Logger): Promise<Service> {
  const pipeline = await createPipeline(config, log)
  let senders: Senders
  try {
    senders = createSenders(config.senders, {
      dataDir: config.dataDir,
      log,
      metrics: pipeline.metrics,
      dynamic: pipeline.enrichment.dynamic,
      configPrefixes: config.enrich.exporterPrefixes,
    })
    senders.start()
  } catch (err) {
    await pipeline.stop()
    throw err
  }
  const specs: ListenerSpec[] = []
  if (config.listen.netflow) specs.push({ name: 'netflow', address: config.listen.netflow })
  if (config.listen.ipfix) specs.push({ name: 'ipfix', address: config.listen.ipfix })
  if (config.listen.sflow) specs.push({ name: 'sflow', address: config.listen.sflow })
  const listeners = createListeners({
    specs,
    receiveBuffer: config.listen.receiveBuffer,
    batchDatagrams: config.decode.batchDatagrams,
    batchMs: config.decode.batchMs,
    log,
    metrics: pipeline.metrics,
    lanes: pipeline.pool.lanes,
    onBatch: (b, lane) => pipeline.pool.submit(b, lane),
    accept: senders.accept,
  })
  let server: ServerType | undefined
  let http: Service['http'] = null
  try {
    await listeners.start()
    if (config.http.listen) {
      const app = createApi({
        engine: pipeline.engine,
        metrics: pipeline.metrics,
        log,
        maxBodyBytes: config.http.maxBodyBytes,
        templates: () => pipeline.templates.describe(),
        listenersBound: () => listeners.bound.length === specs.length,
        summaries: pipeline.summaries,
        retention: config.retention,
        senders,
        auth: {
          hmacKey: config.api.hmacKey,
          bearerToken: config.api.bearerToken,
          windowSeconds: config.api.hmacWindowSeconds,
        },
      })
      const listen = config.http.listen
      http = await new Promise((resolve, reject) => {
        server = serve({ fetch: app.fetch, port: listen.port, hostname: listen.host }, (info) =>
          resolve({ address: info.address, port: info.port }),
        )
        server.once('error', reject)
      })
      log.info('http listening', { address: http?.address, port: http?.port })
    }
  } catch (err) {
    await listeners.stop()
    await pipeline.stop()
    throw err
  }
  let stopping: Promise<void> | undefined
  return {
    pipeline,
    listeners: listeners.bound,
    http,
    stop() {
      stopping ??= (async () => {
        await listeners.stop()
        await new Promise<void>((r) => (server ? server.close(() => r()) : r()))
        await pipeline.stop()
      })()
      return stopping
    },
  }
}
