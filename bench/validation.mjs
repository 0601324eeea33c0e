/**
 * Parallel validation (issue 19, part 5): the wall time of step 5 (code validation: the checks,
 * then the two reviews 5a and 5b) on the demo, serial against parallel, in the same process,
 * interleaved. Target: parallel step 5 ≤ (slowest check + slowest review) × 1.10, both measured
 * in that same run.
 *
 * The demo (examples/demo) runs in-process on a memory store with its recorded agents, gates
 * approved, up to the end of step 5 (steps 1–4 take no time: their recorded delays are set to 0).
 * The reviews of step 5 take known time: the recorded session's 5a answers after REVIEW_A_MS,
 * 5b after REVIEW_B_MS (the session's `delay_ms`), through the same limiter and breaker as a
 * model call. Two sets of checks:
 *   - `demo`: the demo's own checks, for real (tsc --noEmit, then the TAP test runner that compiles
 *     and runs the tests) on the code of step 4 — CPU-bound, so they compete for the 2 cores;
 *   - `sleep`: three checks that sleep 1.5 s, 1.0 s and 0.5 s — known time, no CPU.
 * Serial = `check_concurrency: 1` and a provider limit of 1 for the recorded agent (the reviews
 * then queue one behind the other), i.e. how step 5 ran before; parallel = the defaults (one check
 * per core, provider limit 8).
 *
 *   node bench/validation.mjs [--reps=3]        (bench/run.js: --only=validation)
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ROOT, args, dist, emit, machine, median } from './lib/common.mjs';
import { validationSection } from './lib/report-validation.mjs';

const a = args();
const reps = Number(a.get('reps') ?? (a.quick ? 1 : 3));
const REVIEW_A_MS = 1500;
const REVIEW_B_MS = 1000;
const TARGET = 1.1;
const SLEEP_CHECKS = [1.5, 0.8, 0.4].map((s, i) => ({ id: `sleep${i + 1}`, command: ['sleep', String(s)], timeout_s: 30 }));

const { createEngine } = await dist('engine/create-engine.js');
const { ProviderLimiter } = await dist('engine/provider-limiter.js');
const { startWorkflow } = await dist('engine/workflow-commands.js');
const { openStore } = await dist('store/index.js');
const { loadProjectConfig } = await dist('workflows/loader.js');
const { CheckSchema } = await dist('core/profile-schema.js');
const { availableParallelism } = os;

/** The demo copied to a temp folder, its recorded delays set: 0 before step 5, the known review times at step 5. */
function demoCopy() {
  const dir = mkdtempSync(join(os.tmpdir(), 'converge-bench-validation-'));
  cpSync(join(ROOT, 'examples', 'demo'), dir, { recursive: true });
  const session = readFileSync(join(dir, 'session.yaml'), 'utf8')
    .replace(/delay_ms: \d+/g, 'delay_ms: 0')
    .replace(/(file: outputs\/06-code-review-5a-round1\.md\n\s+delay_ms: )0/, `$1${REVIEW_A_MS}`)
    .replace(/(file: outputs\/07-code-review-5b-round1\.md\n\s+delay_ms: )0/, `$1${REVIEW_B_MS}`);
  if (!session.includes(`delay_ms: ${REVIEW_A_MS}`) || !session.includes(`delay_ms: ${REVIEW_B_MS}`)) throw new Error('the demo session no longer has the step-5 reviews where this bench expects them');
  writeFileSync(join(dir, 'session.yaml'), session);
  return dir;
}

