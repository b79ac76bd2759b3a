// bench/RESULTS.md's section for bench/jobs.mjs (bench/out/jobs.json).
const us = (seconds, flows) => ((seconds / flows) * 1e6).toFixed(3)

export function jobsSection(j, machineLine) {
  const day = (s) =>
    `${s.toFixed(0)} s, ${((s / (86_400 * j.rate)) * 1e6).toFixed(2)} µs per stored flow`
  const lines = [
    '## The jobs that read raw flows, a day at home rates (`make bench`, bench/jobs.mjs)',
    '',
    `Machine: ${machineLine(j.machine)}. ${j.hours} h of a home network at ${j.rate.toLocaleString('en')} flows/s (bench/history-fill.mjs) on the embedded engine; process CPU of each job, the median of 3 runs. A summary (top ${j.top} per exporter) as the collector runs it (from candidates, for windows past 5 minutes) and with every conversation ranked at once (as before the candidates, and as the 5-minute window still does); both gave the same answers.`,
    '',
    '| window | flows read | as the collector runs it | every conversation ranked at once | ratio |',
    '|---|---|---|---|---|',
  ]
  for (const w of j.windows)
    lines.push(
      `| ${w.minutes} min | ${(w.flows / 1e6).toFixed(1)} M | ${w.candidates.seconds.toFixed(3)} s (${us(w.candidates.seconds, w.flows)} µs per flow; ${w.candidates.fullRankings} of 3 ranked in full) | ${w.everyConversation.seconds.toFixed(3)} s (${us(w.everyConversation.seconds, w.flows)}) | ${(w.everyConversation.seconds / w.candidates.seconds).toFixed(2)}x |`,
    )
  lines.push(
    '',
    `A day at ${j.rate.toLocaleString('en')} flows/s (the default windows 5, 20, 60, 480 and 1,440 minutes each read every flow once; the longer two at the ${j.windows[j.windows.length - 1].minutes}-minute rate): summaries ${day(j.day.summariesSeconds)} (every conversation ranked: ${day(j.day.summariesEveryConversationSeconds)}); the prefix learner's read of the last 15 minutes every 5 minutes (${j.learner.seconds.toFixed(3)} s a run) ${day(j.day.learnerSeconds)}.`,
  )
  return lines.join('\n')
}
