/**
 * Bench 4 — the input cost of one workflow, naive vs Converge, priced with each provider's
 * prompt-cache rules and prices. Tokens are counted with o200k_base (gpt-tokenizer).
 *
 * The demo workflow is really run (recorded agents, the demo's real checks), and every prompt the
 * agents receive is captured, so the counts are of the prompts Converge sends. Three ways of
 * sending the same workflow are compared, all rendered from the SAME built-in templates:
 *
 *   naive       what an orchestrator that ignores caching sends: each prompt's parts in the order
 *               a prompt is usually written (the seed's order) — the step's instructions first
 *               (role, rules, output format: from the step's `# Role:` heading on), then the
 *               handbook, then the workflow's inputs (requirements, workspace, plan), then the
 *               step's inputs (reference material, reports, checks, code), and a repair request
 *               last — with every knowledge document in full (no selection), read afresh at each
 *               call. Byte for byte the same parts as Converge's prompt, reordered.
 *   naive order, selected knowledge
 *               Converge's own prompts (same knowledge selection) reordered the naive way: the
 *               difference to Converge is the order alone.
 *   Converge    the prompts as the engine sends them: handbook, workflow inputs, step inputs,
 *               instructions, with the cache marks the ai-sdk agent puts on the request.
 *
 * Each is priced under each provider's cache, replayed over the workflow's calls in order (an
 * entry lives for the whole workflow: calls that share a prefix follow each other within the
 * 5-minute TTL, which every read renews):
 *
 *   Anthropic  explicit marks. Converge: the blocks and marks `buildPrompt` sends. Naive: a mark
 *              at the end of each of its parts but the last (the same rule Converge's templates
 *              follow, so the baseline caches whatever its order lets it). A mark whose prefix
 *              has at least 1,024 tokens writes an entry (billed at the write multiplier); a call
 *              reads the longest entry that ends at one of its marks (read multiplier).
 *   OpenAI     automatic: the longest prefix shared with an earlier prompt, from 1,024 tokens on,
 *              in steps of 128, read at the cached-input price; writes cost nothing extra.
 *   Google     implicit caching of Gemini 2.5: the same from 2,048 tokens on.
 *
 * Multipliers and prices come from the price table (src/agents/pricing.ts, `cacheMultipliers`).
 * The agents are recorded, so the decisions cannot depend on the prompts; the bench still compares
 * the runs' decision trails and reports whether they are identical.
 *
 * Two documentation sets: the demo project as shipped (the typescript profile's knowledge globs:
 * README.md, docs/**\/*.md, src/**\/*.ts — about 200 tokens, so selection has nothing to cut), and
 * the same project with a docs/ folder larger than every role's budget (bench/fixtures/large-docs:
 * a frozen copy of Converge's README and the knowledge test fixture's guides), where selection matters.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { BENCH_DIR, ROOT, args, dist, emit, machine } from './lib/common.mjs';

const a = args();
const DEMO_DIR = join(ROOT, 'examples', 'demo');

const { openStore } = await dist('store/index.js');
const { createEngine } = await dist('engine/create-engine.js');
const { startWorkflow } = await dist('engine/workflow-commands.js');
const { ProjectConfigSchema } = await dist('workflows/project-config.js');
const { KnowledgeIndex, naiveKnowledge } = await dist('knowledge/index.js');
const { cacheCuts } = await dist('agents/ai-sdk/ai-sdk-prompt.js');
const { priceOf, cacheMultipliers } = await dist('agents/pricing.js');

/**
 * One current model per provider, priced from the table. `marks`: the provider caches only where
 * the request marks it (Anthropic); `prefix`: it caches shared prefixes on its own.
 */
