/**
 * Where a bench's CPU went: a sampling profile of one phase (node:inspector), each busy sample
 * given to the innermost frame that belongs to a known part, so the shares add up to 100 %
 * (inclusive times would overlap). Profiling slows the code, so a profiled run is never the
 * timed one.
 */
const PARTS = [
  ['step traces (encode, deflate, traces table)', (url) => /\/dist\/(store\/trace-codec|store\/sqlite\/sqlite-traces|engine\/step-trace)\.js$/.test(url)],
  ['event codec (encode, deflate)', (url) => url.endsWith('/dist/store/event-codec.js') || url.endsWith('/dist/store/event-dictionary.js')],
  ['secret redaction at the store boundary', (url) => url.endsWith('/dist/store/record-redaction.js')],
  ['git (the workspace base at start)', (url) => /\/dist\/workspace\/(git|workspace-base)\.js$/.test(url) || url.includes('/node_modules/execa/')],
  ['SQLite store (statements, transactions, JSON of rows)', (url) => url.includes('better-sqlite3') || url.includes('/dist/store/')],
  ['state fold (reduce over appended events)', (url) => url.endsWith('/dist/core/apply.js')],
  ['decide() and convergence', (url) => /\/dist\/core\/(decide|convergence|definition)\.js$/.test(url)],
  ['prompt templates (Liquid, template lookup)', (url) => url.includes('/dist/templates/') || url.includes('liquidjs')],
  ['agent output parsing', (url) => url.includes('/dist/agents/parsing/')],
  ['workspace file writes (path guard)', (url) => url.includes('/dist/workspace/')],
  ['zod validation', (url) => url.includes('/node_modules/zod/')],
  ['AI SDK and HTTP client', (url) => /\/node_modules\/(ai|@ai-sdk\/[^/]+|@standard-schema\/[^/]+|eventsource-parser)\//.test(url) || url.includes('node:internal/deps/undici')],
  ['agents, limiter, breaker', (url) => url.includes('/dist/agents/') || url.includes('p-queue') || /provider-limiter|circuit-breaker/.test(url)],
  ['runner, step executor, worker (the rest of the engine)', (url) => url.includes('/dist/engine/') || url.includes('/dist/core/')],
];

/** Runs `fn`; with `enabled`, also returns the CPU breakdown of what ran meanwhile. */
export async function profiled(enabled, fn) {
  if (!enabled) return { value: await fn() };
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  const value = await fn();
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  return { value, breakdown: breakdownOf(profile), topFunctions: topFunctionsOf(profile) };
}

/**
 * The functions with the most self time, each with its share of the busy samples. A native
 * function (no file: a SQLite statement's `run`, `writeSync`) is named with the nearest caller
 * that has one, so the line says whose work it is.
 */
function topFunctionsOf(profile, count = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frame = ({ functionName, url, lineNumber }) =>
    `${functionName || '(anonymous)'} ${url.replace(/^.*\/(dist|node_modules)\//, '$1/').replace(/^file:\/\//, '')}:${lineNumber + 1}`;
  const counts = new Map();
  let busy = 0;
  for (const id of profile.samples) {
    const { callFrame } = byId.get(id);
    const { functionName, url } = callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    busy++;
    let key = url === '' ? functionName : frame(callFrame);
    if (url === '' && functionName !== '(garbage collector)') {
      let cur = parent.get(id);
      while (cur !== undefined && byId.get(cur).callFrame.url === '') cur = parent.get(cur);
      if (cur !== undefined) key = `${functionName} (native) in ${frame(byId.get(cur).callFrame)}`;
    }
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((x, y) => y[1] - x[1]).slice(0, count).map(([name, n]) => ({ name, share: n / busy }));
}

function breakdownOf(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const counts = new Map();
  let busy = 0;
  for (const id of profile.samples) {
    const leaf = byId.get(id).callFrame.functionName;
    if (leaf === '(idle)' || leaf === '(program)') continue;
    busy++;
    let part = leaf === '(garbage collector)' ? 'garbage collection' : undefined;
    for (let cur = id; part === undefined && cur !== undefined; cur = parent.get(cur)) {
      const url = byId.get(cur).callFrame.url;
      part = PARTS.find(([, match]) => match(url))?.[0];
    }
    part ??= 'Node and libraries outside these';
    counts.set(part, (counts.get(part) ?? 0) + 1);
  }
  return [...counts].sort((x, y) => y[1] - x[1]).map(([name, n]) => ({ name, share: n / busy }));
}
