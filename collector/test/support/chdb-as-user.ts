// Opens chdb on a data directory as one users.d user (users-d.ts). The first session on a
// directory decides the engine's users file; every later session on it in this process
// (the embedded engine's, createChdbConnection's) shares that engine and runs with the
// same grants and profile, whatever configuration it asks for. Close it, and every other
// session on the directory, before a session under another users file opens.
import { resolve } from 'node:path'
import { Session } from 'chdb'
import { writeUserFiles, type UserFiles, type UserFilesOptions } from './users-d.js'

export interface ChdbAsUser {
  /** The engine's directory: what openEngine() uses under `dataDir`. */
  readonly path: string
  readonly files: UserFiles
  close(): void
}

export function openChdbAs(dataDir: string, user: string, o: UserFilesOptions = {}): ChdbAsUser {
  const files = writeUserFiles(resolve(dataDir, 'users-d'), user, o)
  const path = resolve(dataDir, 'clickhouse')
  const holder = new Session(path, { connectionArgs: [`--config-file=${files.configFile}`] })
  return { path, files, close: () => holder.close() }
}
