// The interface-counter record, one per sFlow generic interface counter block, written
// to the counter region: its layout is generated from contract/abi.json.
export * from './generated/counter-record'
