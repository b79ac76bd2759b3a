// The insert-views bench's section of bench/RESULTS.md (bench/insert-views.mjs,
// bench/out/insert-views.json).
export function insertViewsSection(v, machineLine) {
  const lines = [
    '## What each rollup view adds to an insert (`make bench`, bench/insert-views.mjs)',
    '',
    `Machine: ${machineLine(v.machine)}. The embedded engine in the bench's process, merges stopped: inserts of ${v.rows.toLocaleString('en')} rows (a window at 1,000 flows/s) into \`flows\`, ${v.inserts} per step, first with every view, then with the views detached one step at a time (the earlier steps' stay detached); µs of CPU per inserted row, the median of ${v.rounds} interleaved rounds. A step's difference is that view's cost. Where the table has a step \"every row through every view\", its views pass every row, as before migration 0011; in the next, the rollup job's marks are at the current hour, as the job keeps them, and the views of \`flows_hosts_1h\`, \`flows_hosts_1d\` and \`flows_pairs_1d\` pass no row (the difference is what 0011 saves). Those two steps insert with the tables' merge on insert (\`optimize_on_insert\`), as the writer did before; the step after them and the views' steps insert without it, as the writer does now (the difference is what that saves).`,
    '',
    '| step | µs per row | the view |',
    '|---|---|---|',
  ]
  for (const s of v.steps)
    lines.push(
      `| ${s.detaches === false || s.viewUsPerRow === undefined ? s.name : `without ${s.name}`} | ${s.usPerRow.toFixed(2)} | ${s.viewUsPerRow === undefined ? '' : s.viewUsPerRow.toFixed(2)} |`,
    )
  if (v.fixed)
    lines.push(
      '',
      `An insert's fixed cost: inserts of ${v.fixed.rows} rows, the median of ${v.fixed.rounds} interleaved rounds (merges stopped), cost ${v.fixed.everyView.ms.toFixed(1)} ms of CPU with every view (${v.fixed.everyView.systemMs.toFixed(1)} ms of it in the kernel; ${v.fixed.partsPerInsert} parts written) against ${v.fixed.flowsAlone.ms.toFixed(1)} ms into \`flows\` alone (${v.fixed.flowsAlone.systemMs.toFixed(1)} ms in the kernel).`,
    )
  if (v.roll)
    lines.push(
      '',
      `The rollup job's cost instead (clickhouse/rollup-schedule.ts): an hour of a home network at 1,000 flows/s (${v.roll.flows.toLocaleString('en')} flows of bench/history-fill.mjs's shape, ${v.roll.minuteRows.toLocaleString('en')} rows of \`flows_hosts_1m\` once merged) rolled into \`flows_hosts_1h\` cost ${v.roll.hours.usPerFlow.toFixed(2)} µs of CPU per flow of the hour, and into \`flows_hosts_1d\` and \`flows_pairs_1d\` ${v.roll.days.usPerFlow.toFixed(2)} µs.`,
    )
  return lines.join('\n')
}