const PROVIDERS = [
  { key: 'anthropic', name: 'Anthropic', model: 'claude-sonnet-4-5', kind: 'marks', minTokens: 1024, step: 1 },
  { key: 'openai', name: 'OpenAI', model: 'gpt-5', kind: 'prefix', minTokens: 1024, step: 128 },
  { key: 'google', name: 'Google', model: 'gemini-2.5-flash', kind: 'prefix', minTokens: 2048, step: 1 },
].map((p) => {
  const price = priceOf(p.model);
  if (price === undefined) throw new Error(`the price table has no entry for ${p.model}`);
  return { ...p, inputPrice: price.input, ...cacheMultipliers(price) };
});

const METHOD =
  "The demo's recorded session run end to end (real type-check and tests) once per documentation set and knowledge mode; every prompt the agents receive is captured and counted with o200k_base (gpt-tokenizer). " +
  'All prompts are rendered from the same built-in templates. Naive: each prompt cut at its template cache breakpoints and its "# Role:" heading and reassembled in the order a prompt is usually written (the seed\'s order): ' +
  "the step's instructions (role, rules, output format), the handbook, the workflow's inputs (requirements, workspace, plan), the step's inputs (reference material, reports, checks, code), a repair request last; " +
  'with every knowledge document in full in every prompt, read afresh at each call (no selection). "Naive order, selected knowledge": Converge\'s prompts reordered the same way, so its difference to Converge is the order alone. ' +
  "Converge: the prompts as sent, knowledge selected within the role budgets (planner 4,000, validator 2,000, programmer 3,000 tokens). " +
  "Each is priced by replaying the workflow's calls against each provider's cache (entries live for the whole workflow, the calls being within the 5-minute TTL that every read renews): " +
  "Anthropic — explicit marks, Converge's as the ai-sdk agent sends them (buildPrompt), the naive prompts' at the end of each of their parts but the last (same rule, so the baseline caches what its order allows); " +
  'a mark whose prefix has ≥ 1,024 tokens writes an entry, a call reads the longest entry ending at one of its marks; ' +
  'OpenAI — the longest prefix shared with an earlier prompt, from 1,024 tokens in steps of 128, writes free; Google (Gemini 2.5 implicit caching) — the same from 2,048 tokens. ' +
  'Cost = uncached tokens × 1 + cache reads × read multiplier + cache writes × write multiplier, in input-token equivalents, and in USD at the model\'s input price; ' +
  'multipliers and prices from the price table (src/agents/pricing.ts). Saving = 1 − Converge / naive. Output tokens are the same in every variant (recorded replies) and left out. ' +
  "The agents are recorded, so the decisions cannot depend on the prompts; the runs' decision trails (steps, scores, issues, checks, gates) are compared anyway. " +
  "Documentation: the typescript profile's knowledge globs (README.md, docs/**/*.md, src/**/*.ts) over the demo project; the second set adds a docs/ folder " +
  "(bench/fixtures/large-docs: a frozen copy of Converge's README and the knowledge test fixture's guides) larger than every budget.";

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

