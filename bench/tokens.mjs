/**
 * Bench 4 — input tokens per workflow for the demo session, counted with o200k_base
 * (gpt-tokenizer).
 *
 * The demo workflow is really run (recorded agents, the demo's real checks) twice, and every
 * prompt the agents receive is captured, so the counts are of the prompts Converge sends:
 *
 *   naive     the seed's way: its seven templates as Converge first shipped them
 *             (bench/fixtures/seed-port: the role's instructions, then every input in
 *             full — the whole latest report, the whole knowledge selection next to the same
 *             files as code), with every knowledge document in full in every prompt, read afresh
 *             at each call, as the seed's prototypes did.
 *   selected  the built-in templates (a handbook shared by every step first, then the workflow's
 *             inputs, then the step's own inputs and instructions; compact report for revisions;
 *             no knowledge section about a file the prompt shows in full) with the chunks
 *             knowledge selection picks within each role's token budget.
 *
 * The selected prompts are then split into uncached and cached tokens three ways, each replaying
 * the workflow's calls in order against a model of the provider's cache (an entry lives for the
 * whole workflow: calls that share a prefix are minutes apart, within the 5-minute TTL, which
 * every cache read renews):
 *
 *   Anthropic, as sent    the request the ai-sdk agent builds (`buildPrompt` with the
 *                         AgentRequest's `staticPrompt` and `cacheBreakpoints`): each marked
 *                         block end writes an entry when the prefix
 *                         up to it has at least 1,024 tokens; a call reads the longest entry that
 *                         is a prefix of it ending at one of its block ends.
 *   Anthropic, every      the same with every breakpoint the template marks
 *   template breakpoint   (`RenderedParts.cacheBreakpoints`) passed to `buildPrompt`.
 *   automatic prefix      OpenAI-style: the longest prefix shared with any earlier prompt of the
 *                         workflow is read from the cache when it has at least 1,024 tokens,
 *                         counted in steps of 128 tokens; no marks needed (Gemini and DeepSeek
 *                         also cache shared prefixes on their own).
 *
 * "Warm" additionally counts as already cached the prefixes that hold none of the workflow's own
 * inputs (the handbook), as an earlier workflow would have left them. Cache writes are counted as
 * uncached tokens (Anthropic bills them at 1.25× the input price, reads at 0.1×).
 *
 * The agents are recorded, so the decisions cannot depend on the prompts; the bench still compares
 * the two runs' decision trails and reports whether they are identical.
 *
 * Two documentation sets: the demo project as shipped (the typescript profile's knowledge globs:
 * README.md, docs/**\/*.md, src/**\/*.ts — about 200 tokens, so selection has nothing to cut), and
 * the same project with a docs/ folder larger than every role's budget (bench/fixtures/large-docs:
 * a frozen copy of Converge's README and the knowledge test fixture's guides), where selection matters.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { BENCH_DIR, ROOT, args, dist, emit } from './lib/common.mjs';

const a = args();
const DEMO_DIR = join(ROOT, 'examples', 'demo');
/** The seed's seven templates as Converge first shipped them: the naive baseline renders these. */
const SEED_TEMPLATES = join(ROOT, 'bench', 'fixtures', 'seed-port');
/** Anthropic's minimum cacheable prefix for Sonnet/Opus (Haiku: 2,048); OpenAI's automatic caching also starts at 1,024. */
const PROVIDER_MIN_CACHE_TOKENS = 1024;
/** OpenAI caches prefixes in steps of 128 tokens past the first 1,024. */
const AUTOMATIC_CACHE_STEP = 128;
const METHOD =
  "The demo's recorded session run end to end (real type-check and tests) twice, every prompt the agents receive captured and counted with o200k_base (gpt-tokenizer). " +
  "Naive: the seed's seven templates as Converge first shipped them (bench/fixtures/seed-port: instructions, then every input in full), with every knowledge document in full in every prompt, read afresh at each call. " +
  'Selected: the built-in templates (a handbook shared by every step, then the workflow inputs, then the step inputs and instructions; a compact report for revisions; no knowledge section about a file shown in full as code) ' +
  'with what knowledge selection picks within the role budgets (planner 4,000, validator 2,000, programmer 3,000 tokens). ' +
  "Cache columns replay the workflow's calls against a model of the provider's cache and count uncached tokens (cache writes included; entries live for the whole workflow): " +
  "Anthropic, as sent — the blocks and cache marks the ai-sdk agent sends today, an entry written at each mark whose prefix has at least 1,024 tokens, a call reading the longest entry ending at one of its block ends; " +
  'Anthropic, every template breakpoint — the same with every breakpoint the templates mark (the engine passes them all on in the request, so it equals "as sent"); ' +
  'automatic prefix — OpenAI-style, the longest prefix shared with an earlier prompt read from the cache from 1,024 tokens on, in steps of 128. ' +
  '"warm" also counts as cached the prefixes holding none of the workflow\'s own inputs (the handbook), as an earlier workflow would have left them. ' +
  "The agents are recorded, so the decisions cannot depend on the prompts; the two runs' decision trails (steps, scores, issues, checks, gates) are compared anyway. " +
  "Documentation: the typescript profile's knowledge globs (README.md, docs/**/*.md, src/**/*.ts) over the demo project; the second row adds a docs/ folder " +
  "(bench/fixtures/large-docs: a frozen copy of Converge's README and the knowledge test fixture's guides) larger than every budget.";

