// Every grant users.d gives the collector is needed: with any one of them left out of the
// users file chdb enforces, a step of the collector's work is refused with ACCESS_DENIED,
// unless another grant implies it (then leaving both out is refused). The exception is
// SELECT on system.*: chdb lets every user read system tables (users-d.ts), so here it
// cannot be refused; on the server the disk-limit job (system.parts) and the detached
// parts report (system.detached_parts) need it. With all of them, collector-grants.test.ts
// runs the whole collector clean.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { drainPending } from 'chdb'
import { openChdbAs } from '../support/chdb-as-user.js'
import { collectorLife, type Refusal } from '../support/collector-life.js'
import { readUsersD } from '../support/users-d.js'

const grants = readUsersD().get('collector')?.grants ?? []
/** Grants another one implies: ALL ON flowloft.* includes CREATE DATABASE on flowloft. */
const IMPLIED = new Map([['GRANT CREATE DATABASE ON flowloft.*', 'GRANT ALL ON flowloft.*']])
/** Grants chdb does not enforce (system tables are readable by every user). */
const NOT_ENFORCED = new Set(['GRANT SELECT ON system.*'])

async function refusedWithout(drop: string[]): Promise<Refusal | undefined> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fl-grant-needed-'))
  const chdb = openChdbAs(dataDir, 'collector', { drop })
  try {
    const refused = await collectorLife(dataDir)
    console.log(
      `without ${drop.join(' + ')}: ${refused ? `${refused.step} refused` : 'nothing refused'}`,
    )
    return refused
  } finally {
    chdb.close()
    await drainPending()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

void test('users.d gives the collector grants', () => {
  assert.ok(grants.length > 0)
})

for (const grant of grants) {
  const by = IMPLIED.get(grant)
  if (NOT_ENFORCED.has(grant)) {
    void test(`without "${grant}" chdb still lets the collector read system tables`, async () => {
      // If this fails chdb enforces the grant now: move it out of NOT_ENFORCED.
      assert.equal(await refusedWithout([grant]), undefined)
    })
    continue
  }
  void test(`without "${grant}" the collector is refused`, async () => {
    if (by !== undefined) {
      assert.equal(await refusedWithout([grant]), undefined, `${grant} is implied by ${by}`)
    }
    const refused = await refusedWithout(by === undefined ? [grant] : [grant, by])
    assert.ok(refused, 'nothing was refused')
    assert.match(refused.message, /ACCESS_DENIED|Not enough privileges/, refused.message)
  })
}
