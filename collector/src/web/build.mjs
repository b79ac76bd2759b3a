// Builds the web UI into dist/web: our files as they are, uPlot (ESM and CSS) copied
// from node_modules, so the UI works with no internet. Run after tsc (`npm run build`).
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const src = dirname(fileURLToPath(import.meta.url))
const out = join(src, '..', '..', 'dist', 'web')
mkdirSync(out, { recursive: true })
for (const name of readdirSync(src)) {
  if (/\.(html|js|css|svg|png|ico)$/.test(name)) copyFileSync(join(src, name), join(out, name))
}
const uplot = join(dirname(createRequire(import.meta.url).resolve('uplot')), '')
copyFileSync(join(uplot, 'uPlot.esm.js'), join(out, 'uplot.js'))
copyFileSync(join(uplot, 'uPlot.min.css'), join(out, 'uplot.css'))
console.log(`web UI built into ${out}`)
