// `flowloft serve`: the pipeline plus UDP listeners in front and the HTTP server.
import { join } from 'node:path'
import { serve, type ServerType } from '@hono/node-server'
import { createApi } from './api/index.js'
import { Server as HttpServer } from 'node:http'
import { limitConnections, serverOptions } from './api/connection-limits.js'
import { apiToken } from './api/token-file.js'
import { ConfigError, type Config } from './config/index.js'
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
  const pipeline = await createPipeline(config, log, { waitForServer: true })
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
    // Registered senders keep their own series whatever http.metrics_max_sources says.
    pipeline.sources.pin((a) => senders.registry.get(a) !== undefined)
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
      const token = apiToken(config, log)
      const app = createApi({
        engine: pipeline.engine,
        metrics: pipeline.metrics,
        log,
        maxBodyBytes: config.http.maxBodyBytes,
        templates: () => pipeline.templates.describe(),
        prefixes: (exporter) => ({
          effective: pipeline.enrichment.prefixes.effective(exporter),
          learned: pipeline.learner.learned(exporter),
        }),
        listenersBound: () => listeners.bound.length === specs.length,
        writerStalled: () => pipeline.writerStalled(),
        notReady: () => pipeline.notReady(),
        summaries: pipeline.summaries,
        retention: config.retention,
        senders,
        auth: {
          hmacKey: config.api.hmacKey,
          bearerToken: token || config.api.bearerToken,
          windowSeconds: config.api.hmacWindowSeconds,
          nonceFile: join(config.dataDir, 'hmac-nonces.json'),
        },
        access: {
          token,
          allowedHosts: config.http.allowedHosts,
          metricsPublic: config.http.metricsPublic,
        },
      })
      const listen = config.http.listen
      http = await new Promise((resolve, reject) => {
        const limits = {
          maxConnections: config.http.maxConnections,
          queryTimeoutSeconds: config.query.maxExecutionSeconds,
        }
        server = serve(
          {
            fetch: app.fetch,
            port: listen.port,
            hostname: listen.host,
            serverOptions: serverOptions(limits),
          },
          (info) => resolve({ address: info.address, port: info.port }),
        )
        if (server instanceof HttpServer) limitConnections(server, limits, pipeline.metrics)
        server.once('error', (err: NodeJS.ErrnoException) =>
          reject(
            err.code === 'EADDRINUSE' || err.code === 'EACCES'
              ? new ConfigError(
                  `http.listen (--http, FLOWLOFT_HTTP_LISTEN) ${listen.host}:${listen.port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : 'not allowed to bind'}`,
                )
              : err,
          ),
        )
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
