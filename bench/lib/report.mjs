/**
 * Turns the benches' JSON results into the markdown tables `npm run bench` prints and writes to
 * bench/results/latest.md. Every table says how it was measured; every target says met or missed.
 */
import { fmt, kb, markdownTable, median, verdict } from './common.mjs';

const ms = (v, d = 2) => `${fmt(v, d)} ms`;
const pct = (v) => `${fmt(v * 100, 1)} %`;
const int = (v) => fmt(v, 0);

/** The median across repetitions of one field of a system's results. */
function across(reps, pick) {
  return median(reps.map(pick));
}

export function transitionSection(t) {
  const lines = ['### 1. Transition overhead', ''];
  const systems = [
    ['converge-sqlite', 'Converge, SQLite store'],
    ['langgraph-sqlite', 'LangGraph JS + SqliteSaver'],
    ['converge-pg', 'Converge, PostgreSQL store'],
    ['converge-pg-sync', 'Converge, PostgreSQL store'],
  ];
  // Each workflow's mean per transition, then the median over workflows: the headline figures.
  const wfMs = (r) => r.perWorkflow?.medianMs ?? r.meanMs;
  const wfCpu = (r) => r.perWorkflow?.medianCpuMs ?? r.cpuMsPerTransition;
  const rows = [];
  for (const [key, label] of systems) {
    const reps = t.results[key] ?? [];
    if (reps.length === 0) {
      if (key === 'converge-pg') rows.push([label, t.pgSkipped ?? 'not run', '–', '–', '–', '–', '–', '–', '–', '–', '–']);
      continue;
    }
    const r0 = reps[0];
    const durability =
      key.startsWith('converge-pg')
        ? `PostgreSQL ${r0.settings.server_version.split(' ')[0]}, fsync=${r0.settings.fsync}, synchronous_commit=${r0.settings.synchronous_commit}`
        : `file, journal_mode=${r0.journalMode.toUpperCase()}, synchronous=${r0.synchronous}`;
    rows.push([
      label,
      durability,
      int(r0.workflows),
      ms(across(reps, wfMs)),
      ms(across(reps, wfCpu)),
      `${ms(across(reps, (r) => r.nonZeroMedianMs ?? r.medianMs))} (${pct(across(reps, (r) => r.zeroShare ?? 0))} at 0)`,
      ms(across(reps, (r) => r.p99Ms)),
      int(across(reps, (r) => r.perSecond)),
      kb(across(reps, (r) => r.bytes.perTransitionDisk)),
      kb(across(reps, (r) => r.bytes.perTransitionPayload)),
    ]);
  }
  lines.push(
    markdownTable(
      [
        'system',
        'storage and durability',
        'workflows',
        'time / transition (per-workflow mean)',
        'CPU / transition (per-workflow mean)',
        'median of non-zero transitions',
        'p99 / transition',
        'transitions / s',
        'stored / transition (disk)',
        'stored / transition (payload)',
      ],
      rows,
    ),
  );
  const c = t.results['converge-sqlite'];
  const l = t.results['langgraph-sqlite'];
  const floor = t.results['sqlite-commit'];
  if (c?.length && l?.length) {
    const cpuRatio = across(c, wfCpu) / across(l, wfCpu);
    const cpuMeanRatio = across(c, (r) => r.perWorkflow?.meanCpuMs ?? r.cpuMsPerTransition) / across(l, (r) => r.perWorkflow?.meanCpuMs ?? r.cpuMsPerTransition);
    const timeRatio = across(c, wfMs) / across(l, wfMs);
    const nonZeroRatio = across(c, (r) => r.nonZeroMedianMs ?? r.medianMs) / across(l, (r) => r.nonZeroMedianMs ?? r.medianMs);
    const bytesRatio = across(c, (r) => r.bytes.perTransitionDisk) / across(l, (r) => r.bytes.perTransitionDisk);
    const payloadRatio = across(c, (r) => r.bytes.perTransitionPayload) / across(l, (r) => r.bytes.perTransitionPayload);
    const targets = [
      [
        'Transition CPU ≤ 0.30× LangGraph + SqliteSaver at equal durability (stretch 0.20×)',
        `${fmt(cpuRatio)}× (per-workflow mean CPU, median over workflows; ${fmt(cpuMeanRatio)}× mean over workflows)`,
        `${verdict(cpuRatio <= 0.3)}; stretch ${cpuRatio <= 0.2 ? 'met' : 'missed'}`,
      ],
      ['time per durable transition ≤ 0.20× of LangGraph + SqliteSaver', `${fmt(timeRatio)}× (per-workflow mean), ${fmt(nonZeroRatio)}× (median of non-zero transitions)`, verdict(timeRatio <= 0.2)],
      [
        'bytes stored per step ≤ 0.20×',
        `${fmt(bytesRatio)}× (disk), ${fmt(payloadRatio)}× (payload)` +
          (c[0].bytes.tracesPerTransitionDisk
            ? `; without Converge's step traces (${kb(across(c, (r) => r.bytes.tracesPerTransitionDisk))} of disk per transition, prompts and answers the graph does not have): ` +
              `${fmt(across(c, (r) => r.bytes.perTransitionDisk - r.bytes.tracesPerTransitionDisk) / across(l, (r) => r.bytes.perTransitionDisk))}× (disk)`
            : ''),
        verdict(bytesRatio <= 0.2),
      ],
    ];
    lines.push('', markdownTable(['target', 'measured', 'result'], targets));
    t.verdicts = { cpuRatio, cpuMeanRatio, timeRatio, nonZeroRatio, bytesRatio, payloadRatio };
  }
  if (floor?.length && c?.length) {
    const us = across(floor, (r) => r.usPerCommit);
    const cpuUs = across(floor, (r) => r.cpuUsPerCommit);
    lines.push(
      '',
      `One SQLite WAL commit, the physical floor, measured in the same run: ${fmt(us, 0)} µs (CPU ${fmt(cpuUs, 0)} µs) — ` +
        `one ${int(200)}-byte row inserted and committed on its own, WAL, synchronous=NORMAL, ${int(floor[0].commits)} commits. ` +
        `A Converge transition takes ${fmt((across(c, wfMs) * 1000) / us, 1)}× that in time and ${fmt((across(c, wfCpu) * 1000) / cpuUs, 1)}× in CPU; ` +
        (l?.length ? `a LangGraph one ${fmt((across(l, wfMs) * 1000) / us, 1)}× and ${fmt((across(l, wfCpu) * 1000) / cpuUs, 1)}×.` : ''),
    );
  }
  const ev = c?.[0]?.eventsPerTransition;
  const cp = l?.[0]?.checkpointsPerTransition;
  lines.push(
    '',
    `Method: ${t.workflows.toLocaleString('en-US')} workflows per system and repetition, run one after another in a fresh process and a fresh database file ` +
      `(after ${t.warmup} warm-up workflows); median of ${t.reps} repetition${t.reps === 1 ? '' : 's'} for the SQLite rows, the two systems alternating` +
      `${t.pgReps !== t.reps ? `; ${t.pgReps} for PostgreSQL, on fewer workflows (a PostgreSQL round trip per statement makes each run long)` : ''}. ` +
      'Per-workflow mean: each workflow\'s wall time and process CPU (`process.cpuUsage` around the workflow) ÷ its 10 transitions, then the median over the workflows; ' +
      'the CPU ratio of the target is that figure\'s. Converge records a gate decided ahead (the auto-approved plan gate, the final gate) in the same append as the step before it, so ' +
      `those transitions measure 0 ms (${pct(c?.[0]?.zeroShare ?? 0)} of Converge's transitions); the median of non-zero transitions leaves them out. ` +
      'PostgreSQL runs on its own throw-away cluster with fsync on; synchronous_commit=off is its counterpart of SQLite\'s NORMAL. A transition is one step of the story — plan, validate, revise, validate, plan gate (auto-approved), implement, ' +
      'validate, refine, re-validate, final gate and completion: 10 per workflow on both sides — timed from the end of the previous one to the moment its ' +
      'result is durable (Converge: the append holding the step result; LangGraph: the checkpoint of the node\'s superstep, `durability: "sync"`). ' +
      `Converge agents are the instant recorded session (no checks); LangGraph nodes return the same texts and scores precomputed, so Converge's ` +
      'prompt rendering, output parsing and workspace writes are counted and the graph has none of them. ' +
      `Converge writes ${fmt(ev, 1)} events per transition (scheduled, started, result; the gates add theirs) plus lease and attempt rows; ` +
      `LangGraph writes ${fmt(cp, 1)} checkpoints per transition plus their pending writes. ` +
      (c?.[0]?.definitionShare !== undefined ? `The workflow definition is stored once and named by hash in each log's first event (${pct(c[0].definitionShare)} of Converge's stored JSON). ` : '') +
      'Disk bytes: every table and index (SQLite `dbstat` pages after a WAL checkpoint; PostgreSQL `pg_total_relation_size`) ÷ transitions; ' +
      'payload: the stored JSON (Converge event bodies, index rows, leases, attempts, step traces; LangGraph checkpoints, metadata and writes).',
  );
  if (t.profile) {
    lines.push(
      '',
      `Where Converge's CPU goes per transition (a separate profiled run of 100 workflows, innermost known frame of each sample; kept in bench/results/transition-profile.md, quick-transition-profile.md for a partial run): ` +
        t.profile.map((p) => `${p.name} ${pct(p.share)}`).join(' · ') +
        '.',
    );
    if (t.verdicts && t.verdicts.cpuRatio > 0.3 && t.topFunctions?.length) {
      lines.push(
        '',
        `Why the CPU target is missed: Converge spends ${fmt(across(c, wfCpu), 3)} ms of CPU per transition against LangGraph's ${fmt(across(l, wfCpu), 3)} ms; ` +
          `the target needs ≤ ${fmt(0.3 * across(l, wfCpu), 3)} ms. The largest parts above, and the functions with the most self time: ` +
          t.topFunctions
            .slice(0, 10)
            .map((f) => `\`${f.name}\` ${pct(f.share)}`)
            .join(' · ') +
          '.',
      );
    }
  }
  return lines.join('\n');
}

