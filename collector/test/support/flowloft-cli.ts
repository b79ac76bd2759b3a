// `flowloft ARGS` as a user runs it: the built CLI in a child process, its exit code and
// both streams.
import { spawnSync } from 'node:child_process'

export const FLOWLOFT_MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname

export interface CliRun {
  status: number | null
  stdout: string
  stderr: string
}

export function runFlowloft(args: string[], env: NodeJS.ProcessEnv = process.env): CliRun {
  const r = spawnSync(process.execPath, [FLOWLOFT_MAIN, ...args], {
    encoding: 'utf8',
    env,
    maxBuffer: 256 << 20,
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}
