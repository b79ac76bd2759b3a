// The insert-views bench's section of bench/RESULTS.md (bench/insert-views.mjs,
// bench/out/insert-views.json).
export function insertViewsSection(v, machineLine) {
  const lines = [
    '## What each rollup view adds to an insert (`make bench`, bench/insert-views.mjs)',
    '',
    `Machine: ${machineLine(v.machine)}. The embedded engine in the bench's process, merges stopped: inserts of ${v.rows.toLocaleString('en')} rows (a window at 1,000 flows/s) into \`flows\`, ${v.inserts} per step, first with every view, then with the views detached one step at a time (the earlier steps' stay detached); µs of CPU per inserted row, the median of ${v.rounds} interleaved rounds. A step's difference is that view's cost.`,
    '',
    '| step | µs per row | the view |',
    '|---|---|---|',
  ]
  for (const s of v.steps)
    lines.push(
      `| ${s.viewUsPerRow === undefined ? s.name : `without ${s.name}`} | ${s.usPerRow.toFixed(2)} | ${s.viewUsPerRow === undefined ? '' : s.viewUsPerRow.toFixed(2)} |`,
    )
  return lines.join('\n')
}
