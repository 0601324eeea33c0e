/**
 * What a workflow needs from outside right now, in one value every interface can show:
 * a step result (with the rendered prompts), an approval, an escalation answer, or nothing.
 *
 * It is the "what do I do next?" of a host-driven run: an MCP client's own model reads the
 * prompts, does the work and submits the result; Converge enforces the process. It only reads
 * the state; rendering is the one thing it does beyond that.
 */
import { approvalProgress, whoQualifies } from '../core/approval-policy.js';
import { approvalsNote, ESCALATION_HOW, escalationAnswers } from './human-answers.js';
import type { EscalationAnswerKind } from './human-answers.js';
import { convergenceOf } from '../core/decide.js';
import type { Role, Step, WorkflowDefinition } from '../core/definition-schema.js';
import type { EscalationReason } from '../core/events.js';
import { issueCount } from '../core/records.js';
import type { ToolResult } from '../core/records.js';
import { currentRun, TERMINAL_STATUSES } from '../core/state.js';
import type { StepRun, WorkflowState, WorkflowStatus } from '../core/state.js';
import type { Engine } from './create-engine.js';
import { expectedOf } from './external-wait.js';
import type { ExpectedFormat } from './external-wait.js';
import { promptInputs } from './prompt-inputs.js';
import { awaitsSnapshot, promptAgentFor } from './in-place.js';
import type { PromptAgent } from './in-place.js';

export interface RenderedPrompt {
  template: string;
  text: string;
}

export interface CheckSummary {
  id: string;
  status: ToolResult['status'];
  required: boolean;
  summary: string;
  coverage?: number;
}

export interface ScoreLine {
  dimension: string;
  /** null when the report gave no score: a missing score never counts as met. */
  score: number | null;
  min?: number;
}

/** Where the latest validation of a step stands against its rubric. */
export interface ConvergenceSummary {
  step_id: string;
  step_number: number;
  /** The n-th validation of this step's loop, or 0 when none was recorded. */
  round: number;
  converged: boolean;
  met: string[];
  unmet: string[];
  scores: ScoreLine[];
  weighted?: number;
  issues: { critical: number; major: number; minor: number };
  checks: CheckSummary[];
}

export type { ExpectedFormat } from './external-wait.js';

export interface SubmitStepResultAction {
  kind: 'submit_step_result';
  workflow_id: string;
  step_number: number;
  step_id: string;
  step_name?: string;
  role: Role;
  attempt: number;
  templates: string[];
  /** One per template, in order; a validate step with two templates wants two reports. */
  prompts: RenderedPrompt[];
  expected_output: { format: ExpectedFormat; texts: number; description: string };
  workspace: { path: string; type: string; note: string };
  change_requests: string[];
  check_results?: CheckSummary[];
  /** Why the previous submission of this step was refused, when it was. */
  previous_error?: string;
}

export interface RespondToApprovalAction {
  kind: 'respond_to_approval';
  workflow_id: string;
  gate: {
    id: string;
    name?: string;
    interaction_id: string;
    requested_at: string;
    timeout_at?: string;
    protected_paths?: string[];
    /** The gate's approval policy and the approvals it has so far ("1 of 2, by alice"). */
    approvals: { required: number; given: number; by: string[]; who: string };
  };
  step: { id: string; number: number; name?: string };
  summary: ConvergenceSummary;
  answers: Array<'approve' | 'reject' | 'request_changes'>;
  how: string;
}

export type { EscalationAnswerKind } from './human-answers.js';

export interface AnswerEscalationAction {
  kind: 'answer_escalation';
  workflow_id: string;
  escalation_id: string;
  reason: EscalationReason;
  message: string;
  step: { id: string; number: number; name?: string };
  summary?: ConvergenceSummary;
  answers: EscalationAnswerKind[];
  how: string;
}

export interface NoAction {
  kind: 'none';
  workflow_id: string;
  status: WorkflowStatus;
  paused: boolean;
  message: string;
}

export type NextAction = SubmitStepResultAction | RespondToApprovalAction | AnswerEscalationAction | NoAction;

export type NextActionEngine = Pick<Engine, 'executor'>;

