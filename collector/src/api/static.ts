// The web UI: files built into dist/web (src/web/build.mjs), held in memory, served with
// their content type, an ETag, and caching: index.html is revalidated on every load;
// assets it references carry ?v=<hash> and are cached for a year.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Hono } from 'hono'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
}

interface Asset {
  body: Uint8Array
  type: string
  etag: string
  hash: string
}

export const WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url))

export function loadAssets(dir = WEB_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>()
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return assets
  }
  for (const name of names) {
    const type = TYPES[extname(name)]
    if (type === undefined) continue
    const body = readFileSync(join(dir, name))
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 16)
    assets.set(name, { body, type, etag: `"${hash}"`, hash })
  }
  // index.html names assets as /assets/NAME: pin each to its content.
  const index = assets.get('index.html')
  if (index) {
    const html = Buffer.from(index.body)
      .toString('utf8')
      .replace(/\/assets\/([\w.-]+)/g, (m, n: string) => {
        const a = assets.get(n)
        return a ? `${m}?v=${a.hash}` : m
      })
    const body = Buffer.from(html)
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 16)
    assets.set('index.html', { body, type: index.type, etag: `"${hash}"`, hash })
  }
  return assets
}

export function staticRoutes(assets = loadAssets()): Hono {
  const app = new Hono()
  const send = (
    a: Asset | undefined,
    ifNoneMatch: string | undefined,
    cache: string,
  ): Response | undefined => {
    if (!a) return undefined
    const headers = { 'content-type': a.type, etag: a.etag, 'cache-control': cache }
    if (ifNoneMatch === a.etag) return new Response(null, { status: 304, headers })
    return new Response(a.body, { status: 200, headers })
  }
  app.get('/', (c) => {
    const r = send(assets.get('index.html'), c.req.header('if-none-match'), 'no-cache')
    return (
      r ??
      c.text('the web UI is not built: run `npm run build` in collector/\n', 503, {
        'cache-control': 'no-store',
      })
    )
  })
  app.get('/assets/:name', (c) => {
    const name = c.req.param('name')
    const a = name === 'index.html' ? undefined : assets.get(name)
    const pinned = a !== undefined && c.req.query('v') === a.hash
    const r = send(
      a,
      c.req.header('if-none-match'),
      pinned ? 'public, max-age=31536000, immutable' : 'no-cache',
    )
    return r ?? c.json({ error: `no asset ${name}` }, 404)
  })
  return app
}