/** Runs the demo once; `mode` picks what knowledgeFor returns (every document in full, or the selection). Returns every agent call and the decision trail. */
async function runDemo(mode, extraDocs) {
  const { dir, cleanup } = demoCopy(extraDocs);
  const store = await openStore(':memory:');
  try {
    const config = ProjectConfigSchema.parse(parseYaml(readFileSync(join(dir, 'converge.yaml'), 'utf8')));
    const engine = createEngine({ store, config, baseDir: dir });
    const workspace = join(dir, 'project');
    // What the demo would index: the definition's and profile's knowledge globs.
    const globs = engine.definition.knowledge;
    // The naive baseline pastes the documents as they are at each call (the programmer changes
    // src/ during the run): a naive orchestrator has no knowledge selection.
    const naiveIndex = new KnowledgeIndex({ root: workspace, globs, indexPath: false });
    const naiveNow = async () => {
      await naiveIndex.refresh();
      return naiveKnowledge(naiveIndex);
    };
    const corpus = await naiveNow();
    const selectedKnowledge = engine.executor.knowledgeFor;
    engine.executor.knowledgeFor = async (state, step, query) => (mode === 'naive' ? (await naiveNow()).text : selectedKnowledge(state, step, query));

    // Both runs render the built-in templates; each render's breakpoints are remembered, so the
    // prompt can be cut into its parts (handbook, workflow inputs, step) for the naive order.
    const renderer = engine.executor.templates;
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

const ROLE_HEADING = '\n# Role:';
const REPAIR_HEADING = '\n## Your previous reply could not be used';

/**
 * The same prompt in naive order, with its part ends (where the naive orchestrator would put its
 * cache marks). The parts are found from the template's own breakpoints: the first ends the
 * handbook, the static part (`RenderedParts.staticPart`) the workflow's inputs; the step's part
 * is cut at its `# Role:` heading.
 */
function naiveOrder(call) {
  const handbookEnd = call.templateBreakpoints[0];
  const inputsEnd = call.staticPrompt.length;
  const p = call.prompt;
  if (handbookEnd === undefined || inputsEnd <= handbookEnd || !p.startsWith(call.staticPrompt) || !p.startsWith('# Converge workflow handbook')) {
    throw new Error(`${call.template}: expected the built-in layout (handbook, workflow inputs, step), got breakpoints ${JSON.stringify(call.templateBreakpoints)}`);
  }
  const step = p.slice(inputsEnd);
  const role = step.indexOf(ROLE_HEADING);
  if (role === -1) throw new Error(`${call.template}: no "# Role:" heading in the step's part`);
  let instructions = step.slice(role + 1);
  let repair = '';
  const r = instructions.indexOf(REPAIR_HEADING);
  if (r !== -1) {
    repair = instructions.slice(r + 1);
    instructions = instructions.slice(0, r + 1);
  }
  const parts = [instructions, p.slice(0, handbookEnd), p.slice(handbookEnd, inputsEnd), step.slice(0, role + 1), repair]
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => `${part}\n\n`);
  const ends = [];
  let at = 0;
  for (const part of parts) ends.push((at += part.length));
  const prompt = parts.join('');
  return { ...call, prompt, marks: cacheCuts(prompt, undefined, ends.slice(0, -1)) };
}

/** Converge's prompt as sent, with the cache marks the ai-sdk agent puts on it. */
function asSent(call) {
  return { ...call, marks: cacheCuts(call.prompt, call.staticPrompt, call.sentBreakpoints) };
}

/** Tokens of a prefix, memoised per prompt (the replays ask for the same cuts many times). */
function tokenCounter() {
  const memo = new Map();
  return (text) => {
    let n = memo.get(text);
    if (n === undefined) memo.set(text, (n = countTokens(text)));
    return n;
  };
}

/**
 * Anthropic's cache, replayed: a call reads the longest earlier entry ending at one of its marks,
 * then writes an entry at each mark whose prefix reaches the minimum; the tokens between the read
 * and the last such mark are billed as writes, the rest as plain input.
 */
function markedCache(calls, provider, tokens) {
  const entries = new Set();
  return calls.map((call) => {
    const total = tokens(call.prompt);
    const cacheable = call.marks.filter((cut) => tokens(call.prompt.slice(0, cut)) >= provider.minTokens);
    let read = 0;
    for (const cut of [...cacheable].reverse()) {
      if (entries.has(call.prompt.slice(0, cut))) {
        read = tokens(call.prompt.slice(0, cut));
        break;
      }
    }
    const lastWritten = cacheable.length === 0 ? 0 : tokens(call.prompt.slice(0, cacheable.at(-1)));
    const write = Math.max(0, lastWritten - read);
    for (const cut of cacheable) entries.add(call.prompt.slice(0, cut));
    return { tokens: total, read, write, plain: total - read - write };
  });
}

/** Automatic prefix caching, replayed: the longest prefix shared with an earlier prompt, in cacheable steps; writes are free. */
function prefixCache(calls, provider, tokens) {
  const earlier = [];
  return calls.map((call) => {
    const total = tokens(call.prompt);
    let shared = 0;
    for (const other of earlier) {
      const n = Math.min(other.length, call.prompt.length);
      let i = 0;
      while (i < n && other.charCodeAt(i) === call.prompt.charCodeAt(i)) i++;
      shared = Math.max(shared, i);
    }
    earlier.push(call.prompt);
    const prefix = shared === 0 ? 0 : tokens(call.prompt.slice(0, shared));
    const read = prefix < provider.minTokens ? 0 : provider.minTokens + Math.floor((prefix - provider.minTokens) / provider.step) * provider.step;
    return { tokens: total, read, write: 0, plain: total - read, shared: prefix };
  });
}

/** One variant's calls priced under every provider: per call and in total. */
function price(calls) {
  const tokens = tokenCounter();
  const perProvider = {};
  for (const provider of PROVIDERS) {
    const per = provider.kind === 'marks' ? markedCache(calls, provider, tokens) : prefixCache(calls, provider, tokens);
    const sum = (field) => per.reduce((s, c) => s + c[field], 0);
    const equivalent = (c) => c.plain + c.read * provider.read + c.write * provider.write;
    const eq = per.reduce((s, c) => s + equivalent(c), 0);
    perProvider[provider.key] = {
      tokens: sum('tokens'),
      read: sum('read'),
      write: sum('write'),
      plain: sum('plain'),
      equivalent: eq,
      usd: (eq * provider.inputPrice) / 1_000_000,
      perCall: per.map((c) => ({ ...c, equivalent: equivalent(c) })),
    };
  }
  return {
    calls: calls.length,
    tokens: calls.reduce((s, c) => s + tokens(c.prompt), 0),
    templates: calls.map((c) => c.template),
    // The handbook and workflow inputs of each call: the prefix every step shares.
    staticTokens: calls.map((c) => tokens(c.staticPrompt)),
    providers: perProvider,
  };
}

const sets = a.get('sets')?.split(',') ?? ['shipped', 'large-docs'];
const results = [];
for (const set of sets) {
  const extraDocs = set === 'large-docs';
  const naive = await runDemo('naive', extraDocs);
  const selected = await runDemo('selected', extraDocs);
  const dump = a.get('dump');
  if (dump !== undefined) {
    // --dump=<dir>: every prompt of both runs as sent, to read where the tokens go.
    mkdirSync(dump, { recursive: true });
    for (const [mode, run] of [['naive', naive], ['converge', selected]]) {
      run.calls.forEach((call, i) => {
        writeFileSync(join(dump, `${set}-${mode}-${String(i).padStart(2, '0')}-${call.template.replace(/_prompt_template\.md$|\.md$/, '')}.md`), mode === 'naive' ? naiveOrder(call).prompt : call.prompt);
      });
    }
  }
  const variants = {
    naive: price(naive.calls.map(naiveOrder)),
    naiveOrderSelected: price(selected.calls.map(naiveOrder)),
    converge: price(selected.calls.map(asSent)),
  };
  results.push({
    set,
    corpusTokens: naive.corpusTokens,
    corpusFiles: naive.corpusFiles,
    statuses: [naive.status, selected.status],
    sameDecisions: JSON.stringify(naive.decisions) === JSON.stringify(selected.decisions),
    decisions: selected.decisions.length,
    // The prompts as rendered (Converge's order), to check the reordering kept every part.
    renderedTokens: { naive: naive.calls.reduce((s, c) => s + countTokens(c.prompt), 0), converge: selected.calls.reduce((s, c) => s + countTokens(c.prompt), 0) },
    variants,
  });
  for (const provider of PROVIDERS) {
    const n = variants.naive.providers[provider.key].equivalent;
    const c = variants.converge.providers[provider.key].equivalent;
    process.stderr.write(`tokens: ${set}, ${provider.name}: naive ${Math.round(n)}, Converge ${Math.round(c)} input-token equivalents, saving ${((1 - c / n) * 100).toFixed(1)} %\n`);
  }
}
emit({
  bench: 'tokens',
  tokenizer: 'o200k_base (gpt-tokenizer)',
  providers: PROVIDERS,
  machine: machine(),
  method: METHOD,
  results,
});
