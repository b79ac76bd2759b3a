// Standard process metrics (the names Prometheus client libraries use): CPU, memory,
// file descriptors, start time and the Node.js heap. Read at each scrape.
import { readdirSync, readFileSync } from 'node:fs'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import type { Registry } from './metrics.js'

function openFds(): number {
  try {
    return readdirSync('/proc/self/fd').length
  } catch {
    return 0
  }
}

function maxFds(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'))
    const n = Number(line?.split(/\s+/)[3])
    return Number.isFinite(n) ? n : 0
  } catch {
    return 0
  }
}

export function registerProcessMetrics(r: Registry): () => void {
  const started = Date.now() / 1000 - process.uptime()
  // One sample every 5 s: each sample is a timer that wakes an idle process (at 20 ms,
  // 50 times a second, most of its idle CPU; at 1 s, about 0.05% of a core). A stall of
  // 5 s or more always shows; a shorter one when a sample falls due during it.
  const lag = monitorEventLoopDelay({ resolution: 5000 })
  lag.enable()
  r.counter(
    'process_cpu_seconds_total',
    'Total user and system CPU time spent in seconds (all threads)',
    [],
    (m) => {
      const u = process.cpuUsage()
      m.set({}, (u.user + u.system) / 1e6)
    },
  )
  r.gauge('process_resident_memory_bytes', 'Resident memory size in bytes', [], (m) =>
    m.set({}, process.memoryUsage.rss()),
  )
  r.gauge(
    'process_start_time_seconds',
    'Start time of the process since unix epoch in seconds',
    [],
    (m) => m.set({}, started),
  )
  r.gauge('process_open_fds', 'Number of open file descriptors', [], (m) => m.set({}, openFds()))
  r.gauge('process_max_fds', 'Maximum number of open file descriptors', [], (m) =>
    m.set({}, maxFds()),
  )
  r.gauge('nodejs_heap_size_total_bytes', 'V8 heap size of the main thread in bytes', [], (m) =>
    m.set({}, process.memoryUsage().heapTotal),
  )
  r.gauge('nodejs_heap_size_used_bytes', 'V8 heap used by the main thread in bytes', [], (m) =>
    m.set({}, process.memoryUsage().heapUsed),
  )
  r.gauge(
    'nodejs_external_memory_bytes',
    'Memory of C++ objects bound to JavaScript (buffers, WASM) in bytes',
    [],
    (m) => m.set({}, process.memoryUsage().external),
  )
  r.counter(
    'nodejs_eventloop_active_seconds_total',
    'Time the main-thread event loop spent running callbacks rather than waiting, in seconds (receiving, batching, dispatch to the decode workers, the writer and the HTTP server)',
    [],
    (m) => m.set({}, performance.eventLoopUtilization().active / 1000),
  )
  r.gauge(
    'nodejs_eventloop_lag_p99_seconds',
    'Main-thread event loop delay, 99th percentile since the previous scrape (sampled every 5 s), in seconds',
    [],
    (m) => {
      m.set({}, lag.percentile(99) / 1e9)
      lag.reset()
    },
  )
  return () => lag.disable()
}