export async function nextAction(engine: NextActionEngine, state: WorkflowState): Promise<NextAction> {
  const def = state.definition;
  const id = state.workflowId;
  if (TERMINAL_STATUSES.has(state.status)) {
    return none(state, `The workflow is ${state.status}; nothing more is needed.${state.failureMessage ? ` ${state.failureMessage}` : ''}`);
  }
  if (state.gate !== null) {
    const gate = def.gates.find((g) => g.id === state.gate!.gateId);
    const step = stepOf(def, state.gate.stepId);
    const progress = approvalProgress(state)!;
    const approvals = { required: progress.required, given: progress.given, by: progress.votes.map((v) => v.actor.id), who: whoQualifies(progress.policy) };
    return {
      kind: 'respond_to_approval',
      workflow_id: id,
      gate: {
        id: state.gate.gateId,
        ...(gate?.name !== undefined ? { name: gate.name } : {}),
        interaction_id: state.gate.interactionId,
        requested_at: state.gate.requestedAt,
        ...(state.gate.timeoutAt !== undefined ? { timeout_at: state.gate.timeoutAt } : {}),
        ...(state.gate.protectedPaths !== undefined ? { protected_paths: state.gate.protectedPaths } : {}),
        approvals,
      },
      step: stepRef(step),
      summary: convergenceSummary(def, state, step),
      answers: ['approve', 'reject', 'request_changes'],
      how:
        `Approve, reject (the workflow ends as rejected) or request changes (back to step ${stepOf(def, gate?.changes_to ?? step.id).number} with the change requests in its prompt).` +
        approvalsNote(approvals) +
        protectedNote(state.gate.protectedPaths),
    };
  }
  if (state.escalation !== null) {
    const step = stepOf(def, state.escalation.stepId);
    return {
      kind: 'answer_escalation',
      workflow_id: id,
      escalation_id: state.escalation.escalationId,
      reason: state.escalation.reason,
      message: state.escalation.message,
      step: stepRef(step),
      ...(step.kind === 'validate' ? { summary: convergenceSummary(def, state, step) } : {}),
      answers: escalationAnswers(state.escalation.reason),
      how: ESCALATION_HOW[state.escalation.reason],
    };
  }
  if (state.paused) return none(state, 'The workflow is paused; resume it to continue.');
  const run = currentRun(state);
  if (run === undefined) return none(state, 'Converge is deciding the next step.');
  const step = stepOf(def, run.stepId);
  if (run.status === 'scheduled') return none(state, `Converge is starting step ${step.number} (${step.id}).`);
  const choice = engine.executor.agentFor(step.role, 0, state);
  if (choice.kind !== 'external') {
    return none(state, `Step ${step.number} (${step.id}) is running with the configured ${step.role} agent.`);
  }
  if (step.kind === 'validate' && step.run_checks && run.checks === undefined) {
    return none(state, `Converge is running the checks of step ${step.number} (${step.id}).`);
  }
  if (awaitsSnapshot(choice, step, run)) {
    return none(state, `Converge is taking a snapshot of the workspace before step ${step.number} (${step.id}), so that the changes you make there are recorded.`);
  }
  return submitAction(engine, state, step, run, promptAgentFor(choice, step, run));
}

async function submitAction(engine: NextActionEngine, state: WorkflowState, step: Step, run: StepRun, agent: PromptAgent): Promise<SubmitStepResultAction> {
  const knowledge = (await engine.executor.knowledgeFor?.(state, step, state.requirements)) ?? '';
  const inputs = promptInputs(state.definition, state, run, knowledge, agent);
  const prompts: RenderedPrompt[] = [];
  for (const template of step.templates) prompts.push({ template, text: await engine.executor.templates.render(template, inputs) });
  const { format, texts } = expectedOf(step);
  const previous = state.runs.filter((r) => r.stepId === run.stepId && r.actionId !== run.actionId).at(-1);
  return {
    kind: 'submit_step_result',
    workflow_id: state.workflowId,
    step_number: step.number,
    step_id: step.id,
    ...(step.name !== undefined ? { step_name: step.name } : {}),
    role: step.role,
    attempt: run.attempt,
    templates: [...step.templates],
    prompts,
    expected_output: { format, texts, description: agent.edits_in_place && format === 'files' ? IN_PLACE_FORMAT : describeFormat(state.definition, step, format, texts) },
    workspace: { path: state.workspace.path, type: state.workspace.type, note: agent.edits_in_place && format === 'files' ? IN_PLACE_NOTE : WORKSPACE_NOTE[format] },
    change_requests: [...run.changeRequests],
    ...(run.checks !== undefined ? { check_results: run.checks.map(checkSummary) } : {}),
    ...(run.recoveryStrategy === 'repair_prompt' && previous?.failure ? { previous_error: previous.failure.message } : {}),
  };
}

/** A host that edits in place: its change is read from the workspace when the result comes in. */
const IN_PLACE_NOTE =
  'Edit the files in the workspace directly. Converge took a snapshot of the workspace when this step began and records ' +
  'every file that differs from it when you submit: those changes are what the checks run on and the reviewers see. ' +
  '"# File: <path>" blocks in the result are still written, on top of your edits.';

