// Calls to the collector's /api (same origin only) and the login dialog it may ask for.
const $ = (sel) => document.querySelector(sel)
let onLogin = () => undefined

export async function api(path, init) {
  const res = await fetch(path, init)
  const body = await res.json().catch(() => ({ error: `HTTP ${res.status}` }))
  if (res.status === 401) showLogin()
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`)
  return body
}

export const qs = (o) =>
  new URLSearchParams(
    Object.entries(o)
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => [k, String(v)]),
  )

// Login: the API token, exchanged for an HttpOnly session cookie (POST /api/login).
function showLogin() {
  const d = $('#login')
  if (!d.open) d.showModal()
}

async function logIn(ev) {
  ev.preventDefault()
  const err = $('#login-error')
  const res = await fetch('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: $('#login-token').value }),
  })
  if (!res.ok) {
    const body = await res.json().catch(() => ({}))
    err.textContent = body.error ?? `HTTP ${res.status}`
    err.hidden = false
    return
  }
  err.hidden = true
  $('#login-token').value = ''
  $('#login').close()
  onLogin()
}

/** Wire the login form; `then` runs after a successful login. */
export function setUpLogin(then) {
  onLogin = then
  $('#login-form').addEventListener('submit', (ev) => void logIn(ev))
}