const { openStore } = await dist('store/index.js');
const { createEngine } = await dist('engine/create-engine.js');
const { startWorkflow } = await dist('engine/workflow-commands.js');
const { ProjectConfigSchema } = await dist('workflows/project-config.js');
const { KnowledgeIndex, naiveKnowledge } = await dist('knowledge/index.js');
const { createTemplateRenderer } = await dist('templates/index.js');
const { cacheCuts } = await dist('agents/ai-sdk/ai-sdk-prompt.js');

/** A copy of examples/demo whose session has no delays (the tokens do not depend on them). */
function demoCopy(extraDocs) {
  const dir = mkdtempSync(join(os.tmpdir(), 'converge-bench-tokens-'));
  cpSync(DEMO_DIR, dir, { recursive: true });
  const session = parseYaml(readFileSync(join(dir, 'session.yaml'), 'utf8'));
  for (const role of ['planner', 'validator', 'programmer']) for (const entry of session[role] ?? []) delete entry.delay_ms;
  writeFileSync(join(dir, 'session.yaml'), toYaml(session));
  if (extraDocs) {
    // A frozen copy (bench/fixtures/large-docs: Converge's README as a developer guide, plus the
    // knowledge test fixture's guides), so the numbers do not move when the README is edited.
    cpSync(join(BENCH_DIR, 'fixtures', 'large-docs'), join(dir, 'project', 'docs'), { recursive: true });
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the demo once; `mode` picks the templates and what knowledgeFor returns. Returns every agent call and the decision trail. */
async function runDemo(mode, extraDocs) {
  const { dir, cleanup } = demoCopy(extraDocs);
  const store = await openStore(':memory:');
  try {
    const config = ProjectConfigSchema.parse(parseYaml(readFileSync(join(dir, 'converge.yaml'), 'utf8')));
    const engine = createEngine({ store, config, baseDir: dir });
    const workspace = join(dir, 'project');
    // What the demo would index: the definition's and profile's knowledge globs.
    const globs = engine.definition.knowledge;
    // The naive baseline pastes the documents as they are at each call: the programmer changes
    // src/ during the run, and the seed's prototypes read the files afresh for every prompt.
    const naiveIndex = new KnowledgeIndex({ root: workspace, globs, indexPath: false });
    const naiveNow = async () => {
      await naiveIndex.refresh();
      return naiveKnowledge(naiveIndex);
    };
    const corpus = await naiveNow();
    const selectedKnowledge = engine.executor.knowledgeFor;
    engine.executor.knowledgeFor = async (state, step, query) => (mode === 'naive' ? (await naiveNow()).text : selectedKnowledge(state, step, query));

    // The naive run renders the seed's templates (they override the built-ins by file name); both
    // runs remember each render's breakpoints for the "every template breakpoint" column.
    const renderer = mode === 'naive' ? createTemplateRenderer({ templatesDir: SEED_TEMPLATES, revalidateMs: 60_000 }) : engine.executor.templates;
    const rendered = new Map();
    engine.executor.templates = {
      directories: renderer.directories,
      render: (name, vars) => renderer.render(name, vars),
      list: () => renderer.list(),
      source: (name) => renderer.source(name),
      renderParts: async (name, vars) => {
        const parts = await renderer.renderParts(name, vars);
        rendered.set(parts.staticPart + parts.dynamicPart, parts.cacheBreakpoints ?? []);
        return parts;
      },
    };

    const calls = [];
    const agentFor = engine.executor.agentFor;
    engine.executor.agentFor = (role, index, state) => {
      const choice = agentFor(role, index, state);
      if (choice.kind !== 'agent') return choice;
      const agent = choice.agent;
      return {
        kind: 'agent',
        agent: {
          id: agent.id,
          provider: agent.provider,
          call: async (request) => {
            calls.push({
              template: request.template,
              role: request.role,
              prompt: request.prompt,
              staticPrompt: request.staticPrompt ?? '',
              sentBreakpoints: request.cacheBreakpoints ?? [],
              templateBreakpoints: rendered.get(request.prompt) ?? [],
            });
            return agent.call(request);
          },
        },
      };
    };
    const requirements = readFileSync(join(dir, 'requirements.md'), 'utf8');
    const started = await startWorkflow(store, engine.clock, {
      definition: engine.definition,
      requirements,
      workspace: { path: workspace, type: 'shared' },
      documentationLocations: globs,
      autoApprove: true,
    });
    const outcome = await engine.runner.run(started.workflowId);
    const events = await store.readEvents(started.workflowId);
    return {
      status: outcome.status,
      calls,
      ownInputs: [requirements.trim(), workspace],
      decisions: decisionTrail(events),
      corpusTokens: corpus.tokens,
      corpusFiles: corpus.chunks.length,
    };
  } finally {
    await store.close();
    cleanup();
  }
}

/** What the workflow decided, without times, ids and texts: steps, scores, verdicts, gates, outcome. */
function decisionTrail(events) {
  return events
    .map((e) => {
      switch (e.type) {
        case 'step_scheduled':
          return `schedule ${e.stepId} (${e.decisionType})`;
        case 'validation_recorded':
          return `scores ${JSON.stringify(e.report.scoreCard.dimensions)} issues ${e.report.issues.map((i) => i.severity).join(',')}`;
        case 'checks_recorded':
          return `checks ${e.results.map((r) => `${r.toolId}:${r.status}`).join(',')}`;
        case 'approval_decided':
          return `gate ${e.decision}`;
        case 'phase_transitioned':
          return `phase ${e.to}`;
        case 'workflow_completed':
        case 'workflow_failed':
          return e.type;
        default:
          return undefined;
      }
    })
    .filter((line) => line !== undefined);
}

/**
 * Anthropic's cache, replayed: each call is cut into blocks at `cutsOf(call)` (every cut carries a
 * cache mark); a call reads the longest cached prefix ending at one of its cuts, then writes an
 * entry at each cut whose prefix reaches the minimum. Returns the cached tokens per call.
 */
function anthropicCache(calls, cutsOf, warm) {
  const entries = new Set(warm);
  return calls.map((call) => {
    const cuts = cutsOf(call);
    let read = 0;
    for (const cut of [...cuts].reverse()) {
      if (entries.has(call.prompt.slice(0, cut))) {
        read = countTokens(call.prompt.slice(0, cut));
        break;
      }
    }
    for (const cut of cuts) {
      const prefix = call.prompt.slice(0, cut);
      if (countTokens(prefix) >= PROVIDER_MIN_CACHE_TOKENS) entries.add(prefix);
    }
    return read >= PROVIDER_MIN_CACHE_TOKENS ? read : 0;
  });
}

/** Automatic prefix caching, replayed: the longest prefix shared with an earlier prompt, in cacheable steps. */
function automaticCache(calls, warm) {
  const earlier = [...warm];
  return calls.map((call) => {
    let shared = 0;
    for (const other of earlier) {
      const n = Math.min(other.length, call.prompt.length);
      let i = 0;
      while (i < n && other.charCodeAt(i) === call.prompt.charCodeAt(i)) i++;
      shared = Math.max(shared, i);
    }
    earlier.push(call.prompt);
    const tokens = shared === 0 ? 0 : countTokens(call.prompt.slice(0, shared));
    if (tokens < PROVIDER_MIN_CACHE_TOKENS) return 0;
    return PROVIDER_MIN_CACHE_TOKENS + Math.floor((tokens - PROVIDER_MIN_CACHE_TOKENS) / AUTOMATIC_CACHE_STEP) * AUTOMATIC_CACHE_STEP;
  });
}

/** Token totals of one run's calls, and the cached tokens of each cache model, cold and warm. */
function count(run) {
  const { calls, ownInputs } = run;
  const perCall = calls.map((call) => countTokens(call.prompt));
  const total = perCall.reduce((s, n) => s + n, 0);
  const sentCuts = (call) => cacheCuts(call.prompt, call.staticPrompt, call.sentBreakpoints);
  const templateCuts = (call) => cacheCuts(call.prompt, call.staticPrompt, call.templateBreakpoints);
  // What an earlier workflow leaves in the cache: the marked prefixes that hold none of this workflow's inputs.
  const generic = (cutsOf) =>
    calls.flatMap((call) => cutsOf(call).map((cut) => call.prompt.slice(0, cut))).filter((prefix) => !ownInputs.some((own) => prefix.includes(own)));
  const sum = (list) => list.reduce((s, n) => s + n, 0);
  const models = {
    anthropicAsSent: { cold: anthropicCache(calls, sentCuts, []), warm: anthropicCache(calls, sentCuts, generic(sentCuts)) },
    anthropicAllBreakpoints: { cold: anthropicCache(calls, templateCuts, []), warm: anthropicCache(calls, templateCuts, generic(templateCuts)) },
    automaticPrefix: { cold: automaticCache(calls, []), warm: automaticCache(calls, generic(templateCuts)) },
  };
  const cached = Object.fromEntries(Object.entries(models).map(([name, m]) => [name, { cold: sum(m.cold), warm: sum(m.warm) }]));
  // The shared part every template starts with (the handbook), per template: its first cache cut.
  const staticSizes = {};
  for (const call of calls) staticSizes[call.template] = countTokens(call.prompt.slice(0, templateCuts(call)[0] ?? 0));
  return {
    calls: calls.length,
    total,
    perCall: calls.map((call, i) => ({
      template: call.template,
      tokens: perCall[i],
      ...Object.fromEntries(Object.entries(models).map(([name, m]) => [name, m.cold[i]])),
    })),
    cached,
    // The fields the first version of this bench wrote, for report readers that still expect them:
    // warm / one workflow alone / provider minimum, all for the request as sent today.
    cachedWarm: cached.anthropicAsSent.warm,
    cachedCold: cached.anthropicAsSent.cold,
    cachedEffective: cached.anthropicAsSent.cold,
    staticSizes,
  };
}

const sets = a.get('sets')?.split(',') ?? ['shipped', 'large-docs'];
const results = [];
for (const set of sets) {
  const extraDocs = set === 'large-docs';
  const naive = await runDemo('naive', extraDocs);
  const selected = await runDemo('selected', extraDocs);
  results.push({
    set,
    corpusTokens: naive.corpusTokens,
    corpusFiles: naive.corpusFiles,
    statuses: [naive.status, selected.status],
    sameDecisions: JSON.stringify(naive.decisions) === JSON.stringify(selected.decisions),
    decisions: selected.decisions.length,
    naive: count(naive),
    selected: count(selected),
  });
}
emit({ bench: 'tokens', tokenizer: 'o200k_base (gpt-tokenizer)', minCacheTokens: PROVIDER_MIN_CACHE_TOKENS, method: METHOD, results });
