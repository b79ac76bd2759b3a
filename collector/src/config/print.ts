// What `flowloft config` and `flowloft help settings` print: the effective configuration
// (secrets masked) and every setting with its flag, environment variable and default.
import type { SettingDef, Values } from './setting.js'

/** The effective configuration as YAML-like text, secrets masked. */
export function printable(values: Values): string {
  return values.settings.map((d) => `${d.path}: ${JSON.stringify(d.shown(values))}`).join('\n')
}

export function settingsHelp(settings: readonly SettingDef[]): string {
  const rows = settings.map(
    (d) =>
      `  ${d.path}  --${d.flag}  ${d.env}\n      ${d.help} (default ${JSON.stringify(d.default)})`,
  )
  return `settings (YAML path / flag / environment variable):\n${rows.join('\n')}\n`
}
