/**
 * The markdown section of bench/validation.mjs (issue 19, part 5): step 5's wall time on the demo,
 * serial against parallel, and the target "parallel step 5 ≤ (slowest check + slowest review) × 1.10".
 */
import { fmt, markdownTable, verdict } from './common.mjs';

const s = (ms) => `${fmt(ms / 1000, 2)} s`;

export function validationSection(v) {
  const m = v.machine;
  const lines = ['### Parallel validation (step 5 of the demo)', ''];
  lines.push(
    markdownTable(
      ['checks', 'mode', 'step 5 wall', 'checks phase', 'reviews phase', 'slowest check', 'slowest review', 'step 5 ÷ (slowest check + slowest review)'],
      v.rows.map((r) => [r.checksSet, r.mode, s(r.stepMs), s(r.checksPhaseMs), s(r.reviewsPhaseMs), s(r.slowestCheckMs), s(r.slowestReviewMs), `${fmt(r.ratio, 2)}×`]),
    ),
    '',
    markdownTable(
      ['target', 'measured', 'result'],
      v.targets.map((t) => [
        `${t.checksSet} checks: parallel step 5 ≤ (slowest check + slowest review) × ${fmt(v.target, 2)}`,
        `${fmt(t.ratio, 2)}× (${fmt(t.strictRatio, 2)}× against the serial run's slowest check, which had the cores to itself; serial ÷ parallel wall: ${fmt(t.speedup, 2)}×)`,
        verdict(t.met),
      ]),
    ),
    '',
    `Method: the demo (examples/demo) runs in-process on a memory store with its recorded agents and gates approved, to the end of step 5; ` +
      `steps 1–4 answer at once. Step 5's two reviews answer after ${v.reviewMs.a} ms (5a) and ${v.reviewMs.b} ms (5b) — the recorded session's \`delay_ms\`, ` +
      `called through the same provider limiter and circuit breaker as a model. Two sets of checks: \`demo\`, the demo's own (tsc --noEmit, then its TAP test runner, ` +
      `on the code of step 4, for real and CPU-bound), and \`sleep\`, three checks sleeping ${v.sleepChecksS.join(' s, ')} s (known time, no CPU). ` +
      `Serial is how step 5 ran before: \`check_concurrency: 1\` and a provider limit of 1, so the reviews queue one behind the other; parallel is the default ` +
      `(one check per core: ${v.cores} here; a provider limit of 8). Checks ran in the sandbox: ${v.sandbox}. ` +
      `Step 5 wall is from the step being scheduled to its validation being recorded (checks phase: to its check results being recorded); ` +
      `a check's time is its recorded duration, a review's the time from its call to its answer (inside the limiter's slot). ` +
      `The ratio is taken per run and its median over ${v.reps} repetition(s), serial and parallel alternating which goes first. ` +
      `Wall time is what this target is about (the overlap), so it is measured as wall time; a check under load takes longer in the parallel run ` +
      `(two CPU-bound checks share ${v.cores} cores with whatever else runs), and the target is met against that run's own slowest check. ` +
      `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}; load average at the end ${m.loadAverage.join(' / ')}.`,
  );
  return lines.join('\n');
}
