/**
 * Shared pieces of the benchmarks: where things are, the machine and versions every table
 * states, statistics, markdown tables, and a Converge engine over the instant fixture.
 * Benchmarks import the built `dist/` (bench/run.js builds it first), never `src/`, so they
 * measure what users run.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = resolve(fileURLToPath(import.meta.url), '..', '..');
export const ROOT = resolve(BENCH_DIR, '..');
/**
 * The compiled Converge the benches import. bench/run.js points this at a private build of src/
 * (CONVERGE_BENCH_DIST), so a rebuild of ./dist by a test run during a long bench cannot swap the
 * code under it; a bench started by hand uses ./dist.
 */
export const DIST = process.env.CONVERGE_BENCH_DIST ?? join(ROOT, 'dist');
export const INSTANT_FIXTURE = join(BENCH_DIR, 'fixtures', 'instant');

/** `import()` of a built module by its path under dist/, e.g. `engine/create-engine.js`. */
export function dist(path) {
  return import(join(DIST, path));
}

const require = createRequire(join(ROOT, 'package.json'));

/** The installed version of a dependency (what actually ran, not the range in package.json). */
export function installedVersion(name) {
  try {
    return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
  } catch {
    // Packages whose exports hide package.json: walk up from the entry point instead.
    try {
      let dir = require.resolve(name);
      for (let i = 0; i < 6; i++) {
        dir = resolve(dir, '..');
        try {
          const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
          if (pkg.name === name) return pkg.version;
        } catch {
          /* keep walking */
        }
      }
    } catch {
      /* not installed */
    }
    return 'not installed';
  }
}

export function versions() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const names = ['better-sqlite3', 'pg', 'gpt-tokenizer', '@langchain/langgraph', '@langchain/langgraph-checkpoint-sqlite', '@langchain/core'];
  return {
    converge: pkg.version,
    node: process.versions.node,
    sqlite: process.versions.sqlite ?? sqliteVersion(),
    ...Object.fromEntries(names.map((n) => [n, installedVersion(n)])),
  };
}

function sqliteVersion() {
  try {
    const Database = require('better-sqlite3');
    const db = new Database(':memory:');
    const v = db.prepare('select sqlite_version() v').get().v;
    db.close();
    return v;
  } catch {
    return 'unknown';
  }
}

export function machine() {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics

export function sorted(values) {
  return [...values].sort((a, b) => a - b);
}

/** Nearest-rank percentile (p in 0..100) of the values. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const s = sorted(values);
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1];
}

export function median(values) {
  if (values.length === 0) return NaN;
  const s = sorted(values);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function sum(values) {
  return values.reduce((a, b) => a + b, 0);
}

/** Deterministic PRNG (mulberry32), so "seeded random" delays are the same on every run. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable 32-bit hash of a string (FNV-1a), to derive a per-call seed from its identity. */
export function hash32(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Formatting

export function fmt(value, digits = 2) {
  if (typeof value !== 'number') return String(value);
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function kb(bytes, digits = 2) {
  return `${fmt(bytes / 1024, digits)} KB`;
}

export function markdownTable(headers, rows) {
  const line = (cells) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** "met" / "missed" against a target, with the measured ratio. */
export function verdict(met) {
  return met ? '**met**' : '**missed**';
}

// ---------------------------------------------------------------------------------------------
// Fixtures and engines

/** A throw-away copy of a fixture folder; `cleanup()` removes it. */
export function tempCopy(fixture, prefix) {
  const dir = mkdtempSync(join(os.tmpdir(), `converge-bench-${prefix}-`));
  cpSync(fixture, dir, { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A Converge engine over the instant fixture: the built-in seven-step definition and
 * typescript profile, no checks (only transitions are measured), scripted agents.
 */
export async function instantEngine({ store, dir, maxConcurrency, onEvents, pollMs }) {
  const { createEngine } = await dist('engine/create-engine.js');
  const { ProjectConfigSchema } = await dist('workflows/project-config.js');
  const agent = { provider: 'scripted', session: 'session.yaml', ...(maxConcurrency !== undefined ? { max_concurrency: maxConcurrency } : {}) };
  const config = ProjectConfigSchema.parse({ definition: 'seven-step', profile: 'typescript', checks: [], agents: { default: agent } });
  return createEngine({ store, config, baseDir: dir, ...(onEvents ? { onEvents } : {}), ...(pollMs !== undefined ? { pollMs } : {}) });
}

export async function startInstant(engine, dir, requirements = 'Write the value file') {
  const { startWorkflow } = await dist('engine/workflow-commands.js');
  return startWorkflow(engine.store, engine.clock, {
    definition: engine.definition,
    requirements,
    workspace: { path: join(dir, 'project'), type: 'shared' },
    autoApprove: true,
  });
}

/**
 * Timestamps of the ten transitions of one instant run, from the batches the runner appends:
 * each step's recorded result (8), the plan gate's decision, and completion. The final gate's
 * decision and the completion after it are one transition, as in the LangGraph graph.
 */
export function transitionMarks(batches) {
  const marks = [];
  for (const { t, types } of batches) {
    for (const type of types) {
      if (type === 'step_output_recorded' || type === 'validation_recorded') marks.push({ t, type });
      else if (type === 'approval_decided') marks.push({ t, type });
      else if (type === 'workflow_completed') {
        if (marks.at(-1)?.type === 'approval_decided') marks.pop();
        marks.push({ t, type });
      }
    }
  }
  return marks.map((m) => m.t);
}

/** The ten transitions of the instant story, same as the LangGraph graph's node executions. */
export const CONVERGE_TRANSITIONS = 10;

/** Reads a JSON line result printed by a child bench (the last line starting with `{"bench"`). */
export function parseResult(stdout) {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"bench"'));
  if (line === undefined) throw new Error(`no result line in output:\n${stdout.slice(-2000)}`);
  return JSON.parse(line);
}

export function emit(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export function args() {
  const argv = process.argv.slice(2);
  const get = (name) => {
    const hit = argv.find((a) => a.startsWith(`--${name}=`));
    return hit === undefined ? undefined : hit.slice(name.length + 3);
  };
  return { quick: argv.includes('--quick'), get, has: (name) => argv.includes(`--${name}`) };
}
