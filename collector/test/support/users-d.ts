// The appliance's ClickHouse users (deploy/clickhouse/users.d/flowloft.xml) as users files
// the embedded engine enforces. chdb runs every session as `default`, so the file written
// here gives `default` exactly one users.d user's grants and its profile's settings: a
// test that opens chdb under it runs with the rights that user has on the server, with one
// exception: chdb lets every user read every system table, where the server image's
// config.xml (select_from_system_db_requires_grant) wants a grant for most of them; the
// setting in a chdb --config-file has no effect (checked with chdb 3.4).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defaultUserXml, engineConfigXml } from '../../dist/clickhouse/engine-config.js'
import { child, children, parseXml, text } from './xml.js'

export const USERS_D = new URL('../../../deploy/clickhouse/users.d/flowloft.xml', import.meta.url)
  .pathname

export interface UsersDUser {
  name: string
  /** `GRANT ...` statements, in file order. */
  grants: string[]
  /** The settings of the user's profile. */
  settings: Record<string, string>
  /** The environment variable the server reads the password from. */
  passwordEnv: string
}

/** Every user of the users.d file, by name. */
export function readUsersD(path = USERS_D): Map<string, UsersDUser> {
  const root = parseXml(readFileSync(path, 'utf8'))
  const profiles = new Map<string, Record<string, string>>()
  for (const p of children(child(root, 'profiles'))) {
    profiles.set(p.name, Object.fromEntries(children(p).map((s) => [s.name, text(s)])))
  }
  const users = new Map<string, UsersDUser>()
  for (const u of children(child(root, 'users'))) {
    const profileName = text(child(u, 'profile', true))
    const settings = profileName === '' ? {} : profiles.get(profileName)
    if (!settings) throw new Error(`users.d: ${u.name} uses unknown profile ${profileName}`)
    const password = child(u, 'password', true)
    users.set(u.name, {
      name: u.name,
      grants: children(child(u, 'grants', true)).map(text),
      settings,
      passwordEnv: password?.attributes['from_env'] ?? '',
    })
  }
  return users
}

export interface UserFiles {
  user: UsersDUser
  /** `--config-file=` for the first chdb session on a data directory. */
  configFile: string
  usersFile: string
}

export interface UserFilesOptions {
  /** Leave these grants out (to prove a test needs them). */
  drop?: readonly string[]
  /** Statements after users.d's grants, e.g. a REVOKE (to see a refusal handled). */
  extra?: readonly string[]
  usersD?: string
}

/** Write a config and users file under `dir` that make `default` the users.d `name`. */
export function writeUserFiles(dir: string, name: string, o: UserFilesOptions = {}): UserFiles {
  const found = readUsersD(o.usersD).get(name)
  if (!found) throw new Error(`users.d has no user ${name}`)
  const drop = new Set(o.drop ?? [])
  for (const g of drop) if (!found.grants.includes(g)) throw new Error(`${name} has no ${g}`)
  const user = {
    ...found,
    grants: [...found.grants.filter((g) => !drop.has(g)), ...(o.extra ?? [])],
  }
  mkdirSync(dir, { recursive: true })
  const usersFile = join(dir, `${name}-users.xml`)
  const configFile = join(dir, `${name}-config.xml`)
  writeFileSync(
    usersFile,
    defaultUserXml(
      `users.d ${name} as chdb's default user (testing/users-d.ts)`,
      user.grants,
      user.settings,
    ),
  )
  writeFileSync(configFile, engineConfigXml(dir, usersFile))
  return { user, configFile, usersFile }
}
