/**
 * The markdown section of bench/scale-pg.mjs: how many waiting workflows 3 PostgreSQL workers hold.
 */
import { fmt, markdownTable, verdict } from './common.mjs';

const int = (v) => fmt(v, 0);
/** Store calls per second: batched ones are few, so below 10 with a decimal. */
const rate = (v) => fmt(v, v < 10 ? 1 : 0);

/**
 * What sets the ceiling, from the run's own figures: holding costs CPU in proportion to the runs
 * held, while memory and connections stay far from any limit. Lease statements are counted as
 * store calls, so a batched renewal or look-up counts once whatever its size: when they are far
 * fewer than one per run, what still grows with the runs held is rows touched, not round trips.
 */
function ceiling(r) {
  const held = r.held ?? r.workflows;
  if (!held || r.postgresCpuMsPerSecond == null || r.postgresCpuMsPerSecond < 0) return '';
  const perRun = (r.holdCpuMsPerSecond + r.postgresCpuMsPerSecond) / held; // ms CPU per second per held run
  const cores = r.machine.cores;
  const statements = r.renewalsPerSecond + r.leaseLookupsPerSecond;
  const batched = statements / held < 0.01;
  const traffic = batched
    ? `Lease traffic is ${fmt(statements, 1)} statements per second for all ${int(held)} (${fmt(r.renewalsPerSecond, 1)} renewals: each worker renews all its leases in one statement per heartbeat, every 10 s with ttl 30 s; ` +
      `${fmt(r.leaseLookupsPerSecond, 1)} look-ups: a sweep looks up the leases of 500 runnable workflows in one, and a run once when it gets a provider slot), so it no longer grows with the runs held; ` +
      'what still does is rows touched: every held lease row rewritten every 10 s in PostgreSQL, and every runnable workflow walked by each worker\'s sweep. '
    : `The store traffic that grows with the runs held is ${fmt(statements / held, 2)} single-row lease queries per run per second (a renewal every 10 s, ttl 30 s, and the other workers' sweeps checking that its lease is live; a sweep reads no rows while nothing changed). `;
  return (
    `Ceiling: holding costs ${fmt(perRun * 1000, 0)} µs of CPU per second per held run (workers ${fmt(r.holdCpuMsPerSecond, 0)} + PostgreSQL ${fmt(r.postgresCpuMsPerSecond, 0)} ms/s for ${int(held)}). ` +
    traffic +
    `At 100,000 that is ${fmt((perRun * 100_000) / 1000, 1)} cores of CPU just to hold them, against ${cores} cores here shared with other work, so this machine's ceiling is about ` +
    `${int(Math.floor((cores * 1000) / perRun / 1000) * 1000)} held runs with nothing else running (less in practice: when renewals fall behind, leases lapse and workers take each other's runs). ` +
    `Memory is not what limits: ${fmt(r.rssPerHeldKb, 0)} KB per held run is ${fmt((r.rssPerHeldKb * 100_000) / 2 ** 20, 1)} GB for 100,000 over the three workers; connections are ${r.connections} whatever the count. ` +
    (batched
      ? 'What would lift it further (not profiled here): touching fewer rows per held run, e.g. a heartbeat extending only the leases nearing expiry (a longer ttl does the same), and a sweep that walks only the workflows whose lease could have lapsed since it last looked.'
      : "What would lift it: one statement per heartbeat renewing all of a worker's leases, and one look-up of all leases per sweep, instead of one query per run.")
  );
}

export function scalePgSection(r) {
  const lines = ['### Waiting workflows held by distributed workers on PostgreSQL', ''];
  if (r.skipped) {
    lines.push(`Not run: ${r.skipped}.`);
    return lines.join('\n');
  }
  lines.push(
    markdownTable(
      ['worker', 'held', 'queued for a slot', 'RSS (before → held)', 'RSS / held', 'heap / held', 'CPU while holding', 'sweeps / s', 'lease look-ups / s', 'lease renewals / s'],
      r.perWorker.map((w, i) => [
        String(i + 1),
        int(w.held),
        int(w.queued),
        `${fmt(w.rssBaselineMb, 0)} → ${fmt(w.rssMb, 0)} MB`,
        `${fmt(w.rssPerHeldKb, 1)} KB`,
        `${fmt(w.heapPerHeldKb, 1)} KB`,
        `${fmt(w.holdCpuMsPerSecond, 0)} ms/s`,
        fmt(w.sweepsPerSecond, 2),
        rate(w.leaseLookupsPerSecond),
        rate(w.renewalsPerSecond),
      ]),
    ),
    '',
    markdownTable(
      ['target', 'measured', 'result'],
      [
        [
          'a 3-worker PostgreSQL run holds 100,000 waiting workflows (or the measured ceiling is documented)',
          (r.allHeld === false
            ? `of ${int(r.workflows)} started in ${fmt(r.startSeconds, 0)} s, at most ${int(r.maxHeld)} held at once by ${r.workers} workers and ${int(r.held)} at the end of ${fmt(r.holdSeconds, 0)} s; ` +
              `${int(r.lapsedLeases)} of ${int(r.leases)} leases lapsed (not renewed in time), so workers took each other's runs; `
            : `${int(r.workflows)} held by ${r.workers} workers: started in ${fmt(r.startSeconds, 0)} s (${fmt(r.startCpuMsPerWorkflow, 2)} ms CPU each in the starting process), all held ${fmt(r.holdSeconds, 0)} s later; `) +
            `${fmt(r.rssPerHeldKb, 1)} KB RSS and ${fmt(r.heapPerHeldKb, 1)} KB heap per held workflow; while holding, the workers together use ${fmt(r.holdCpuMsPerSecond, 0)} ms CPU per second` +
            (r.postgresCpuMsPerSecond == null ? '' : ` and PostgreSQL ${fmt(r.postgresCpuMsPerSecond, 0)} ms`) +
            `, ${rate(r.renewalsPerSecond)} lease renewals/s and ${rate(r.leaseLookupsPerSecond)} lease look-ups/s; ${r.connections} PostgreSQL connections; database ${fmt(r.dbMb, 0)} MB`,
          verdict(r.allHeld !== false && r.workflows >= 100_000),
        ],
      ],
    ),
    '',
    ceiling(r),
    '',
    `Method: \`node bench/scale-pg.mjs --workflows=${r.workflows}\` (an \`--only=scale-pg\` run of \`npm run bench\`, not part of the default run). ` +
      `A throw-away PostgreSQL cluster (bench/lib/pg-server.mjs, synchronous_commit=off: capacity, not durability) gets ${int(r.workflows)} workflows of the instant story, started 8 at a time as \`converge start\` does; ` +
      `then ${r.workers} worker processes run the distributed worker (\`runQueueWorker\` with the pg-boss queue and shared provider slots, what \`converge worker\` runs on PostgreSQL; sweeps every 2 s) while the fake provider holds every answer back, ` +
      `until every workflow is a run inside a worker: ${r.limit} in calls (the shared \`max_concurrency\`), the rest queued for a slot. ` +
      'RSS and heap per held workflow: each worker after three forced collections, minus the same process before its first run (store and queue open), ÷ the runs it holds. ' +
      'CPU, sweeps, lease look-ups and renewals: each worker over 20 s of holding (store calls counted by a proxy; a batched renewal or look-up is one call, one statement). ' +
      'PostgreSQL CPU: the postmaster and its backends over the same 20 s, from /proc, counting backends that exited meanwhile. ' +
      `Machine: ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memoryGb} GB, shared with other work.` +
      (r.note ? ` ${r.note}` : ''),
  );
  return lines.join('\n');
}
