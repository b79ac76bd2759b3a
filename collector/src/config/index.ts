// The configuration loader every component declares its settings for (setting.ts): the
// kinds of setting, YAML/environment/flag loading, the error that names the key, and the
// printed configuration and help. It imports no component; collector/src/settings.ts
// lists the components' sections.
export { ConfigError } from './errors.js'
export { isMapping } from './mapping.js'
export { formatListen, parseListen, type ListenAddress } from './listen-address.js'
export {
  section,
  setting,
  Values,
  type Origin,
  type Section,
  type Setting,
  type SettingDef,
  type SettingSpec,
} from './setting.js'
export {
  asText,
  bool,
  choice,
  commaList,
  int,
  intList,
  listen,
  maskUrl,
  schedule,
  text,
  url,
} from './kinds.js'
export { loadSection, loadSettings, type LoadInput, type LoadOptions } from './load.js'
export { printable, settingsHelp } from './print.js'
