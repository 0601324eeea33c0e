/**
 * CLI start-up (issue 19, part 4): `converge --help`, `converge list` and `converge status ID` as
 * whole processes, each paired with `node -e 0` (same machine, same moment), N times, interleaved.
 * Target: each command's median CPU ≤ 2× the median CPU of `node -e 0`.
 *
 * CPU of a child: every process runs under `bash -c '<cmd>; times'`. bash's `times` builtin
 * prints the user and system CPU of the shell's reaped children (getrusage(RUSAGE_CHILDREN),
 * millisecond resolution), i.e. the whole Node process from exec to exit, start-up and teardown
 * included, not counting bash itself. Node's own process.resourceUsage() cannot see a child's CPU.
 *
 *   node bench/startup.mjs [--runs=20]        (bench/run.js: --only=startup)
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { DIST, INSTANT_FIXTURE, ROOT, args, dist, emit, fmt, instantEngine, machine, median, startInstant, tempCopy } from './lib/common.mjs';

const a = args();
const runs = Number(a.get('runs') ?? (a.quick ? 5 : 20));
const TARGET = 2;

/**
 * bin/converge.js loads ../dist beside it, so the build being measured needs its own bin: a copy
 * of bin/converge.js next to a private build's dist/ (the private build links package.json).
 */
function binFor(distDir) {
  if (resolve(distDir) === resolve(ROOT, 'dist')) return join(ROOT, 'bin', 'converge.js');
  const bin = join(distDir, '..', 'bin', 'converge.js');
  if (!existsSync(bin)) {
    mkdirSync(join(distDir, '..', 'bin'), { recursive: true });
    copyFileSync(join(ROOT, 'bin', 'converge.js'), bin);
  }
  return bin;
}

/** A project folder with a small SQLite store (.converge/converge.db) holding one finished workflow. */
async function project() {
  const copy = tempCopy(INSTANT_FIXTURE, 'startup');
  const { openStore } = await dist('store/index.js');
  mkdirSync(join(copy.dir, '.converge'));
  const store = await openStore(join(copy.dir, '.converge', 'converge.db'));
  const engine = await instantEngine({ store, dir: copy.dir });
  const started = await startInstant(engine, copy.dir);
  await engine.runner.run(started.workflowId);
  await engine.close?.();
  await store.close();
  return { dir: copy.dir, id: started.workflowId, cleanup: copy.cleanup };
}

const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

/** One whole process under bash; its CPU (user + system, ms) from `times`, its wall time from here. */
function measure(argv, cwd) {
  const script = `${argv.map(quote).join(' ')} >/dev/null 2>/tmp/converge-bench-startup-stderr-$$ ; code=$?; rm -f /tmp/converge-bench-startup-stderr-$$; times; exit $code`;
  const t0 = performance.now();
  const result = spawnSync('bash', ['-c', script], { cwd, encoding: 'utf8' });
  const wallMs = performance.now() - t0;
  // `times` prints two lines: the shell's own user/sys, then its children's.
  const children = result.stdout.trim().split('\n').at(-1);
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(children ?? '');
  if (m === null) throw new Error(`could not read the CPU time of ${argv.join(' ')}: ${result.stdout}${result.stderr}`);
  const cpuMs = (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000;
  return { cpuMs, wallMs, status: result.status };
}

async function main() {
  const bin = binFor(DIST);
  const p = await project();
  try {
    const node = process.execPath;
    const cases = [
      ['--help', [node, bin, '--help']],
      ['list', [node, bin, 'list']],
      ['status ID', [node, bin, 'status', p.id]],
    ];
    const base = [node, '-e', '0'];
    // Each command must work before it is timed (a failing command would be fast and wrong).
    for (const [name, argv] of cases) {
      const r = spawnSync(argv[0], argv.slice(1), { cwd: p.dir, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`converge ${name} exited with ${r.status}: ${r.stderr}`);
    }
    measure(base, p.dir);
    const samples = { 'node -e 0': [], ...Object.fromEntries(cases.map(([n]) => [n, []])) };
    for (let i = 0; i < runs; i++) {
      // Interleaved: node -e 0 before each command, so both see the same machine load.
      for (const [name, argv] of cases) {
        samples['node -e 0'].push(measure(base, p.dir));
        samples[name].push(measure(argv, p.dir));
      }
    }
    const baseCpu = median(samples['node -e 0'].map((s) => s.cpuMs));
    const rows = Object.entries(samples).map(([name, list]) => {
      const cpuMs = median(list.map((s) => s.cpuMs));
      return { name, runs: list.length, cpuMs, wallMs: median(list.map((s) => s.wallMs)), ratio: cpuMs / baseCpu, minCpuMs: Math.min(...list.map((s) => s.cpuMs)), maxCpuMs: Math.max(...list.map((s) => s.cpuMs)) };
    });
    for (const r of rows) {
      process.stderr.write(`${r.name.padEnd(10)} CPU ${fmt(r.cpuMs, 0)} ms (${fmt(r.minCpuMs, 0)}–${fmt(r.maxCpuMs, 0)})  wall ${fmt(r.wallMs, 0)} ms  ${fmt(r.ratio, 2)}× node -e 0\n`);
    }
    emit({ bench: 'startup', runs, target: TARGET, baseCpuMs: baseCpu, rows, machine: machine(), node: process.versions.node, loadAverage: os.loadavg() });
  } finally {
    p.cleanup();
  }
}

await main();