/** One run of the demo to the end of step 5; the times of step 5, its checks and its reviews. */
async function stepFive(checksSet, mode) {
  const dir = demoCopy();
  const store = await openStore('memory:');
  try {
    const loaded = loadProjectConfig(dir);
    const config = {
      ...loaded.config,
      ...(checksSet === 'sleep' ? { checks: SLEEP_CHECKS.map((c) => CheckSchema.parse(c)) } : {}),
      ...(mode === 'serial' ? { check_concurrency: 1 } : {}),
    };
    const limiter = new ProviderLimiter(mode === 'serial' ? { scripted: 1 } : {});
    const marks = {};
    const stop = new AbortController();
    let actionId;
    const engine = createEngine({
      store,
      config,
      baseDir: dir,
      limiter,
      onEvents: (_state, events) => {
        const t = performance.now();
        for (const e of events) {
          if ((e.type === 'step_scheduled' || e.type === 'step_started') && _state.runs.findLast((r) => r.actionId === e.actionId)?.stepNumber === 5 && actionId === undefined) {
            actionId = e.actionId;
            marks.started = t;
          }
          if (e.actionId !== actionId) continue;
          if (e.type === 'checks_recorded') {
            marks.checks = t;
            marks.checkMs = e.results.map((r) => ({ id: r.toolId, ms: r.durationMs, status: r.status, sandbox: r.sandbox ?? 'none' }));
          }
          if (e.type === 'validation_recorded') {
            marks.recorded = t;
            stop.abort();
          }
        }
      },
    });
    // Each review's own time: from the call to its answer (inside the limiter's slot).
    const reviews = [];
    const agentFor = engine.executor.agentFor;
    engine.executor.agentFor = (role, index, state) => {
      const choice = agentFor(role, index, state);
      if (choice.kind !== 'agent') return choice;
      const agent = choice.agent;
      const timed = new Proxy(agent, {
        get: (target, prop, receiver) =>
          prop === 'call'
            ? async (request) => {
                const t0 = performance.now();
                const response = await agent.call(request);
                if (request.stepNumber === 5) reviews.push({ template: request.template, ms: performance.now() - t0 });
                return response;
              }
            : Reflect.get(target, prop, receiver),
      });
      return { kind: 'agent', agent: timed };
    };
    const state = await startWorkflow(store, engine.clock, {
      definition: engine.definition,
      requirements: readFileSync(join(dir, 'requirements.md'), 'utf8'),
      workspace: { path: join(dir, 'project'), type: 'shared' },
      autoApprove: true,
    });
    const outcome = await engine.runner.run(state.workflowId, { waitForHumans: false, signal: stop.signal }).catch((error) => {
      if (!stop.signal.aborted) throw error;
    });
    if (marks.recorded === undefined) throw new Error(`step 5 did not finish (${checksSet}, ${mode}): ${JSON.stringify(outcome)} ${(await store.readEvents(state.workflowId)).map((e) => e.type).join(" ")}`);
    const slowestCheck = Math.max(...marks.checkMs.map((c) => c.ms));
    const slowestReview = Math.max(...reviews.map((r) => r.ms));
    const wall = marks.recorded - marks.started;
    return {
      checksSet,
      mode,
      stepMs: wall,
      checksPhaseMs: marks.checks - marks.started,
      reviewsPhaseMs: marks.recorded - marks.checks,
      slowestCheckMs: slowestCheck,
      slowestReviewMs: slowestReview,
      boundMs: (slowestCheck + slowestReview) * TARGET,
      checks: marks.checkMs,
      reviews,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs = [];
for (let rep = 0; rep < reps; rep++) {
  for (const checksSet of ['sleep', 'demo']) {
    // Alternate which mode goes first, so a change in machine load hits both alike.
    const modes = rep % 2 === 0 ? ['serial', 'parallel'] : ['parallel', 'serial'];
    for (const mode of modes) {
      process.stderr.write(`validation: ${checksSet} checks, ${mode}, repetition ${rep + 1}/${reps}…\n`);
      runs.push({ rep, ...(await stepFive(checksSet, mode)) });
    }
  }
}

/** Per set and mode, the median of each figure over the repetitions (the ratio per run, then its median). */
function summary(checksSet, mode) {
  const mine = runs.filter((r) => r.checksSet === checksSet && r.mode === mode);
  const pick = (key) => median(mine.map((r) => r[key]));
  return {
    checksSet,
    mode,
    runs: mine.length,
    stepMs: pick('stepMs'),
    checksPhaseMs: pick('checksPhaseMs'),
    reviewsPhaseMs: pick('reviewsPhaseMs'),
    slowestCheckMs: pick('slowestCheckMs'),
    slowestReviewMs: pick('slowestReviewMs'),
    ratio: median(mine.map((r) => r.stepMs / (r.slowestCheckMs + r.slowestReviewMs))),
  };
}
const rows = ['sleep', 'demo'].flatMap((set) => ['serial', 'parallel'].map((mode) => summary(set, mode)));
const targets = ['sleep', 'demo'].map((set) => {
  const p = rows.find((r) => r.checksSet === set && r.mode === 'parallel');
  const s = rows.find((r) => r.checksSet === set && r.mode === 'serial');
  // Stricter: against the slowest check of the serial run of the same repetition, which had the cores to itself.
  const strict = median(
    runs
      .filter((r) => r.checksSet === set && r.mode === 'parallel')
      .map((r) => {
        const serial = runs.find((x) => x.checksSet === set && x.mode === 'serial' && x.rep === r.rep);
        return r.stepMs / (serial.slowestCheckMs + serial.slowestReviewMs);
      }),
  );
  return { checksSet: set, ratio: p.ratio, strictRatio: strict, met: p.ratio <= TARGET, speedup: s.stepMs / p.stepMs };
});

const result = {
  bench: 'validation',
  reps,
  reviewMs: { a: REVIEW_A_MS, b: REVIEW_B_MS },
  sleepChecksS: SLEEP_CHECKS.map((c) => Number(c.command[1])),
  target: TARGET,
  cores: availableParallelism(),
  sandbox: [...new Set(runs.flatMap((r) => r.checks.map((c) => c.sandbox)))].join(', '),
  machine: machine(),
  rows,
  targets,
  runs,
};
process.stdout.write(`${validationSection(result)}\n`);
emit(result);
