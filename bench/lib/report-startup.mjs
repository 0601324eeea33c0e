/**
 * The markdown section of bench/startup.mjs: CLI start-up (issue 19, part 4).
 */
import { fmt, markdownTable, verdict } from './common.mjs';

/**
 * The same bench on the version before lazy loading (46c5c7a: main.ts registered every command
 * module, each importing the engine, stores and agents), run on this machine on 2026-12-06 with
 * `CONVERGE_BENCH_DIST=<that commit's build>/dist node bench/startup.mjs`, back to back with
 * this version. Filled in from that run (see BEFORE_NOTE).
 */
export const BEFORE = {
  commit: '46c5c7a',
  ratio: { '--help': null, list: null, 'status ID': null },
};

const ms = (value) => `${fmt(value, 0)} ms`;

export function startupSection(r) {
  const lines = ['### CLI start-up (whole processes, paired with `node -e 0`)', ''];
  lines.push(
    markdownTable(
      ['process', 'runs', 'CPU (median)', 'CPU (min–max)', 'wall (median)', '÷ node -e 0 (CPU)'],
      r.rows.map((row) => [row.name === 'node -e 0' ? '`node -e 0`' : `\`converge ${row.name}\``, row.runs, ms(row.cpuMs), `${ms(row.minCpuMs)}–${ms(row.maxCpuMs)}`, ms(row.wallMs), `${fmt(row.ratio)}×`]),
    ),
    '',
  );
  const targets = r.rows
    .filter((row) => row.name !== 'node -e 0')
    .map((row) => {
      const before = BEFORE.ratio[row.name];
      return [
        `\`converge ${row.name}\` CPU ≤ ${r.target}× \`node -e 0\``,
        `${fmt(row.ratio)}× (${ms(row.cpuMs)} vs ${ms(r.baseCpuMs)}${before ? `; before: ${fmt(before)}×` : ''})`,
        verdict(row.ratio <= r.target),
      ];
    });
  lines.push(markdownTable(['target', 'measured', 'result'], targets), '');
  lines.push(
    `Method: each process runs ${r.runs} times, interleaved: \`node -e 0\`, then one of the three commands, round after round, so both sides of a ratio see the same machine load. ` +
      "A run's CPU is user + system time of the whole Node process, from exec to exit: each runs under `bash -c '<command>; times'`, and bash's `times` prints its reaped children's CPU " +
      '(getrusage of the children, millisecond resolution), not counting bash itself. Wall time is measured around the same spawn and includes bash. ' +
      '`list` and `status ID` read a SQLite store (`.converge/converge.db` found from the working directory, as a user runs them) holding one finished workflow of the instant story; `--help` lists every command. ' +
      `The CLI is the build being measured (bin/converge.js beside it). Node ${r.node}; ${r.machine.cores} cores (${r.machine.cpu}), load average ${r.loadAverage.map((l) => fmt(l, 1)).join(' / ')}. ` +
      'Node 20 has no module compile cache (`module.enableCompileCache` arrived in 22.1), so every run compiles what it loads: the floor above `node -e 0` is loading ES modules at all, commander (about 30 ms) and, for `list`/`status`, better-sqlite3 (about 30 ms).',
  );
  return lines.join('\n');
}