/** bench/results/transition-profile.md: where a transition's CPU goes, by part and by function. */
export function transitionProfileMarkdown(breakdown, topFunctions) {
  return [
    '## Where a Converge transition\'s CPU goes',
    '',
    'A sampling CPU profile (node:inspector, 500 µs interval) of 100 workflows of the instant story on the SQLite store, written by `npm run bench` (the transition bench). ' +
      'Each busy sample is given to the innermost frame that belongs to a known part, so the shares add up to 100 %.',
    '',
    markdownTable(['part', 'share of busy samples'], breakdown.map((p) => [p.name, pct(p.share)])),
    '',
    'The functions with the most self time:',
    '',
    markdownTable(['function (file:line)', 'share of busy samples'], (topFunctions ?? []).map((f) => [`\`${f.name}\``, pct(f.share)])),
  ].join('\n');
}

export function concurrencySection(c, w) {
  const lines = ['### 2. Concurrency under a provider limit', ''];
  lines.push(
    markdownTable(
      ['workflows', 'agent calls', 'provider limit', 'total agent time', 'lower bound (total ÷ limit)', 'makespan', 'makespan ÷ bound', 'mean busy slots', '429s', 'peak RSS', 'RSS / waiting workflow (peak)', 'after GC (RSS / heap)', 'CPU / agent call'],
      [
        [
          int(c.workflows),
          int(c.calls),
          `${c.limit} (limiter peak ${c.limiterPeak}, provider saw ${c.providerMaxInFlight})`,
          `${fmt(c.totalAgentMs / 1000, 1)} s`,
          `${fmt(c.lowerBoundMs / 1000, 1)} s`,
          `${fmt(c.makespanMs / 1000, 1)} s`,
          `${fmt(c.ratio)}×`,
          `${fmt(c.meanBusySlots, 1)} of ${c.limit}`,
          int(c.rejected429),
          `${fmt(c.peakRssMb, 0)} MB (baseline ${fmt(c.baselineRssMb, 0)} MB)`,
          `${fmt(c.rssPerWorkflowKb, 0)} KB`,
          c.retainedRssPerWorkflowKb === null ? '–' : `${fmt(c.retainedRssPerWorkflowKb, 0)} KB / ${fmt(c.retainedHeapPerWorkflowKb, 0)} KB`,
          ms(c.cpuMsPerCall, 1),
        ],
      ],
    ),
    '',
    markdownTable(
      ['target', 'measured', 'result'],
      [
        ['makespan ≤ 1.10× the lower bound', `${fmt(c.ratio)}×`, verdict(c.ratio <= 1.1)],
        w === undefined
          ? ['≤ 50 KB RSS per waiting workflow', `${fmt(c.rssPerWorkflowKb, 0)} KB (peak), ${c.retainedRssPerWorkflowKb === null ? '–' : fmt(c.retainedRssPerWorkflowKb, 0)} KB (after GC)`, verdict(c.rssPerWorkflowKb <= 50)]
          : [
              '≤ 50 KB RSS per waiting workflow',
              `${fmt(w.rssPerWaitingKb, 1)} KB RSS, ${fmt(w.heapPerWaitingKb, 1)} KB heap (${int(w.queued)} queued for a slot + ${w.inFlight} in calls); ` +
                `during the busy run: ${fmt(c.rssPerWorkflowKb, 0)} KB at peak, ${c.retainedRssPerWorkflowKb === null ? '–' : fmt(c.retainedRssPerWorkflowKb, 0)} KB after GC`,
              verdict(w.rssPerWaitingKb <= 50),
            ],
        ...(w === undefined
          ? []
          : [
              [
                '10,000 waiting workflows driven by one worker (no cap on what it sees)',
                `${int(w.workflows)} held (${int(w.queued + w.inFlight)} reached the provider or its queue) ` +
                  (w.rampSeconds === undefined ? '' : `in ${fmt(w.rampSeconds, 1)} s, ${ms(w.rampCpuMsPerWorkflow, 2)} CPU each; while they wait: ${ms(w.idleCpuMsPerSecond, 1)} CPU per second, ${int(w.idlePolls)} polls in ${w.idleSeconds} s`),
                verdict(w.workflows >= 10_000 && w.queued + w.inFlight === w.workflows),
              ],
            ]),
      ],
    ),
    '',
    `Method: ${int(c.workflows)} workflows of the instant story started at once in one worker (\`runWorker\`, concurrency ${int(c.workflows)}, SQLite store); ` +
      'every agent call goes through the AI SDK openai-compatible provider over HTTP to a fake provider in its own process, which answers after a ' +
      `seeded-random 50–500 ms (seed ${c.seed}, the same delays every run) and refuses anything over ${c.limit} concurrent requests with 429. ` +
      `Converge has \`max_concurrency: ${c.limit}\` for that provider. Lower bound = the provider's summed service time ÷ ${c.limit}. ` +
      'Mean busy slots = in-flight requests integrated over time ÷ makespan. RSS per waiting workflow = (peak RSS − RSS after one warm-up workflow, ' +
      `with the ${int(c.workflows)} workflows already recorded) ÷ workflows; "after GC" is measured once all are in flight, after a forced collection. ` +
      `CPU / agent call = this process's CPU during the makespan ÷ calls (engine transition + AI SDK + HTTP). Load average during the run: ${c.loadAverage.map((x) => fmt(x)).join(' → ')}.` +
      (c.stateHeapKb === null ? '' : ` One workflow's folded state alone (a freshly started one, loaded from the store) takes ${fmt(c.stateHeapKb, 0)} KB of heap.`) +
      (w === undefined
        ? ''
        : ` Waiting workflows, measured apart (\`concurrency.mjs --held --held-workflows=${w.workflows}\`, a fresh process, one \`runWorker\` polling every 50 ms): ${int(w.workflows)} workflows started (${w.startSeconds === undefined ? '–' : fmt(w.startSeconds, 1)} s) while the fake provider holds every answer back, ` +
          `until ${w.inFlight} calls are in flight and ${int(w.queued)} are queued for a slot; RSS and heap after three forced collections, minus the same process's before the start ` +
          `(${fmt(w.rssBeforeMb, 0)} → ${fmt(w.rssWaitingMb, 0)} MB), ÷ workflows. That is the target's measure: what a workflow costs while it waits. ` +
          'The busy-run peak is larger because it also holds the garbage of the calls being answered and the collector\'s headroom, which do not grow with the number of waiting workflows. ' +
          'The CPU while they wait is the process\'s over 5 s once all are held: the worker\'s polls (the store\'s change marker, unchanged, so no row is read) and the runs\' lease renewals (one per workflow every 10 s).'),
  );
  return lines.join('\n');
}

