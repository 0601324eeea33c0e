/**
 * The seven-step workflow as a LangGraph JS graph, for the transition-overhead comparison: the
 * same topology and loops as Converge's seven-step definition (plan → validate → revise →
 * validate → plan gate → implement → validate → refine → re-validate → final gate), nodes that
 * return the same recorded outputs instantly, and a SqliteSaver on a file with the pragmas
 * Converge's SQLite store uses, so both sides pay for the same durability.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';

/** The recorded outputs the nodes return, with the scores Converge's parser reads from them. */
export function loadScript(fixtureDir) {
  const read = (name) => readFileSync(join(fixtureDir, 'outputs', `${name}.md`), 'utf8');
  return {
    plans: [read('plan-v1'), read('plan-v2')],
    planReviews: [
      { text: read('plan-review-1'), scores: { alignment: 7.0, standardization: 8.5, compatibility: 9.0 }, critical: 1 },
      { text: read('plan-review-2'), scores: { alignment: 9.5, standardization: 9.0, compatibility: 9.0 }, critical: 0 },
    ],
    code: [read('code-v1'), read('code-v2')],
    codeReviews: [
      { text: `${read('code-review-a1')}\n${read('code-review-b1')}`, scores: { alignment: 6.0, standardization: 8.0 }, critical: 1 },
      { text: `${read('code-review-a2')}\n${read('code-review-b2')}`, scores: { alignment: 9.5, standardization: 9.0 }, critical: 0 },
    ],
  };
}

const last = (_old, value) => value;
const append = (old, value) => old.concat(value);

// Node names differ from the state keys (LangGraph forbids a node named like a channel).
// The state Converge keeps for the same run: requirements, the artifacts of each round, the
// reports and scores, loop counters, approvals and the decision trail.
const WorkflowState = Annotation.Root({
  requirements: Annotation({ reducer: last, default: () => '' }),
  plan: Annotation({ reducer: last, default: () => '' }),
  planReport: Annotation({ reducer: last, default: () => null }),
  code: Annotation({ reducer: last, default: () => '' }),
  codeReport: Annotation({ reducer: last, default: () => null }),
  planRounds: Annotation({ reducer: last, default: () => 0 }),
  codeRounds: Annotation({ reducer: last, default: () => 0 }),
  approvals: Annotation({ reducer: append, default: () => [] }),
  decisions: Annotation({ reducer: append, default: () => [] }),
  status: Annotation({ reducer: last, default: () => 'running' }),
});

const planConverged = (r) => r.critical === 0 && r.scores.alignment >= 9 && r.scores.standardization >= 8 && r.scores.compatibility >= 8;
const codeConverged = (r) => r.critical === 0 && r.scores.alignment >= 9 && r.scores.standardization >= 8;

export function buildGraph(script) {
  const g = new StateGraph(WorkflowState)
    .addNode('write_plan', () => ({ plan: script.plans[0], decisions: ['invoke planner: step 1'] }))
    .addNode('validate_plan', (s) => {
      const report = script.planReviews[s.planRounds];
      return { planReport: report, planRounds: s.planRounds + 1, decisions: [`validate plan round ${s.planRounds + 1}`] };
    })
    .addNode('revise_plan', (s) => ({ plan: script.plans[s.planRounds], decisions: ['invoke planner: step 3'] }))
    .addNode('plan_gate', () => ({ approvals: [{ gate: 'plan_approval', decision: 'approve', automatic: true }], decisions: ['plan approved'] }))
    .addNode('implement', () => ({ code: script.code[0], decisions: ['invoke programmer: step 4'] }))
    .addNode('validate_code', (s) => ({ codeReport: script.codeReviews[0], codeRounds: s.codeRounds + 1, decisions: ['validate code round 1'] }))
    .addNode('refine_code', (s) => ({ code: script.code[s.codeRounds], decisions: ['invoke programmer: step 6'] }))
    .addNode('revalidate_code', (s) => ({
      codeReport: script.codeReviews[s.codeRounds],
      codeRounds: s.codeRounds + 1,
      decisions: [`validate code round ${s.codeRounds + 1}`],
    }))
    .addNode('final_gate', () => ({ approvals: [{ gate: 'final_approval', decision: 'approve', automatic: true }], status: 'completed', decisions: ['complete'] }))
    .addEdge(START, 'write_plan')
    .addEdge('write_plan', 'validate_plan')
    .addConditionalEdges('validate_plan', (s) => (planConverged(s.planReport) ? 'plan_gate' : 'revise_plan'))
    .addEdge('revise_plan', 'validate_plan')
    .addEdge('plan_gate', 'implement')
    .addEdge('implement', 'validate_code')
    .addConditionalEdges('validate_code', (s) => (codeConverged(s.codeReport) ? 'final_gate' : 'refine_code'))
    .addEdge('refine_code', 'revalidate_code')
    .addConditionalEdges('revalidate_code', (s) => (codeConverged(s.codeReport) ? 'final_gate' : 'refine_code'))
    .addEdge('final_gate', END);
  return g;
}

/** The node executions of one run: the same ten transitions Converge records. */
export const LANGGRAPH_TRANSITIONS = 10;

/**
 * A SqliteSaver on a file opened with Converge's pragmas (WAL, synchronous=NORMAL). `onPut` is
 * called when each checkpoint is on disk, which is when a transition is durable.
 */
export function openSaver(path, onPut) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  class TimedSaver extends SqliteSaver {
    async put(config, checkpoint, metadata, versions) {
      const result = await super.put(config, checkpoint, metadata, versions);
      onPut?.(metadata);
      return result;
    }
  }
  const saver = new TimedSaver(db);
  return { saver, db, synchronous: db.pragma('synchronous', { simple: true }), journalMode: db.pragma('journal_mode', { simple: true }) };
}
