// What YAML and JSON give for a mapping: an object that is neither null nor a list.
export const isMapping = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