export function recoverySection(r) {
  const lines = ['### 3. Recovery after SIGKILL', ''];
  const s = (v) => (v === null ? 'not reached' : ms(v, 0));
  const all = r.workflows * r.trials;
  lines.push(
    markdownTable(
      ['trials × workflows in flight at kill', 'agent calls in flight', 'new worker ready', 'all picked up', 'all running again (worst trial)', 'lost events', 'sequence gaps', 'duplicated actions', 're-issued interrupted calls', 'logs ≠ uninterrupted run', 'completed'],
      [
        [
          `${r.trials} × ${int(r.unfinishedAtKill)}`,
          int(r.inFlightCallsAtKill),
          ms(r.workerReadyMs, 0),
          s(r.allPickedUpMs),
          `${s(r.allRunningMs)} (${s(r.worstRunningMs)})`,
          int(r.lostEvents),
          int(r.seqGaps),
          int(r.duplicatedActions),
          int(r.reissuedCalls),
          int(r.divergedLogs),
          `${int(all - r.incomplete)} / ${int(all)}`,
        ],
      ],
    ),
    '',
    markdownTable(
      ['target', 'measured', 'result'],
      [
        [
          `all ${r.workflows} interrupted workflows running again within 2 s of restart`,
          r.allRunningMs === null
            ? `${r.runningCount} of ${r.unfinishedAtKill} within 60 s`
            : `${ms(r.allRunningMs, 0)} (median trial; ${ms(r.workerReadyMs, 0)} of it before the new process's worker loop started, ${ms(r.afterReadyMs, 0)} after)`,
          verdict(r.allRunningMs !== null && r.allRunningMs <= 2000 && r.unfinishedAtKill === r.workflows),
        ],
        ['0 lost events, 0 duplicated actions', `${r.lostEvents + r.seqGaps} lost, ${r.duplicatedActions} duplicated (all trials)`, verdict(r.lostEvents + r.seqGaps === 0 && r.duplicatedActions === 0 && r.divergedLogs === 0)],
      ],
    ),
    '',
    `Method: ${r.trials} trials; in each, ${r.workflows} workflows of the instant story run in a worker process on a SQLite file, agents slowed to a seeded 100–700 ms per call ` +
      '(seeded per trial, so the kill lands at different points); once every workflow has recorded its first result (plus a seeded pause) the process gets SIGKILL and a new one is spawned. ' +
      'Times are from the spawn, so Node start-up and module loading count ("new worker ready" is when its worker loop began), and are the median trial; counts add up all trials. ' +
      '"Picked up": its lease is held by the new process. "Running again": a new event in its log or a new agent call started. ' +
      'Lost: events committed before the kill missing or changed afterwards. Duplicated: agent calls started after the restart for actions whose result ' +
      'was recorded before the kill. Calls cut off by the kill (started, result not recorded) are re-issued by design and counted apart. ' +
      'Every final log is compared with an uninterrupted run\'s decision trail.',
  );
  return lines.join('\n');
}

