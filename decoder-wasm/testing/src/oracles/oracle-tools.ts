// Real tools as exporters and oracles for the decoder tests: softflowd turns a pcap into
// NetFlow v9 / IPFIX exports, tshark dissects them, nfcapd/nfdump totals them.
// Debian packages softflowd, tshark and nfdump (tools.ts finds them).
import { spawn, spawnSync } from 'node:child_process'
import dgram from 'node:dgram'
import { findTool } from './tools.js'
import type { Datagram } from '../builders/udp-capture.js'

function exited(child: ReturnType<typeof spawn>, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${child.spawnfile} did not exit within ${timeoutMs} ms`))
    }, timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve(code)
    })
  })
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export interface Export {
  datagrams: Datagram[]
  /** The collector port the exports were sent to. */
  port: number
  /** The exporter's UDP source port. */
  exporterPort: number
}

/** Run softflowd over `pcap` in the foreground and collect what it exports. */
export async function softflowdExport(pcap: string, dir: string, args: string[]): Promise<Export> {
  const socket = dgram.createSocket('udp4')
  const datagrams: Datagram[] = []
  let exporterPort = 0
  socket.on('message', (msg, rinfo) => {
    exporterPort = rinfo.port
    datagrams.push({ payload: new Uint8Array(msg), timeMs: Date.now() })
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const port = socket.address().port
  try {
    const child = spawn(
      findTool('softflowd') ?? 'softflowd',
      [
        '-d',
        '-r',
        pcap,
        '-n',
        `127.0.0.1:${port}`,
        '-p',
        `${dir}/softflowd.pid`,
        '-c',
        'none',
        ...args,
      ],
      { stdio: 'ignore' },
    )
    const code = await exited(child, 20_000)
    if (code !== 0) throw new Error(`softflowd exited with ${code}`)
    // Let the last datagrams arrive: wait until nothing came for a while.
    let seen = -1
    while (seen !== datagrams.length) {
      seen = datagrams.length
      await sleep(250)
    }
  } finally {
    socket.close()
  }
  return { datagrams, port, exporterPort }
}

export type TsharkFields = Record<string, string | string[] | undefined>

export interface TsharkFlow {
  /** Header fields of the message the flow came in. */
  header: TsharkFields
  fields: TsharkFields
}

type JsonTree = { [key: string]: string | string[] | JsonTree | JsonTree[] }

function flatten(tree: JsonTree, out: TsharkFields): void {
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
      out[k] = v
    } else if (!Array.isArray(v) && k.endsWith('_tree')) {
      flatten(v, out)
    }
  }
}

/** Every flow record tshark dissects in the capture (data templates and options data). */
export function tsharkFlows(capture: string, port: number): TsharkFlow[] {
  const r = spawnSync(
    findTool('tshark') ?? 'tshark',
    [
      '-r',
      capture,
      '-d',
      `udp.port==${port},cflow`,
      '-T',
      'json',
      '-J',
      'cflow',
      '--no-duplicate-keys',
    ],
    { encoding: 'utf8', maxBuffer: 256 << 20 },
  )
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`)
  const packets = JSON.parse(r.stdout) as { _source: { layers: { cflow?: JsonTree } } }[]
  const flows: TsharkFlow[] = []
  for (const p of packets) {
    const cflow = p._source.layers.cflow
    if (!cflow) continue
    const header: TsharkFields = {}
    flatten(cflow, header)
    for (const [k, set] of Object.entries(cflow)) {
      if (!k.startsWith('FlowSet') && !k.startsWith('Set')) continue
      for (const s of Array.isArray(set) ? set : [set]) {
        if (typeof s === 'string') continue
        for (const [fk, flow] of Object.entries(s)) {
          if (!fk.startsWith('Flow ') || typeof flow === 'string') continue
          for (const f of Array.isArray(flow) ? flow : [flow]) {
            if (typeof f === 'string') continue
            const fields: TsharkFields = {}
            flatten(f, fields)
            flows.push({ header, fields })
          }
        }
      }
    }
  }
  return flows
}

export interface NfdumpTotals {
  flows: number
  packets: number
  bytes: number
}

/** Replay the datagrams to nfcapd, then read nfdump's totals of what it stored. */
export async function nfdumpTotals(
  datagrams: readonly Datagram[],
  dir: string,
): Promise<NfdumpTotals> {
  const probe = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve))
  const port = probe.address().port
  probe.close()
  const store = `${dir}/nfcapd`
  spawnSync('mkdir', ['-p', store])
  const child = spawn(
    findTool('nfcapd') ?? 'nfcapd',
    ['-w', store, '-p', String(port), '-b', '127.0.0.1'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const done = exited(child, 20_000)
  let log = ''
  const started = new Promise<void>((resolve) => {
    const onData = (b: Buffer): void => {
      log += b.toString()
      if (log.includes('Startup')) resolve()
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    setTimeout(resolve, 2000)
  })
  await started
  const sender = dgram.createSocket('udp4')
  for (const d of datagrams) {
    await new Promise<void>((resolve, reject) =>
      sender.send(d.payload, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    )
    await sleep(2)
  }
  sender.close()
  await sleep(300)
  child.kill('SIGTERM')
  await done
  const r = spawnSync(findTool('nfdump') ?? 'nfdump', ['-R', store, '-I'], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`nfdump failed: ${r.stderr}\n${log}`)
  const num = (label: string): number =>
    Number(new RegExp(`^${label}: (\\d+)$`, 'm').exec(r.stdout)?.[1] ?? NaN)
  return { flows: num('Flows'), packets: num('Packets'), bytes: num('Bytes') }
}
