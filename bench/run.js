/**
 * `npm run bench`: compiles src/ into a private build, then runs the four benchmarks, each in
 * its own process, prints one table per benchmark (with method, versions and machine) and writes
 * them to bench/results/latest.md (+ latest.json with every raw number).
 *
 *   npm run bench                      the reference run (6–9 minutes on 2 shared cores)
 *   npm run bench -- --quick           a smoke run with small sizes (results/quick.md)
 *   npm run bench -- --only=transitions,tokens      any of transitions, concurrency, recovery, tokens
 *   npm run bench -- --only=scale-pg --scale-pg-workflows=30000     optional, not in the default run
 *   npm run bench -- --reps=3 --workflows=1000 --pg-workflows=200    transition-bench sizes
 *   npm run bench -- --no-pg           skip the PostgreSQL rows
 *   npm run bench -- --use-dist        measure ./dist as built instead of compiling src/
 *
 * PostgreSQL: CONVERGE_BENCH_PG_URL uses a server you give; otherwise a throw-away cluster with
 * default durability is started (bench/lib/pg-server.mjs) and removed at the end. Without
 * PostgreSQL installed the row says why it was skipped.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, DIST, ROOT, args, machine, parseResult, versions } from './lib/common.mjs';
import { concurrencySection, header, recoverySection, tokensSection, transitionProfileMarkdown, transitionSection } from './lib/report.mjs';
import { logLengthSection } from './lib/report-log-length.mjs';
import { validationSection } from './lib/report-validation.mjs';
import { scalePgSection } from './lib/report-scale-pg.mjs';
import { startupSection } from './lib/report-startup.mjs';
import { startBenchPostgres } from './lib/pg-server.mjs';

const a = args();
const quick = a.quick;
// Every benchmark, in the order the report shows them; --only picks some (that run is a quick one).
const ALL = ['transitions', 'concurrency', 'recovery', 'tokens', 'log-length', 'validation', 'startup'];
// Not in ALL, so run only when named in --only (several minutes; bench/README.md): scale-pg.
const only = new Set((a.get('only') ?? ALL.join(',')).split(','));
const sizes = {
  workflows: Number(a.get('workflows') ?? (quick ? 50 : 1000)),
  reps: Number(a.get('reps') ?? (quick ? 1 : 3)),
  pgReps: Number(a.get('pg-reps') ?? 1),
  pgWorkflows: Number(a.get('pg-workflows') ?? (quick ? 20 : 200)),
  pgSyncWorkflows: Number(a.get('pg-sync-workflows') ?? (quick ? 10 : 50)),
  warmup: Number(a.get('warmup') ?? (quick ? 5 : 30)),
  concurrencyWorkflows: Number(a.get('concurrency-workflows') ?? (quick ? 50 : 1000)),
  heldWorkflows: Number(a.get('held-workflows') ?? (quick ? 50 : 10_000)),
  scalePgWorkflows: Number(a.get('scale-pg-workflows') ?? (quick ? 300 : 10_000)),
  recoveryWorkflows: Number(a.get('recovery-workflows') ?? 100),
  recoveryTrials: Number(a.get('recovery-trials') ?? (quick ? 1 : 3)),
};
const started = performance.now();
const log = (line) => process.stderr.write(`bench: ${line}\n`);

/**
 * Compiles src/ into a private folder laid out like the package (dist/ beside links to src/,
 * node_modules/ and package.json, which the built code uses to find its templates, definitions
 * and tools), so the benches measure one consistent build of the current source. --use-dist
 * measures ./dist as it is instead.
 */
function build() {
  if (a.has('use-dist')) return { dist: DIST, cleanup: () => {} };
  const root = mkdtempSync(join(os.tmpdir(), 'converge-bench-build-'));
  for (const name of ['src', 'node_modules', 'package.json']) symlinkSync(join(ROOT, name), join(root, name));
  log('compiling src/ into a private build (tsc -p tsconfig.build.json)…');
  const result = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(root, 'dist'), '--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'false'],
    { stdio: 'inherit', cwd: ROOT },
  );
  const cleanup = () => rmSync(root, { recursive: true, force: true });
  if (result.status !== 0) {
    cleanup();
    throw new Error('the build failed; the benchmarks measure the compiled source, fix the build first');
  }
  return { dist: join(root, 'dist'), cleanup };
}

