/**
 * decide() on random legal runs: the simulator (helpers.ts) asks decide(), carries the decision out
 * and answers with random agent results, failures and human answers. Every decision must name
 * only what the definition has, follow an allowed edge, and every run must end.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convergenceOf } from '../../src/core/decide.js';
import { ACTION_TYPES } from '../../src/core/decision.js';
import type { Decision } from '../../src/core/decision.js';
import { COMPLETE } from '../../src/core/definition-schema.js';
import type { FailureClass, Step, WorkflowDefinition } from '../../src/core/definition-schema.js';
import { recoveryRule } from '../../src/core/recovery.js';
import type { WorkflowState } from '../../src/core/state.js';
import { sevenStep, simulate } from './helpers.js';
import type { Chooser } from './helpers.js';

const NUM_RUNS = 3000;
const MAX_DECISIONS = 500;

interface Variant {
  codeReview: boolean;
  planGate: boolean;
  finalGate: boolean;
  stall: boolean;
}

const definitions = new Map<string, WorkflowDefinition>();
function definitionFor(v: Variant): WorkflowDefinition {
  const key = JSON.stringify(v);
  let def = definitions.get(key);
  if (def === undefined) {
    def = sevenStep((doc) => {
      const gate = (id: string) => doc.gates.find((g: { id: string }) => g.id === id);
      gate('code_review').enabled = v.codeReview;
      gate('plan_approval').enabled = v.planGate;
      gate('final_approval').enabled = v.finalGate;
      doc.stall.enabled = v.stall;
    });
    definitions.set(key, def);
  }
  return def;
}

const variants = fc.record({ codeReview: fc.boolean(), planGate: fc.boolean(), finalGate: fc.boolean(), stall: fc.boolean() });

function chooser(g: fc.GeneratorValue): Chooser {
  return { int: (min, max) => g(fc.integer, { min, max }) };
}

/** Where a decision goes, as one comparable string. */
function edge(d: Decision): string {
  switch (d.action_type) {
    case 'complete_workflow':
      return 'complete';
    case 'request_human_approval':
      return `gate:${d.gate_id}@${d.step_id}`;
    case 'escalate_to_human':
      return `escalate@${d.step_id}`;
    case 'retry_with_recovery':
      return `retry:${d.step_id}`;
    default:
      return `run:${d.step_id}`;
  }
}

/** The edges the definition allows from this state (ARCHITECTURE.md, "The seven-step default"). */
function allowedEdges(def: WorkflowDefinition, state: WorkflowState): Set<string> {
  const step = (id: string) => def.steps.find((s) => s.id === id)!;
  const enabled = (gateId: string | undefined) => gateId !== undefined && def.gates.some((g) => g.id === gateId && g.enabled);
  const goTo = (target: string) => (target === COMPLETE ? 'complete' : `run:${target}`);
  const converged = (s: Step) => (enabled(s.gate) ? [`gate:${s.gate}@${s.id}`] : [goTo(s.on_converged!)]);
  const fromValidation = (s: Step, askReview: boolean) => [
    ...converged(s),
    `run:${s.on_not_converged}`,
    `escalate@${s.id}`,
    ...(askReview && enabled(s.review_gate) ? [`gate:${s.review_gate}@${s.id}`] : []),
  ];
  const last = state.last;
  switch (last.kind) {
    case 'started':
      return new Set([`run:${def.start}`]);
    case 'produced':
      return new Set([goTo(step(last.stepId).next!)]);
    case 'validated':
      return new Set(fromValidation(step(last.stepId), true));
    case 'failed':
      return new Set([`retry:${last.stepId}`, `escalate@${last.stepId}`]);
    case 'gate_answered': {
      const s = step(last.stepId);
      const gate = def.gates.find((g) => g.id === last.gateId)!;
      if (last.decision === 'request_changes') return new Set([`run:${gate.changes_to}`]);
      if (gate.id === s.review_gate && gate.id !== s.gate) return new Set(fromValidation(s, false));
      return new Set([goTo(s.on_converged!)]);
    }
    case 'escalation_answered': {
      const s = step(last.stepId);
      if (last.reason === 'failure') return new Set([`run:${s.id}`]);
      if (last.answer.kind === 'accept') return new Set(converged(s));
      return new Set([`run:${s.on_not_converged}`]);
    }
    case 'none':
      return new Set();
  }
}

