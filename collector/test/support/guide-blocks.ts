// Reads the exporter configurations the user guide shows, so a test can run them as
// written: a fenced block follows an HTML comment `<!-- guide-test: NAME ... -->` in the
// markdown. Only the collector's address and the capture source are substituted.
import { readFileSync } from 'node:fs'

export const EXPORTERS_GUIDE = new URL('../../../docs/exporters.md', import.meta.url).pathname

/** The guide's example collector address ("Replace 192.168.1.2 below with the flowloft host"). */
const GUIDE_HOST = '192.168.1.2'

/** Every marked block of a markdown file, by name. */
export function guideBlocks(path = EXPORTERS_GUIDE): Map<string, string> {
  const text = readFileSync(path, 'utf8')
  const out = new Map<string, string>()
  const re = /<!--\s*guide-test:\s*([\w-]+)[^>]*-->\s*\n```[^\n]*\n([\s\S]*?)\n```/g
  for (const m of text.matchAll(re)) out.set(m[1] ?? '', m[2] ?? '')
  return out
}

export function guideBlock(name: string, path = EXPORTERS_GUIDE): string {
  const block = guideBlocks(path).get(name)
  if (block === undefined) throw new Error(`${path} has no block marked guide-test: ${name}`)
  return block
}

/**
 * Point `GUIDE_HOST:port` at 127.0.0.1 and the local port standing for the guide's
 * port (2055, 4739 or 6343 in the guide; ephemeral ports in a test).
 */
export function retarget(text: string, ports: ReadonlyMap<number, number>): string {
  return text.replaceAll(new RegExp(`${GUIDE_HOST.replaceAll('.', '\\.')}:(\\d+)`, 'g'), (_, p) => {
    const local = ports.get(Number(p))
    if (local === undefined)
      throw new Error(`the guide sends to port ${p}, which no test listener stands for`)
    return `127.0.0.1:${local}`
  })
}

/** The softflowd command lines of a block, comments dropped. */
export function softflowdLines(block: string): string[] {
  return block
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l.startsWith('softflowd '))
}

/** One softflowd line as argv, reading `pcap` in place of its `-i` or `-r` source. */
export function softflowdArgv(
  line: string,
  pcap: string,
  ports: ReadonlyMap<number, number>,
): string[] {
  const argv = retarget(line, ports).split(/\s+/).slice(1)
  const src = argv.findIndex((a) => a === '-i' || a === '-r')
  if (src < 0 || argv[src + 1] === undefined) throw new Error(`no -i or -r in: ${line}`)
  argv.splice(src, 2, '-r', pcap)
  return argv
}

/** A pmacctd configuration from the guide, reading `pcap` instead of `pcap_interface`. */
export function pmacctConfig(
  block: string,
  pcap: string,
  ports: ReadonlyMap<number, number>,
): string {
  const lines = retarget(block, ports).split('\n')
  const i = lines.findIndex((l) => /^pcap_interface\s*:/.test(l))
  if (i < 0) throw new Error('the pmacct block has no pcap_interface')
  lines[i] = `pcap_savefile: ${pcap}`
  return `${lines.join('\n')}\n`
}

/** The value of `key` in a pmacct block (`key: value`). */
export function pmacctValue(block: string, key: string): string | undefined {
  return new RegExp(`^${key}\\s*:\\s*(.+?)\\s*$`, 'm').exec(block)?.[1]
}
