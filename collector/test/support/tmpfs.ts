// A small tmpfs for tests that need a disk that fills up (root only: `mount -t tmpfs`),
// and a filler file that takes what is left of it.
import { execFileSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmdirSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Why a tmpfs cannot be mounted here, or undefined when it can. */
export function tmpfsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root'
  const dir = mkdtempSync(join(tmpdir(), 'fl-tmpfs-probe-'))
  try {
    mountTmpfs(dir, 1 << 20)
    unmountTmpfs(dir)
    return undefined
  } catch (err) {
    return `cannot mount a tmpfs: ${(err as Error).message}`
  } finally {
    rmdirSync(dir)
  }
}

export function mountTmpfs(dir: string, bytes: number): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' })
}

export function unmountTmpfs(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' })
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' }) // still busy: detach it lazily
  }
}

/** Write zeros to `path` until the disk is full; the bytes written. */
export function fillDisk(path: string): number {
  const fd = openSync(path, 'w')
  const block = Buffer.alloc(4096)
  let bytes = 0
  try {
    for (;;) bytes += writeSync(fd, block)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
  } finally {
    closeSync(fd)
  }
  return bytes
}

/** Free space on the filesystem holding `dir`, in bytes. */
export function freeBytes(dir: string): number {
  const out = execFileSync('df', ['-B1', '--output=avail', dir], { encoding: 'utf8' })
  return Number(out.trim().split('\n').pop())
}