/** Runs one bench script in its own Node process and returns its JSON result line. */
function runChild(script, argv, nodeFlags = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, join(BENCH_DIR, script), ...argv], {
      cwd: ROOT,
      env: { ...process.env, CONVERGE_BENCH_DIST: built.dist },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} ${argv.join(' ')} exited with ${code}\n${stdout.slice(-2000)}`));
      try {
        resolve(parseResult(stdout));
      } catch (error) {
        reject(error);
      }
    });
  });
}

async function transitions() {
  const t = { workflows: sizes.workflows, reps: sizes.reps, pgReps: sizes.pgReps, warmup: sizes.warmup, results: {} };
  const common = [`--workflows=${sizes.workflows}`, `--warmup=${sizes.warmup}`];
  const push = (system, result) => (t.results[system] ??= []).push(result);
  for (let rep = 0; rep < sizes.reps; rep++) {
    // Alternate which system goes first, so a change in machine load hits both alike.
    const order = rep % 2 === 0 ? ['converge-sqlite', 'langgraph-sqlite'] : ['langgraph-sqlite', 'converge-sqlite'];
    for (const system of order) {
      log(`transitions: ${system}, repetition ${rep + 1}/${sizes.reps}, ${sizes.workflows} workflows…`);
      push(system, await runChild('lib/transition-worker.mjs', [`--system=${system}`, ...common]));
    }
  }
  // The physical floor, one WAL commit, measured in the same run.
  log('transitions: one SQLite WAL commit (the floor)…');
  push('sqlite-commit', await runChild('lib/transition-worker.mjs', ['--system=sqlite-commit', `--workflows=${sizes.workflows}`, `--warmup=${sizes.warmup}`]));
  // Where Converge's CPU goes, from a separate profiled run (profiling slows it, so it is not timed).
  log('transitions: converge-sqlite under the CPU profiler, 100 workflows…');
  const profiledRun = await runChild('lib/transition-worker.mjs', ['--system=converge-sqlite', '--workflows=100', `--warmup=${sizes.warmup}`, '--profile']);
  t.profile = profiledRun.breakdown;
  t.topFunctions = profiledRun.topFunctions;
  // The profile is kept beside the results (a quick run writes its own copy).
  const profileName = quick || ALL.some((b) => !only.has(b)) ? 'quick-transition-profile' : 'transition-profile';
  mkdirSync(join(BENCH_DIR, 'results'), { recursive: true });
  writeFileSync(join(BENCH_DIR, 'results', `${profileName}.json`), `${JSON.stringify({ date: new Date().toISOString(), workflows: 100, machine: machine(), breakdown: t.profile, topFunctions: t.topFunctions }, null, 2)}\n`);
  writeFileSync(join(BENCH_DIR, 'results', `${profileName}.md`), `${transitionProfileMarkdown(t.profile, t.topFunctions)}\n`);
  if (a.has('no-pg')) {
    t.pgSkipped = 'skipped (--no-pg)';
  } else {
    const pg = await startBenchPostgres();
    if (pg.skipped) {
      t.pgSkipped = `skipped: ${pg.skipped}`;
      log(`transitions: PostgreSQL ${t.pgSkipped}`);
    } else {
      try {
        // synchronous_commit=off is PostgreSQL's counterpart of SQLite's synchronous=NORMAL (a
        // commit does not wait for its WAL flush; a crash loses the last commits, never corrupts);
        // the server default (on: a WAL flush per commit) is measured on fewer workflows, as each
        // commit waits for the disk.
        const asyncUrl = `${pg.url}${pg.url.includes('?') ? '&' : '?'}options=${encodeURIComponent('-c synchronous_commit=off')}`;
        const runs = [
          ['converge-pg', asyncUrl, sizes.pgWorkflows],
          ['converge-pg-sync', pg.url, sizes.pgSyncWorkflows],
        ];
        for (const [system, url, workflows] of runs) {
          for (let rep = 0; rep < sizes.pgReps; rep++) {
            log(`transitions: ${system}, repetition ${rep + 1}/${sizes.pgReps}, ${workflows} workflows…`);
            const result = await runChild('lib/transition-worker.mjs', ['--system=converge-pg', `--pg-url=${url}`, `--schema=converge_bench_${rep}`, `--workflows=${workflows}`, `--warmup=${Math.min(sizes.warmup, 10)}`]);
            push(system, result);
          }
        }
      } finally {
        await pg.stop?.();
      }
    }
  }
  return t;
}

let built;

async function main() {
  built = build();
  const meta = { date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), quick, machine: machine(), versions: versions(), sizes };
  const results = {};
  const sections = [];
  if (only.has('transitions')) {
    results.transitions = await transitions();
    sections.push(transitionSection(results.transitions));
  }
  if (only.has('concurrency')) {
    log(`concurrency: ${sizes.concurrencyWorkflows} workflows through a 32-slot fake provider…`);
    results.concurrency = await runChild('concurrency.mjs', [`--workflows=${sizes.concurrencyWorkflows}`], ['--expose-gc']);
    log(`concurrency: ${sizes.heldWorkflows} workflows waiting on a held provider…`);
    results.concurrencyWaiting = await runChild('concurrency.mjs', [`--held-workflows=${sizes.heldWorkflows}`, '--held'], ['--expose-gc']);
    sections.push(concurrencySection(results.concurrency, results.concurrencyWaiting));
  }
  if (only.has('recovery')) {
    log(`recovery: ${sizes.recoveryTrials} × ${sizes.recoveryWorkflows} workflows, SIGKILL, restart…`);
    results.recovery = await runChild('recovery.mjs', [`--workflows=${sizes.recoveryWorkflows}`, `--trials=${sizes.recoveryTrials}`]);
    sections.push(recoverySection(results.recovery));
  }
  if (only.has('tokens')) {
    log('tokens: the demo session, naive / selected / cached…');
    results.tokens = await runChild('tokens.mjs', []);
    sections.push(tokensSection(results.tokens));
  }
  if (only.has('log-length')) {
    log('log-length: one workflow grown to 100, 1,000 and 10,000 events…');
    results.logLength = await runChild('log-length.mjs', quick ? ['--quick'] : [], ['--expose-gc']);
    sections.push(logLengthSection(results.logLength));
  }
  if (only.has('validation')) {
    log('validation: step 5 of the demo, serial and parallel checks and reviews…');
    results.validation = await runChild('validation.mjs', quick ? ['--quick'] : []);
    sections.push(validationSection(results.validation));
  }
  if (only.has('startup')) {
    log('startup: converge --help, list and status as whole processes, paired with node -e 0…');
    results.startup = await runChild('startup.mjs', quick ? ['--quick'] : []);
    sections.push(startupSection(results.startup));
  }
  if (only.has('scale-pg')) {
    log(`scale-pg: ${sizes.scalePgWorkflows} waiting workflows held by 3 PostgreSQL workers (several minutes)…`);
    results.scalePg = await runChild('scale-pg.mjs', [`--workflows=${sizes.scalePgWorkflows}`]);
    sections.push(scalePgSection(results.scalePg));
  }
  meta.totalSeconds = (performance.now() - started) / 1000;
  meta.loadAtEnd = os.loadavg().map((l) => Math.round(l * 100) / 100);
  const text = [`## Benchmark results`, '', header(meta), '', ...sections.flatMap((s) => [s, ''])].join('\n');
  process.stdout.write(`${text}\n`);
  const out = join(BENCH_DIR, 'results');
  mkdirSync(out, { recursive: true });
  const name = quick || ALL.some((b) => !only.has(b)) ? 'quick' : 'latest';
  writeFileSync(join(out, `${name}.md`), `${text}\n`);
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify({ meta, results }, null, 2)}\n`);
  log(`wrote bench/results/${name}.md and ${name}.json (${Math.round(meta.totalSeconds)} s)`);
}

main()
  .catch((error) => {
    process.stderr.write(`bench: ${error.stack ?? error}\n`);
    process.exitCode = 1;
  })
  .finally(() => built?.cleanup());
