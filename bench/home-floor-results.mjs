// bench/RESULTS.md's section for bench/home-floor.mjs (bench/out/home-floor.json).
const mib = (b) => (b / 2 ** 20).toFixed(0)

export function homeFloorSection(f, machineLine) {
  const e = f.engine
  const r = f.receive
  const receive = (how, x) =>
    `| receiving alone, ${how} | ${x.usPerFlow.toFixed(1)} µs per flow (${x.received} of ${x.sent} datagrams received, ${x.pauses} pauses) |`
  return [
    '## The floor under the home-rate figures (`make bench`, bench/home-floor.mjs)',
    '',
    `Machine: ${machineLine(f.machine)}. Each part flowloft is built on, in a process that does only that: ${f.rate.toLocaleString('en')} flows/s of the home-rate bench's softflowd export for ${f.seconds} s; inserts of ${f.rows.toLocaleString('en')} rows of that export decoded with every enricher (RowBinary, as the writer sends them), merges stopped, the median of ${f.engine.rounds} interleaved rounds.`,
    '',
    '| part | cost |',
    '|---|---|',
    `| Node.js alone, idle | RSS ${mib(f.bareNodeRssBytes)} MiB |`,
    `| the embedded engine with the schema, idle | RSS ${mib(e.idle.rssBytes)} MiB (${mib(e.idle.anonBytes)} anonymous; ${e.idle.largestFiles.map((x) => `${x.name} ${mib(x.bytes)}`).join(', ')} MiB mapped) |`,
    receive('each datagram as it comes', r.asComes),
    receive('in bursts (`listen.quiet_read_ms`)', r.inBursts),
    `| an insert into \`flows\` with the schema's ${e.views} views | ${e.insertEveryViewUsPerRow.toFixed(2)} µs per row |`,
    `| an insert into \`flows\` alone | ${e.insertFlowsAloneUsPerRow.toFixed(2)} µs per row |`,
    `| the ${e.merge.parts} parts of \`flows\` merged into one | ${e.merge.usPerRow.toFixed(2)} µs per row merged (${(e.merge.rows / e.merge.stored).toFixed(1)} merges per row) |`,
    '',
    `The floor per flow (receiving in bursts, the insert with the views, one merge of its row): ${f.floorUsPerFlow.toFixed(1)} µs, against issue #22's goal of ${f.goals.usPerFlow} µs for everything; without any view ${(r.inBursts.usPerFlow + e.insertFlowsAloneUsPerRow + e.merge.usPerRow).toFixed(1)} µs. The engine idle: ${mib(e.idle.rssBytes)} MiB, against goals of ${f.goals.idleRssMiB} MiB idle and ${f.goals.busyRssMiB} MiB at ${f.rate.toLocaleString('en')} flows/s.`,
  ].join('\n')
}
