// Just enough XML for ClickHouse's configuration files: elements, attributes, text and
// comments (no CDATA, entities beyond the five predefined ones, or processing
// instructions), for tests that read what the appliance deploys.

export interface XmlElement {
  name: string
  attributes: Record<string, string>
  children: XmlElement[]
  text: string
}

const TOKEN =
  /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<\/([\w.-]+)\s*>|<([\w.-]+)((?:\s+[\w.:-]+\s*=\s*"[^"]*")*)\s*(\/?)>|[^<]+/g
const ATTRIBUTE = /([\w.:-]+)\s*=\s*"([^"]*)"/g

export function parseXml(source: string): XmlElement {
  const root: XmlElement = { name: '', attributes: {}, children: [], text: '' }
  const stack = [root]
  let consumed = 0
  for (const m of source.matchAll(TOKEN)) {
    if (m.index !== consumed) throw new Error(`xml: cannot parse at offset ${consumed}`)
    consumed += m[0].length
    const top = stack[stack.length - 1] ?? root
    const [token, closing, opening, attrs, selfClosing] = m
    if (token.startsWith('<!--') || token.startsWith('<?')) continue
    if (closing !== undefined) {
      if (closing !== top.name) throw new Error(`xml: </${closing}> closes <${top.name}>`)
      stack.pop()
    } else if (opening !== undefined) {
      const e: XmlElement = { name: opening, attributes: {}, children: [], text: '' }
      for (const a of (attrs ?? '').matchAll(ATTRIBUTE))
        e.attributes[a[1] ?? ''] = unescape(a[2] ?? '')
      top.children.push(e)
      if (selfClosing !== '/') stack.push(e)
    } else {
      top.text += unescape(token)
    }
  }
  if (consumed !== source.length || stack.length !== 1) throw new Error('xml: unterminated')
  const [doc] = root.children
  if (!doc || root.children.length !== 1) throw new Error('xml: want one root element')
  return doc
}

/** The one child named `name`; absent is an error unless `optional`. */
export function child(e: XmlElement, name: string): XmlElement
export function child(e: XmlElement, name: string, optional: true): XmlElement | undefined
export function child(e: XmlElement, name: string, optional = false): XmlElement | undefined {
  const found = e.children.filter((c) => c.name === name)
  if (found.length > 1) throw new Error(`xml: <${e.name}> has ${found.length} <${name}>`)
  if (!found[0] && !optional) throw new Error(`xml: <${e.name}> has no <${name}>`)
  return found[0]
}

export function children(e: XmlElement | undefined): XmlElement[] {
  return e?.children ?? []
}

/** The element's text, trimmed; '' for an absent element. */
export function text(e: XmlElement | undefined): string {
  return e?.text.trim() ?? ''
}

function unescape(t: string): string {
  return t
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&')
}
