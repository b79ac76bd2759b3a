// The guard of every endpoint that changes state: an HMAC-signed request (auth.ts) or
// the configured bearer token. Requests carrying a signature header are checked as
// HMAC, the others as bearer. With neither configured, changes through the API are
// refused (403) rather than left open. Refusals are logged without any credential.
import type { MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { rateLimited, type Logger } from '../observability/log.js'
import { bearerAuth, FUTURE_SECONDS, hmacAuth, SIGNATURE_HEADER } from './auth.js'
import { createNonceStore } from './nonce-store.js'

export interface MutationAuthConfig {
  /** HMAC-SHA256 key; empty turns signed requests off. */
  hmacKey: string
  /** Bearer token; empty turns bearer requests off. */
  bearerToken: string
  /** How old a signed request's timestamp may be, seconds (ahead: FUTURE_SECONDS). */
  windowSeconds: number
  /** Where accepted signatures are kept across restarts (data_dir); none: in memory. */
  nonceFile?: string
}

export const NO_AUTH_CONFIGURED =
  'changes through the API are turned off: configure api.hmac_key or api.bearer_token'

export function mutationAuth(a: MutationAuthConfig, log: Logger): MiddlewareHandler {
  const complain = rateLimited(log)
  const hmac =
    a.hmacKey === ''
      ? null
      : hmacAuth({
          key: a.hmacKey,
          windowSeconds: a.windowSeconds,
          nonces: createNonceStore({
            file: a.nonceFile ?? null,
            windowSeconds: a.windowSeconds + FUTURE_SECONDS,
            onError: (op, err) =>
              log.error(`could not ${op} the HMAC nonce file`, {
                file: a.nonceFile,
                error: err.message,
              }),
          }),
          onReplay: () =>
            complain('replay', 'API change refused: signature already used (replay)', {}),
        })
  const bearer = a.bearerToken === '' ? null : bearerAuth(a.bearerToken)
  return async (c, next) => {
    if (!hmac && !bearer) throw new HTTPException(403, { message: NO_AUTH_CONFIGURED })
    const signed = c.req.header(SIGNATURE_HEADER) !== undefined
    const check = signed ? hmac : bearer
    try {
      if (!check) throw new HTTPException(401, { message: 'unauthorized' })
      await check(c, next)
    } catch (err) {
      if (err instanceof HTTPException && err.status === 401) {
        complain('refused', 'API change refused: missing or bad credentials', {
          method: c.req.method,
          path: c.req.path,
          scheme: signed ? 'hmac' : 'bearer',
        })
      }
      throw err
    }
  }
}
