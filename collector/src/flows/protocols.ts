// IANA protocol names live with the decoder (they also fill the WASM string table).
export { protocolName } from '@flowloft/decoder-wasm'
