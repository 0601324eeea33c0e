/**
 * The markdown section of bench/startup.mjs: CLI start-up (issue 19, part 4).
 */
import { fmt, markdownTable, verdict } from './common.mjs';

/**
 * The same bench on the version before lazy loading (46c5c7a: main.ts registered every command
 * module, each importing the engine, stores and agents), run twice on this machine on 2026-12-06,
 * each back to back with this version (`CONVERGE_BENCH_DIST=<that commit's build>/dist node
 * bench/startup.mjs --runs=12`): 0.95–1.16 s of CPU per command.
 */
export const BEFORE = {
  commit: '46c5c7a',
  ratio: { '--help': '7.8–8.1', list: '8.0–8.2', 'status ID': '8.2–8.4' },
};

/**
 * Where a command's CPU goes above `node -e 0`, from a CPU timeline of `converge status ID` on
 * this machine (process.cpuUsage marks in a copy of the build, 2026-12-06) and imports timed alone.
 */
const WHY =
  'Where the rest goes (`status`, a CPU timeline of one run): Node\'s own start-up is the `node -e 0` share; on top, commander ≈ 25–30 ms to import and set up, ' +
  'better-sqlite3 ≈ 30 ms (its loader `bindings` searching for the addon, then loading the native addon on the first open), node:zlib + node:crypto ≈ 10 ms (the event codec), ' +
  'opening the store ≈ 10 ms (quick_check, migrations check, preparing its statements), reading and folding the log ≈ 10 ms, and loading the CLI\'s own ~45 modules the rest. ' +
  'Bundling was tried and measured: esbuild (ESM, code-split) cut `status` from about 60 loaded files to 38 with no CPU change within the noise, so the cost is compiling and running code, not finding files; ' +
  'Node 20 has no compile cache (module.enableCompileCache is 22.1+). The remaining levers are outside the CLI: skipping `bindings` (better-sqlite3\'s nativeBinding option), ' +
  'loading node:crypto only when a definition is hashed, and preparing the store\'s statements on first use.';

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
        `${fmt(row.ratio)}× (${ms(row.cpuMs)} vs ${ms(r.baseCpuMs)}${before ? `; before: ${before}×` : ''})`,
        verdict(row.ratio <= r.target),
      ];
    });
  lines.push(markdownTable(['target', 'measured', 'result'], targets), '');
  if (r.rows.some((row) => row.name !== 'node -e 0' && row.ratio > r.target)) lines.push(WHY, '');
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
