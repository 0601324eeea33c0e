/**
 * The markdown section of bench/log-length.mjs: cost with log length (issue 19, part 2).
 */
import { fmt, markdownTable, verdict } from './common.mjs';

/**
 * The same bench on the version before this scheme (46c5c7a: a full-state snapshot every 50
 * events, a reducer that filters every output and validation again), run on this machine on
 * 2026-12-06 13:50 UTC (load average 19) with `node --expose-gc bench/log-length.mjs` against that
 * commit's build. The issue measured 5.8 ms per transition, a 52 ms load and a 518 ms replay at
 * 10,000 events on another log.
 */
export const BEFORE = {
  commit: '46c5c7a',
  perTransitionMs: { 100: 1.04, 10000: 3.86 },
  loadMs10k: 66.2,
  replayMs: { 1000: 16.1, 10000: 151.2 },
  copiedPerEvent10k: 105.5,
};

const ms = (value, digits = 2) => `${fmt(value, digits)} ms`;

export function logLengthSection(r) {
  const first = r.rows[0];
  const last = r.rows.at(-1);
  const mid = r.rows.length > 2 ? r.rows[r.rows.length - 2] : first;
  const lines = ['### Cost with log length (one workflow, SQLite)', ''];
  lines.push(
    markdownTable(
      ['events', 'CPU / transition', 'of which fold + decide + append', 'snapshot write (one per)', 'snapshot, amortized / transition', 'state copied / event', 'load (CPU)', 'load: snapshot + events + fold', 'full replay (CPU)', 'state JSON / snapshot stored'],
      r.rows.map((row) => [
        row.length.toLocaleString('en-US'),
        ms(row.cpuMsPerTransition, 3),
        ms(row.appendMs, 3),
        `${ms(row.snapshotWriteMs, 1)} (${row.snapshotEvery} events)`,
        ms(row.amortizedSnapshotMs, 3),
        `${fmt(row.copiedPerEvent, 1)} events`,
        ms(row.loadMs),
        `${fmt(row.loadParts.snapshotMs, 1)} + ${fmt(row.loadParts.eventsMs, 1)} + ${fmt(row.loadParts.foldMs, 1)} ms (${row.loadParts.eventsAfterSnapshot} events)`,
        ms(row.replayMs, 1),
        `${fmt(row.stateBytes / 1024, 0)} KB / ${fmt(row.snapshotBytes / 1024, 0)} KB`,
      ]),
    ),
    '',
  );
  const flat = last.cpuMsPerTransition / first.cpuMsPerTransition;
  const replayRatio = last.replayMs / mid.replayMs;
  const lengthRatio = last.length / mid.length;
  const copiedRatio = last.copiedPerEvent / mid.copiedPerEvent;
  const targets = [
    [
      `CPU per transition at ${last.length.toLocaleString('en-US')} events ≤ 1.5× at ${first.length.toLocaleString('en-US')}`,
      `${fmt(flat)}× (${ms(first.cpuMsPerTransition, 3)} → ${ms(last.cpuMsPerTransition, 3)}; before, 100 → 10,000 events: ${ms(BEFORE.perTransitionMs[100])} → ${ms(BEFORE.perTransitionMs[10000])})`,
      verdict(flat <= 1.5),
    ],
    [
      `load (resume, status, show) at ${last.length.toLocaleString('en-US')} events ≤ 20 ms`,
      `${ms(last.loadMs, 1)} (before, at 10,000 events: ${ms(BEFORE.loadMs10k, 1)})`,
      verdict(last.loadMs <= 20),
    ],
    [
      `full replay O(n): ${mid.length.toLocaleString('en-US')} → ${last.length.toLocaleString('en-US')} events costs ≤ 1.5 × ${fmt(lengthRatio, 1)}`,
      `${fmt(replayRatio, 1)}× (${ms(mid.replayMs, 1)} → ${ms(last.replayMs, 1)}; before, 1,000 → 10,000 events: ${ms(BEFORE.replayMs[1000], 1)} → ${ms(BEFORE.replayMs[10000], 1)}, O(n²))`,
      verdict(replayRatio <= 1.5 * lengthRatio),
    ],
    [
      `snapshots bounded: state copied per event at ${last.length.toLocaleString('en-US')} ≤ 2× at ${mid.length.toLocaleString('en-US')}`,
      `${fmt(copiedRatio)}× (${fmt(mid.copiedPerEvent, 1)} → ${fmt(last.copiedPerEvent, 1)} events' worth per event; before: ${BEFORE.copiedPerEvent10k} at 10,000, growing with the log)`,
      verdict(copiedRatio <= 2),
    ],
  ];
  lines.push(markdownTable(['target', 'measured', 'result'], targets), '');
  if (last.loadMs > 20) {
    const p = last.loadParts;
    const apart = p.snapshotMs + p.eventsMs + p.foldMs;
    lines.push(
      `Load missed: of its ${ms(last.loadMs, 1)}, reading the snapshot (${fmt(last.snapshotBytes / 1024, 0)} KB stored) and parsing its ` +
        `${fmt(last.stateBytes / 1024 / 1024, 1)} MB of JSON takes ${ms(p.snapshotMs, 1)} timed alone, proportional to the state, and reading and folding the ` +
        `${p.eventsAfterSnapshot} events after it ${ms(p.eventsMs + p.foldMs, 1)} (each part timed alone after a GC, median of ${r.loads}; ${ms(apart, 1)} together). ` +
        'The snapshot is inflated in 1 MB chunks (~2 ms) and written ASCII-only, so its text decodes to a one-byte string (~17 ms for 5 MB; 36 ms two-byte); ' +
        'what remains is `JSON.parse` of the whole state, ~14 ms at best on this machine for 5 MB, most of the 20 ms on its own, and more when the heap ' +
        'must grow to hold it: by hand on this 10,000-event log (2026-12-06, load average 6–9), `loadSnapshot` took 12–15 ms of CPU in a process ' +
        'that had loaded it many times, 20–120 ms (a third of it system time, the pages of new heap) in one just collected, and 120–160 ms as the first ' +
        'call of a fresh process, which is what `converge status` is. ' +
        'The state holds every run, version and validation, so any load that builds it whole parses all of it; reaching 20 ms needs a state that keeps ' +
        'the history out and has views read it from the store when they show it. The events after the snapshot are the price of the flat transition ' +
        `cost: past 1,000 events a snapshot falls every sixteenth of the log (${last.snapshotEvery} events here), where one every 50 left at most 49; ` +
        'incremental snapshots (each writing only the records added since the one before) would let them fall every 50 events again at a bounded cost.',
      '',
    );
  }
  lines.push(
    `Method: one workflow's log on a SQLite file (WAL, synchronous=NORMAL) grows by plan revision rounds — the events of a real instant run's plan loop ` +
      `(output, validation, the step scheduled next), each round's text made unique — appended two events per transition through \`appendEvents\`, ` +
      `as the runner appends them, with the runner's fold and \`decide()\` before each. At each length: **CPU / transition** is this process's CPU ` +
      `(\`process.cpuUsage\`) over ${r.window} transitions, median of ${r.rounds} rounds that take the lengths in turn (the shorter ones from a log fresh at ` +
      `that length), with the snapshot writes that fell among them taken out, plus the snapshot write ` +
      `amortized (one write at this length, timed alone, × events per transition ÷ events between snapshots at this length); **state copied / event** ` +
      `sums the seq of every snapshot written so far (a snapshot at seq s copies a state built from s events) over the events of the log; **load** is ` +
      `\`loadState\` (what resume, \`status\` and \`show\` call), median of ${r.loads}, with its parts timed separately; **full replay** is \`reduce\` over ` +
      `every event (events already read). A GC runs before each timed step (\`--expose-gc\`). Snapshots fall every 50 events up to 1,000, then each ` +
      `time the log grows by a sixteenth (src/engine/workflow-log.ts). Machine: ${r.machine.cpu}, ${r.machine.cores} cores, load average ` +
      `${r.machine.loadAverage.map((l) => fmt(l, 1)).join(' ')}. Reproduce: \`npm run bench -- --only=log-length\`.`,
  );
  return lines.join('\n');
}