const IN_PLACE_FORMAT =
  'texts: [reply] — a short summary of what you changed and how you verified it (the prompt lists the check commands). ' +
  'The files are taken from the workspace; a result when nothing changed there (and no "# File:" block) is refused.';

/** A host that returns blocks: Converge records only what comes back as blocks. */
const WORKSPACE_NOTE: Record<ExpectedFormat, string> = {
  files:
    'Return every file as a "# File: <path>" block: Converge writes them into the workspace and records them. ' +
    'Files you change in the workspace yourself are NOT recorded and NOT reviewed unless you also return them as blocks ' +
    '(the checks of the next validation do see them, because they run in the workspace).',
  plan: 'Do not write files for this step; submit the plan text.',
  report: 'Do not change files for this step; submit the report(s). The check results are already in the prompt.',
};

function describeFormat(def: WorkflowDefinition, step: Step, format: ExpectedFormat, texts: number): string {
  if (format === 'plan') {
    return (
      'texts: [plan] — one markdown implementation plan (at least 40 characters) starting with ' +
      '"# Implementation Plan: <title>" and using the headings the prompt lists. A reply wrapped in one ```markdown fence is unwrapped.'
    );
  }
  if (format === 'files') {
    return (
      'texts: [reply] — a short summary, then every created or changed file as a "# File: <relative path>" line followed by a ' +
      'fenced code block with the complete new content ("# Delete: <path>" removes a file). Paths are relative to the workspace; ' +
      'absolute paths, ".." and read-only paths are refused and reported as critical issues.'
    );
  }
  const rubric = def.rubrics.find((r) => r.id === step.rubric);
  const dims = Object.keys(rubric?.dimensions ?? {});
  const order = Array.from({ length: texts }, (_, i) => `texts[${i}] answers prompts[${i}]`).join(', ');
  return (
    `texts: ${texts === 1 ? '[report]' : `${texts} reports (${order})`} — markdown with a score line per dimension ` +
    `(${dims.map((d) => `"- ${title(d)} Score: <0-10>/10"`).join(', ') || 'as the prompt asks'}) and a line per finding: ` +
    '"- [Critical] path/file.ts:12 what is wrong", "- [Major] …", "- [Minor] …". Scores of all reports are merged; ' +
    'a dimension no report scores counts as not met. A failed check\'s finding can be dismissed with ' +
    '"- [FalsePositive] <check id>: <reason>" (the check stays failed). A JSON object {"scores": {...}, "issues": [...]} is accepted too.'
  );
}

export function convergenceSummary(def: WorkflowDefinition, state: WorkflowState, step: Step): ConvergenceSummary {
  const result = convergenceOf(def, state, step);
  const latest = state.validations.findLast((v) => v.stepId === step.id);
  const rubric = def.rubrics.find((r) => r.id === step.rubric);
  const dims = latest?.report.scoreCard.dimensions ?? {};
  const names = [...new Set([...Object.keys(rubric?.dimensions ?? {}), ...Object.keys(dims)])];
  // What the convergence rule counts: the reviewer's stated counts where they differ from its list.
  const counted = latest?.report ?? { issues: [] };
  return {
    step_id: step.id,
    step_number: step.number,
    round: latest?.round ?? 0,
    converged: result.converged,
    met: result.met,
    unmet: result.unmet,
    scores: names.map((dimension) => {
      const min = rubric?.dimensions[dimension]?.min;
      return { dimension, score: dims[dimension] ?? null, ...(min !== undefined ? { min } : {}) };
    }),
    ...(result.weighted !== undefined ? { weighted: result.weighted } : {}),
    issues: { critical: issueCount(counted, 'critical'), major: issueCount(counted, 'major'), minor: issueCount(counted, 'minor') },
    checks: (latest?.report.toolResults ?? []).map(checkSummary),
  };
}

export function checkSummary(t: ToolResult): CheckSummary {
  return { id: t.toolId, status: t.status, required: t.required, summary: t.summary, ...(t.coverage !== undefined ? { coverage: t.coverage } : {}) };
}

function none(state: WorkflowState, message: string): NoAction {
  return { kind: 'none', workflow_id: state.workflowId, status: state.status, paused: state.paused, message };
}

function stepOf(def: WorkflowDefinition, stepId: string): Step {
  return def.steps.find((s) => s.id === stepId)!;
}

function stepRef(step: Step): { id: string; number: number; name?: string } {
  return { id: step.id, number: step.number, ...(step.name !== undefined ? { name: step.name } : {}) };
}

function title(name: string): string {
  return name.replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}

/** Why a gate waits for a person even under --auto-approve. */
function protectedNote(paths: readonly string[] | undefined): string {
  if (paths === undefined || paths.length === 0) return '';
  return ` Protected files changed (review them before approving; automatic approval is held): ${paths.join(', ')}.`;
}
