// A NetFlow v9 template of the fields a few fault tests send: addresses, ports,
// protocol, bytes, packets and the flow's times (records give them in this order).
export const FLOW_TEMPLATE = {
  id: 256,
  fields: [
    { id: 8, length: 4 }, // IPV4_SRC_ADDR
    { id: 12, length: 4 }, // IPV4_DST_ADDR
    { id: 7, length: 2 }, // L4_SRC_PORT
    { id: 11, length: 2 }, // L4_DST_PORT
    { id: 4, length: 1 }, // PROTOCOL
    { id: 1, length: 4 }, // IN_BYTES
    { id: 2, length: 4 }, // IN_PKTS
    { id: 22, length: 4 }, // FIRST_SWITCHED
    { id: 21, length: 4 }, // LAST_SWITCHED
  ],
}
