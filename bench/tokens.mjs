/**
 * Bench 4 — input tokens per workflow for the demo session, counted with o200k_base
 * (gpt-tokenizer), three ways:
 *
 *   naive     every knowledge document in full in every prompt (what the seed's prototypes did)
 *   selected  the chunks knowledge selection picks within each role's token budget
 *   cached    selected, with each template's static part counted as a cache read
 *
 * The demo workflow is really run (recorded agents, the demo's real checks) once per way, and
 * every prompt the agents receive is captured, so the counts are of the prompts Converge sends.
 * The agents are recorded, so the decisions cannot depend on the knowledge text; the bench still
 * compares the two runs' decision trails and reports whether they are identical.
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
/** Anthropic's minimum cacheable prefix for Sonnet/Opus (Haiku: 2,048); OpenAI's automatic caching also starts at 1,024. */
const PROVIDER_MIN_CACHE_TOKENS = 1024;

const { openStore } = await dist('store/index.js');
const { createEngine } = await dist('engine/create-engine.js');
const { startWorkflow } = await dist('engine/workflow-commands.js');
const { ProjectConfigSchema } = await dist('workflows/project-config.js');
const { KnowledgeIndex, naiveKnowledge } = await dist('knowledge/index.js');

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

/** Runs the demo once; `mode` picks what knowledgeFor returns. Returns every agent call and the decision trail. */
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
            calls.push({ template: request.template, role: request.role, prompt: request.prompt, staticPrompt: request.staticPrompt ?? '' });
            return agent.call(request);
          },
        },
      };
    };
    const started = await startWorkflow(store, engine.clock, {
      definition: engine.definition,
      requirements: readFileSync(join(dir, 'requirements.md'), 'utf8'),
      workspace: { path: workspace, type: 'shared' },
      documentationLocations: globs,
      autoApprove: true,
    });
    const outcome = await engine.runner.run(started.workflowId);
    const events = await store.readEvents(started.workflowId);
    return { status: outcome.status, calls, decisions: decisionTrail(events), corpusTokens: corpus.tokens, corpusFiles: corpus.chunks.length };
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

/** Token totals of one run's calls. Cache reads are counted three ways, see the table notes. */
function count(calls) {
  let total = 0;
  let cachedWarm = 0;
  let cachedCold = 0;
  let cachedEffective = 0;
  const seen = new Set();
  const staticSizes = new Map();
  for (const call of calls) {
    const tokens = countTokens(call.prompt);
    const fixed = call.staticPrompt === '' ? 0 : countTokens(call.staticPrompt);
    staticSizes.set(call.template, fixed);
    total += tokens;
    cachedWarm += fixed;
    if (seen.has(call.template)) cachedCold += fixed;
    if (fixed >= PROVIDER_MIN_CACHE_TOKENS) cachedEffective += fixed;
    seen.add(call.template);
  }
  return { calls: calls.length, total, cachedWarm, cachedCold, cachedEffective, staticSizes: Object.fromEntries(staticSizes) };
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
    naive: count(naive.calls),
    selected: count(selected.calls),
  });
}
emit({ bench: 'tokens', tokenizer: 'o200k_base (gpt-tokenizer)', minCacheTokens: PROVIDER_MIN_CACHE_TOKENS, results });