export function tokensSection(t) {
  const lines = ['### 4. Input cost per workflow, naive vs Converge (demo session)', ''];
  const label = (set) => (set === 'shipped' ? 'demo project as shipped' : 'demo + docs larger than the budgets');
  const variants = [
    ['naive', 'naive (naive order, every document)'],
    ['naiveOrderSelected', 'naive order, selected knowledge'],
    ['converge', 'Converge'],
  ];
  const usd = (v) => `$${fmt(v, 4)}`;
  const rows = [];
  const targets = [];
  const notes = [];
  for (const r of t.results) {
    const naiveTokens = r.variants.naive.tokens;
    const tokenCell = (v) => `${int(v.tokens)} tokens${v === r.variants.naive ? '' : ` (${pct(Math.abs(1 - v.tokens / naiveTokens))} ${v.tokens <= naiveTokens ? 'less' : 'more'})`}`;
    rows.push([`${label(r.set)} (${int(r.corpusFiles)} files, ${int(r.corpusTokens)} tokens)`, 'nothing cached', ...variants.map(([k]) => tokenCell(r.variants[k])), '–', r.sameDecisions ? `yes (${r.decisions} decisions)` : '**no**']);
    for (const p of t.providers) {
      const cost = (k) => r.variants[k].providers[p.key];
      const saving = 1 - cost('converge').equivalent / cost('naive').equivalent;
      rows.push([
        '',
        `${p.name} (${p.model}; read ${fmt(p.read, 2)}×, write ${fmt(p.write, 2)}×)`,
        ...variants.map(([k]) => `${int(cost(k).equivalent)} (${usd(cost(k).usd)})`),
        pct(saving),
        r.sameDecisions ? 'yes' : '**no**',
      ]);
      targets.push([
        `${label(r.set)}, ${p.name}: ≥ 50 % saving by price, same decisions`,
        `${pct(saving)} (${int(cost('naive').equivalent)} → ${int(cost('converge').equivalent)} input-token equivalents)${r.sameDecisions ? '' : ', decisions differ'}`,
        verdict(saving >= 0.5 && r.sameDecisions),
      ]);
      if (saving < 0.5) {
        // A miss, explained from the per-call replay: which calls the provider's cache did not serve.
        const per = cost('converge').perCall;
        const converge = r.variants.converge;
        const uncachedCalls = per.map((c, i) => ({ ...c, step: converge.templates[i] })).filter((c) => c.read === 0);
        const share = uncachedCalls.reduce((s, c) => s + c.equivalent, 0) / cost('converge').equivalent;
        const shared = uncachedCalls.map((c) => c.shared ?? 0);
        notes.push(
          `${label(r.set)}, ${p.name} missed: its cache serves a prefix from ${int(p.minTokens)} tokens on, and ${uncachedCalls.length} of ${per.length} Converge calls ` +
            `(${[...new Set(uncachedCalls.map((c) => c.step.replace(/_prompt_template\.md$/, '')))].join(', ')}) share no prefix that long with an earlier call ` +
            `(${int(Math.min(...shared))}–${int(Math.max(...shared))} tokens: the handbook and the workflow inputs up to a new plan), ` +
            `so they are paid in full: ${pct(share)} of Converge's cost.`,
        );
      }
    }
  }
  lines.push(
    'Input cost in input-token equivalents (uncached tokens × 1 + cache reads × read multiplier + cache writes × write multiplier), with USD at the model\'s list input price.',
    '',
    markdownTable(['documentation', 'cache model', ...variants.map(([, name]) => name), 'saving by price', 'same decisions'], rows),
    '',
  );
  // Where the tokens go: per call, under the Anthropic replay (marks, writes at 1.25×).
  const anthropic = t.providers.find((p) => p.key === 'anthropic') ?? t.providers[0];
  for (const r of t.results) {
    const n = r.variants.naive.providers[anthropic.key].perCall;
    const c = r.variants.converge.providers[anthropic.key].perCall;
    const split = (x) => `${int(x.read)} / ${int(x.write)} / ${int(x.plain)}`;
    const perCall = r.variants.converge.templates.map((name, i) => [
      i + 1,
      name.replace(/_prompt_template\.md$/, ''),
      int(n[i].tokens),
      split(n[i]),
      int(n[i].equivalent),
      int(c[i].tokens),
      split(c[i]),
      int(c[i].equivalent),
    ]);
    lines.push(
      `Where the tokens go, ${label(r.set)}, ${anthropic.name} (read / write / uncached tokens per call):`,
      '',
      markdownTable(['call', 'step', 'naive tokens', 'naive read / write / uncached', 'naive cost', 'Converge tokens', 'Converge read / write / uncached', 'Converge cost'], perCall),
      '',
    );
  }
  lines.push(markdownTable(['target', 'measured', 'result'], targets), '');
  if (notes.length > 0) lines.push(...notes.map((n) => `- ${n}`), '');
  const m = t.machine;
  lines.push(`Method: ${t.method ?? ''}${m ? ` Machine: ${m.cpu}, ${m.cores} cores, ${m.os}; token counts do not depend on it.` : ''}`);
  return lines.join('\n');
}

export function header(meta) {
  const v = meta.versions;
  const m = meta.machine;
  return [
    `Run ${meta.date}${meta.quick ? ' (--quick: reduced sizes, not the reference numbers)' : ''}, ${fmt(meta.totalSeconds, 0)} s in all.`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}; load average at start ${m.loadAverage.join(' / ')} ` +
      `(at end ${meta.loadAtEnd.join(' / ')})${m.loadAverage[0] > m.cores * 0.5 ? ' — other jobs were running, so wall-clock figures are pessimistic; CPU figures are steadier' : ''}.`,
    '',
    `Versions: converge ${v.converge}, Node ${v.node}, SQLite ${v.sqlite}, better-sqlite3 ${v['better-sqlite3']}, pg ${v.pg}, ` +
      `@langchain/langgraph ${v['@langchain/langgraph']}, @langchain/langgraph-checkpoint-sqlite ${v['@langchain/langgraph-checkpoint-sqlite']}, ` +
      `@langchain/core ${v['@langchain/core']}, gpt-tokenizer ${v['gpt-tokenizer']}.`,
  ].join('\n');
}
