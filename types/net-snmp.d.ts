// The part of net-snmp (CommonJS, no bundled types) the SNMP interface poller uses:
// a v1/v2c community session and its subtree walk.
declare module 'net-snmp' {
  export interface Varbind {
    oid: string
    /** An ObjectType code: 4 OctetString, 66 Gauge32, 128..130 the exception values. */
    type: number
    value: unknown
  }

  export interface SessionOptions {
    port?: number
    retries?: number
    timeout?: number
    backoff?: number
    transport?: 'udp4' | 'udp6'
    version?: number
  }

  export interface Session {
    /** Walks `oid` with GetBulk (v2c); `feed` returning true stops early; `done` ends it. */
    subtree(
      oid: string,
      maxRepetitions: number,
      feed: (varbinds: Varbind[]) => boolean | undefined,
      done: (error: Error | null) => void,
    ): Session
    close(): Session
    on(event: 'error', listener: (error: Error) => void): Session
  }

  export function createSession(
    target: string,
    community: string,
    options?: SessionOptions,
  ): Session
  export function isVarbindError(varbind: Varbind): boolean
  export const Version2c: number
  export class RequestTimedOutError extends Error {}
}
