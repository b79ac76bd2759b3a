// A datagram's outcome: the codes are generated from contract/abi.json (statuses), where
// the host's reason labels come from too. A datagram is never decoded by throwing: every
// path returns one of these.
export * from './generated/status'