/** Every property of one decision, checked against the state it was made from. */
function checkDecision(def: WorkflowDefinition, d: Decision, before: WorkflowState): void {
  expect(ACTION_TYPES).toContain(d.action_type);
  expect([...allowedEdges(def, before)]).toContain(edge(d));
  const last = before.last;
  if (last.kind === 'validated') {
    // The convergence rule, not the decision, says whether the loop goes on.
    const validated = def.steps.find((s) => s.id === last.stepId)!;
    const result = convergenceOf(def, before, validated);
    const onwards = d.action_type === 'complete_workflow' || d.gate_id === validated.gate || d.step_id === validated.on_converged;
    const back = d.action_type === 'escalate_to_human' || d.step_id === validated.on_not_converged;
    if (d.gate_id === undefined || d.gate_id !== validated.review_gate) expect(result.converged ? onwards : back).toBe(true);
  }
  if (d.action_type === 'complete_workflow') {
    expect(d.step_id).toBeUndefined();
    return;
  }
  const step = def.steps.find((s) => s.id === d.step_id);
  expect(step, `decide named step "${d.step_id}"`).toBeDefined();
  expect(d.step_number).toBe(step!.number);

  if (d.action_type === 'request_human_approval' || d.action_type === 'escalate_to_human') {
    expect(d.target_agent).toBe('human');
    expect(d.template_to_use).toBeUndefined();
    if (d.gate_id !== undefined) {
      expect([step!.gate, step!.review_gate]).toContain(d.gate_id);
      expect(def.gates.find((g) => g.id === d.gate_id)?.enabled).toBe(true);
    }
  } else {
    expect(d.target_agent).toBe(step!.role);
    expect(d.template_to_use).toBe(step!.templates[0]);
    expect(d.templates).toEqual(step!.templates);
    expect(d.action_type === 'transition_phase').toBe(step!.phase !== before.phase && d.action_type !== 'retry_with_recovery');
    if (d.action_type === 'transition_phase') expect(d.next_phase).toBe(step!.phase);
  }

  if (d.action_type === 'retry_with_recovery') {
    const failed = before.runs.at(-1)!;
    expect(d.step_id).toBe(failed.stepId);
    expect(d.attempt).toBe(failed.attempt + 1);
    expect(d.recovery_strategy).toBe(recoveryRule(def.recovery, failed.failure!.class as FailureClass).strategy);
  }
}

describe('decide › random legal runs', () => {
  it('names only steps, templates and gates of the definition and follows allowed edges', () => {
    fc.assert(
      fc.property(variants, fc.gen(), (variant, g) => {
        const def = definitionFor(variant);
        simulate(def, chooser(g), { maxDecisions: MAX_DECISIONS, onDecision: (d, before) => checkDecision(def, d, before) });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it(`ends (completed, rejected or cancelled) within ${MAX_DECISIONS} decisions`, () => {
    const outcomes = new Map<string, number>();
    fc.assert(
      fc.property(variants, fc.gen(), (variant, g) => {
        const result = simulate(definitionFor(variant), chooser(g), { maxDecisions: MAX_DECISIONS });
        outcomes.set(result.outcome, (outcomes.get(result.outcome) ?? 0) + 1);
        expect(['completed', 'rejected', 'cancelled']).toContain(result.outcome);
      }),
      { numRuns: NUM_RUNS },
    );
    // The generator reaches every ending, so the property is not vacuous.
    expect([...outcomes.keys()].sort()).toEqual(['cancelled', 'completed', 'rejected']);
  });

  it('ends even when steps fail half the time', () => {
    fc.assert(
      fc.property(variants, fc.gen(), (variant, g) => {
        const result = simulate(definitionFor(variant), chooser(g), { maxDecisions: MAX_DECISIONS, failurePercent: 50 });
        expect(['completed', 'rejected', 'cancelled']).toContain(result.outcome);
      }),
      { numRuns: 1000 },
    );
  });

  it('never runs more plan validations than the cap plus the rounds humans granted', () => {
    fc.assert(
      fc.property(variants, fc.gen(), (variant, g) => {
        const def = definitionFor(variant);
        const { run } = simulate(def, chooser(g), { maxDecisions: MAX_DECISIONS });
        const state = run.state();
        for (const loop of def.loops) {
          const rounds = state.runs.filter((r) => r.stepId === loop.counts && r.status === 'completed').length;
          const granted = state.loops[loop.id]!.extraRounds;
          // A human can also send the workflow round again from a gate (request changes) or accept it.
          const humanTurns = state.approvals.filter((a) => a.decision === 'request_changes').length + state.escalations.length;
          expect(rounds).toBeLessThanOrEqual(loop.max_rounds + granted + humanTurns);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
