// The household features' section of bench/RESULTS.md (bench/household.mjs and
// bench/anonymise-clear.mjs, bench/out/household.json and anonymise-clear.json).
const us = (v) => (v == null ? '-' : v.toFixed(1))

export function householdSection(h, clear, machineLine) {
  const lines = ['## Household features on against off (`make bench`, bench/household.mjs)', '']
  if (h) {
    const off = h.endToEnd.find((r) => r.name === 'off')
    const end = h.machine.loadAverageAtEnd?.[0]
    lines.push(
      `Machine: ${machineLine({ ...h.machine, loadAverageAtStart: h.machine.loadAverageAtStart?.[0] })}${end == null ? '' : `, ${end.toFixed(2)} at end`}. Off: every enricher on, as bench/e2e.mjs and home-rate.mjs run it. On: also device names (a dnsmasq DHCP leases file), the names clients asked for (a Pi-hole / dnsmasq query log naming the remote addresses after apps of the bundled list), alerts and usage caps checked every 10 s, and anonymise.addresses both; on+clear adds anonymise.clear_days 3 (clear rows into flows_clear, the addresses mapped by its view in ClickHouse).`,
      '',
      `Worker path (one core, the decode worker's whole per-batch work, median of interleaved rounds): on = ${h.names} device names published and anonymise both.`,
      '',
      '| protocol | off M records/s | on M records/s | off µs/record | on µs/record | on / off cost |',
      '|---|---|---|---|---|---|',
    )
    for (const w of h.worker)
      lines.push(
        `| ${w.protocol} | ${(w.off / 1e6).toFixed(2)} | ${(w.on / 1e6).toFixed(2)} | ${w.usOff.toFixed(3)} | ${w.usOn.toFixed(3)} | ${w.ratio.toFixed(2)}x |`,
      )
    lines.push(
      '',
      `End to end: \`flowloft serve\` (embedded engine), softflowd NetFlow v9 from one exporter at ${h.rate.toLocaleString('en')} flows/s for ${h.seconds} s, each case in a new collector; process CPU of the collector's tree from the start of sending to 5 s after all is stored, per stored flow.`,
      '',
      '| case | sent | stored | stored / sent | flows/s held | CPU | µs per stored flow | / off |',
      '|---|---|---|---|---|---|---|---|',
    )
    for (const r of h.endToEnd)
      lines.push(
        `| ${r.name} | ${r.sent} | ${r.stored} | ${((r.stored / r.sent) * 100).toFixed(2)}% | ${r.held.toFixed(0)} | ${r.cpuSeconds.toFixed(2)} s | ${us(r.usPerFlow)} | ${(r.usPerFlow / off.usPerFlow).toFixed(2)}x |`,
      )
    const x = h.endToEnd.find((r) => r.name === 'on+clear')?.extra
    if (x)
      lines.push(
        '',
        `In the on+clear case ${x.named} of ${x.n} rows of flows_clear had a host name, ${x.remoteNamed} a remote one from the query log, ${x.apps} an app.`,
      )
  }
  if (clear) {
    const c = clear.cpuUsPerRow
    lines.push(
      '',
      `anonymise.clear_days in ClickHouse (bench/anonymise-clear.mjs): engine CPU per 1,000 rows inserted in batches of ${clear.batchRows} (median of ${clear.rounds}; load average ${clear.loadavg[0].toFixed(2)}): into flows directly ${c.off.toFixed(0)} ms, into flows_clear with the view ${c.local.toFixed(0)} ms (mode local) and ${c.both.toFixed(0)} ms (both).`,
    )
  }
  return lines.join('\n')
}
