/**
 * Executes one step run: renders its prompt(s), calls the agent through the provider limiter,
 * parses and validates the output, writes files inside the workspace, and returns the result
 * event. Intermediate facts (started, check results) are recorded through `record` first, so a
 * crash never loses them and a resume never repeats them.
 */
import type { Step, WorkflowDefinition } from '../core/definition-schema.js';
import { isConvergeError } from '../core/errors.js';
import { recoveryRule } from '../core/recovery.js';
import type { NewEvent, ReviewText } from '../core/events.js';
import type { FileChange, SandboxKind, ToolResult, Usage, ValidationReport } from '../core/records.js';
import type { StepRun, WorkflowState } from '../core/state.js';
import type { Agent, AgentRequest, AgentResponse, ExpectedOutput } from '../agents/agent.js';
import { agentFailure, circuitOf, failureClassOf } from '../agents/agent.js';
import { assertComplete, parseFileBlocks, parsePlan } from '../agents/parsing/index.js';
import { mergeReviews } from './review-merge.js';
import { assertSubmissionComplete } from './submission-check.js';
import { applyFileChanges } from '../workspace/path-guard.js';
import { protectedAmong } from '../workspace/protected-paths.js';
import { protectedChangesAwaitingReview } from '../core/protected-changes.js';
import type { Clock } from './clock.js';
import { promptInputs, type PromptInputs } from './prompt-inputs.js';
import type { ProviderLimiter } from './provider-limiter.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { RenderedParts, TemplateRenderer } from '../templates/template-renderer.js';
import type { Check } from '../core/profile-schema.js';
import type { CheckProgress } from '../checks/index.js';
import { tell } from './step-progress.js';
import { awaitsSnapshot, inPlaceSubmission, isCodeStep, promptAgentFor, snapshotEvent, usableSnapshot, withWrittenBlocks } from './in-place.js';
import { StepTraceRecorder } from './step-trace.js';
import type { StepTrace } from '../store/store.js';
import type { StepProgressListener } from './step-progress.js';

import type { AgentChoice } from '../agents/index.js';

export interface StepExecutorDeps {
  clock: Clock;
  limiter: ProviderLimiter;
  breaker?: CircuitBreaker;
  templates: TemplateRenderer;
  /** The agent for a role; `providerIndex` walks the role's fallback chain. */
  agentFor(role: Step['role'], providerIndex: number, state?: WorkflowState): AgentChoice;
  runChecks(checks: Check[], workspace: string, signal: AbortSignal, onProgress?: (event: CheckProgress) => void): Promise<ToolResult[]>;
  /** Told which check runs and what a command agent is doing, for a live display. */
  onProgress?: StepProgressListener;
  knowledgeFor?(state: WorkflowState, step: Step, query: string): Promise<string>;
  /** The advisor for complex escalations, when one is configured. */
  advisor?(): Agent | undefined;
  readOnlyPaths?: readonly string[];
  /** Keeps each agent run's trace (prompts, answers, activity) beside the log. */
  saveTrace?(trace: StepTrace): Promise<void>;
}

export type Recorder = (events: NewEvent[]) => Promise<WorkflowState>;

/** `finished`: the result event, not yet recorded, and the state it goes on top of. */
export type ExecutionResult = { kind: 'finished'; state: WorkflowState; event: NewEvent } | { kind: 'waiting_external'; state: WorkflowState };

function expectedOutput(step: Step): ExpectedOutput {
  if (step.kind === 'validate') return 'report';
  return step.role === 'programmer' ? 'files' : 'plan';
}

/** Calls this role made before in the workflow, so a recorded session replays the right output. */
function invocationIndex(state: WorkflowState, run: StepRun): number {
  return state.runs
    .filter((r) => r.role === run.role && r.actionId !== run.actionId && (r.status === 'completed' || r.status === 'failed'))
    .reduce((n, r) => n + r.calls, 0);
}

/**
 * The agent for this run: the provider the failure streak points at, skipping providers whose
 * circuit is open (they failed repeatedly, in this or another workflow) while a later one is available.
 */
function pickAgent(deps: StepExecutorDeps, step: Step, state: WorkflowState): AgentChoice {
  let index = providerIndex(state);
  let choice = deps.agentFor(step.role, index, state);
  const seen = new Set<unknown>();
  while (choice.kind === 'agent' && deps.breaker?.state(circuitOf(choice.agent)) === 'open' && !seen.has(choice.agent)) {
    seen.add(choice.agent);
    const next = deps.agentFor(step.role, ++index, state);
    if (next.kind === 'agent' && seen.has(next.agent)) break;
    choice = next;
  }
  return choice;
}

/** The id of the agent that will run `stepId` now (`external` when the result comes from outside). */
export function agentIdFor(deps: StepExecutorDeps, state: WorkflowState, stepId: string): string {
  const step = state.definition.steps.find((s) => s.id === stepId)!;
  const choice = pickAgent(deps, step, state);
  return choice.kind === 'external' ? 'external' : choice.agent.id;
}

/** Which provider of the role's chain to use: the next one after `failover_after` failures of the current one. */
function providerIndex(state: WorkflowState): number {
  const rule = recoveryRule(state.definition.recovery, 'provider_down');
  if (rule.strategy !== 'failover') return 0;
  return Math.floor(state.failureStreak.filter((f) => f.class === 'provider_down').length / rule.failover_after);
}

export async function executeRun(
  deps: StepExecutorDeps,
  state: WorkflowState,
  run: StepRun,
  record: Recorder,
  signal: AbortSignal,
): Promise<ExecutionResult> {
  const def = state.definition;
  const step = def.steps.find((s) => s.id === run.stepId)!;
  const trace = new StepTraceRecorder(deps, state, run);
  const choice = trace.watch(pickAgent(deps, step, state));
  const agentId = choice.kind === 'external' ? 'external' : choice.agent.id;
  if (run.status === 'scheduled') state = await record([{ type: 'step_started', at: deps.clock.now(), actionId: run.actionId, agent: agentId }]);

  let checks = currentChecks(state, run);
  if (step.kind === 'validate' && step.run_checks && checks === undefined) {
    const ref = { workflowId: state.workflowId, actionId: run.actionId, stepNumber: run.stepNumber };
    const results = await deps.runChecks(def.checks, state.workspace.path, signal, (e) =>
      tell(deps.onProgress, e.type === 'started'
        ? { ...ref, kind: 'check_started', check: e.check.id, index: e.index, total: e.total }
        : { ...ref, kind: 'check_finished', check: e.check.id, index: e.index, total: e.total, status: e.result.status, durationMs: e.result.durationMs }),
    );
    // Recorded even when empty: a resume never runs them again, and "checks done" is visible to
    // whoever waits on this step (next-action for a host-driven workflow reads it).
    state = await record([{ type: 'checks_recorded', at: deps.clock.now(), actionId: run.actionId, results }]);
    checks = results;
  }
  if (choice.kind === 'external') {
    // A host that edits in place is measured against the workspace as it is now, before it sees the prompt.
    const waiting = state.runs.findLast((r) => r.actionId === run.actionId)!;
    if (awaitsSnapshot(choice, step, waiting)) state = await record([await snapshotEvent(deps.clock, state, waiting)]);
    return { kind: 'waiting_external', state };
  }

  const timeoutMs = agentTimeoutMs(def, step, run, choice.agent);
  const deadline = withDeadline(signal, timeoutMs);
  const deadlineMs = deps.clock.nowMs() + timeoutMs;
  const usage: Usage[] = [];
  let calls = 0;
  const liveRun = state.runs.findLast((r) => r.actionId === run.actionId)!;
  let result: NewEvent;
  try {
    result = await callAgent(deps, state, step, { ...liveRun, timeoutMs }, choice.agent, checks ?? [], deadline.signal, usage, () => calls++, deadlineMs);
  } catch (error) {
    if (signal.aborted && !deadline.expired()) throw error;
    const failure = deadline.expired()
      ? agentFailure('timeout', `The ${step.role} did not finish step ${step.number} within ${Math.round(timeoutMs / 1000)} s.`)
      : error;
    const after = retryAfter(failure);
    result = {
      type: 'step_failed',
      at: deps.clock.now(),
      actionId: run.actionId,
      failure: {
        class: failureClassOf(failure),
        message: failure instanceof Error ? failure.message : String(failure),
        ...(after !== undefined ? { retryAfterMs: after } : {}),
      },
      usage,
      calls,
    };
  } finally {
    deadline.dispose();
  }
  await trace.save(result);
  return { kind: 'finished', state, event: result };
}

/**
 * The time this attempt gets: the agent's own step time when it has one (a command agent's
 * `timeout_s`), scaled as recovery scaled the run's (extended_timeout doubles it), else the run's.
 */
function agentTimeoutMs(def: WorkflowDefinition, step: Step, run: StepRun, agent: Agent): number {
  if (agent.stepTimeoutMs === undefined) return run.timeoutMs;
  const defaultMs = (step.timeout_s ?? def.timeouts.step_s) * 1000;
  return Math.round(agent.stepTimeoutMs * (run.timeoutMs / defaultMs));
}

/**
 * A signal that aborts with `outer` or after `ms`. One controller and one timer, both released by
 * `dispose`, where `AbortSignal.any` would keep the combined signal alive as long as `outer` lives.
 */
function withDeadline(outer: AbortSignal, ms: number): { signal: AbortSignal; expired: () => boolean; dispose: () => void } {
  const controller = new AbortController();
  let expired = false;
  const onOuterAbort = () => controller.abort(outer.reason);
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new Error('step timeout'));
  }, ms);
  if (outer.aborted) onOuterAbort();
  else outer.addEventListener('abort', onOuterAbort, { once: true });
  return {
    signal: controller.signal,
    expired: () => expired,
    dispose: () => {
      clearTimeout(timer);
      outer.removeEventListener('abort', onOuterAbort);
    },
  };
}

async function callAgent(
  deps: StepExecutorDeps,
  state: WorkflowState,
  step: Step,
  run: StepRun,
  agent: Agent,
  checks: ToolResult[],
  signal: AbortSignal,
  usage: Usage[],
  countCall: () => number,
  deadlineMs: number,
): Promise<NewEvent> {
  // The query is what the step is about: the requirements, plus the plan's title once there is one.
  const planTitle = state.outputs.findLast((o) => o.output.artifact === 'plan')?.output.content.split('\n').find((l) => l.startsWith('#')) ?? '';
  let inputs: Promise<PromptInputs> | undefined;
  const firstIndex = invocationIndex(state, run);
  const callTemplate = async (template: string, position: number, callSignal: AbortSignal): Promise<AgentResponse> => {
    const requestFor = (parts: RenderedParts): AgentRequest => ({
      workflowId: state.workflowId,
      actionId: run.actionId,
      stepId: step.id,
      stepNumber: step.number,
      role: step.role,
      template,
      prompt: parts.staticPart + parts.dynamicPart,
      staticPrompt: parts.staticPart,
      cacheBreakpoints: parts.cacheBreakpoints,
      expect: expectedOutput(step),
      workspace: state.workspace.path,
      timeoutMs: run.timeoutMs,
      signal: callSignal,
      // By the template's place, not by which call started first: a recorded session replays the same output.
      invocationIndex: firstIndex + position,
      attempt: run.attempt,
      providerIndex: providerIndex(state),
      onActivity: (text) => tell(deps.onProgress, { kind: 'agent_activity', workflowId: state.workflowId, actionId: run.actionId, stepNumber: step.number, role: step.role, text }),
      ...(step.role === 'programmer' ? { checkCommands: state.definition.checks.map((c) => (typeof c.command === 'string' ? c.command : c.command.join(' '))) } : {}),
    });
    // The prompt is built once a provider slot is free, so a workflow queued behind the
    // provider's limit holds no prompt, knowledge text or request in memory while it waits.
    // Both reviews of a step share one set of inputs (and one knowledge selection).
    const prompted = async () => {
      if (callSignal.aborted) throw agentFailure('unknown', `The ${step.role} call was stopped before it started.`);
      inputs ??= (async () =>
        promptInputs(state.definition, state, run, (await deps.knowledgeFor?.(state, step, `${state.requirements}\n${planTitle}`)) ?? '', promptAgentFor({ kind: 'agent', agent }, step, run)))();
      const parts = await deps.templates.renderParts(template, await inputs);
      return agent.call(requestFor(parts));
    };
    const call = async () => {
      try {
        return await deps.limiter.run(agent.provider, prompted);
      } catch (error) {
        // Stopped because an earlier review failed: not the provider's failure, so its circuit does not count it.
        if (callSignal.aborted && !signal.aborted) throw agentFailure('unknown', `The ${step.role} call was stopped: an earlier review failed.`, { cause: error });
        throw error;
      }
    };
    // An open circuit is waited out within the deadline: failing at once would only spend attempts.
    return deps.breaker ? deps.breaker.run(circuitOf(agent), call, { wait: true, deadlineMs, signal: callSignal }) : call();
  };

  if (step.kind === 'produce') {
    const calls = countCall();
    const response = await callTemplate(step.templates[0]!, 0, signal);
    if (response.usage !== undefined) usage.push(response.usage);
    // A cut-off answer parses but says less than its author meant; an agent that wrote its files
    // itself (a CLI agent) is judged by the files, its text being only a summary.
    const wroteItsOwnFiles = step.role === 'programmer' && response.files !== undefined;
    if (!wroteItsOwnFiles) assertComplete(response.text, outputName(step));
    // A command agent says which sandbox it ran in; the event that records its output keeps it.
    const ran = response.sandbox === undefined ? {} : { sandbox: response.sandbox };
    const own = response.files === undefined ? undefined : withWrittenBlocks(state.workspace.path, response.text, response.files, response.refused ?? [], deps.readOnlyPaths ?? []);
    return { ...produceResult(deps, state, step, run, response.text, own?.files, usage, calls + 1, own?.refused), ...ran };
  }

  const { texts, sandbox } = await reviewsAtOnce(step, callTemplate, signal, usage, countCall);
  const report = mergeReports(state.definition, step, texts, checks, state);
  const reviews = reviewTexts(step, texts);
  return { type: 'validation_recorded', at: deps.clock.now(), actionId: run.actionId, report, reviews, usage, calls: texts.length, ...(sandbox === undefined ? {} : { sandbox }) };
}

/**
 * The reviews of a validate step (5a and 5b), asked at once, each through the provider limiter.
 * They are read in the templates' order, so the event is the same whichever answers first; the
 * first review in that order that fails fails the step as it did when they ran one after the
 * other — the reviews before it counted and their usage kept, the ones after it stopped and not
 * counted — so retries and recorded sessions see the same calls.
 */
async function reviewsAtOnce(
  step: Step,
  callTemplate: (template: string, position: number, signal: AbortSignal) => Promise<AgentResponse>,
  signal: AbortSignal,
  usage: Usage[],
  countCall: () => number,
): Promise<{ texts: string[]; sandbox: SandboxKind | undefined }> {
  const siblings = new AbortController();
  const stop = () => siblings.abort(signal.reason);
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  const pending = step.templates.map((template, position) => callTemplate(template, position, siblings.signal));
  // A later review's failure is read in its turn; until then it must not count as unhandled.
  for (const p of pending) p.catch(() => undefined);
  const texts: string[] = [];
  let sandbox: SandboxKind | undefined;
  try {
    for (const p of pending) {
      countCall();
      const response = await p;
      if (response.usage !== undefined) usage.push(response.usage);
      assertComplete(response.text, outputName(step));
      texts.push(response.text);
      sandbox = response.sandbox ?? sandbox;
    }
  } catch (error) {
    siblings.abort(error);
    throw error;
  } finally {
    signal.removeEventListener('abort', stop);
  }
  return { texts, sandbox };
}

function retryAfter(error: unknown): number | undefined {
  return isConvergeError(error) && typeof error.details.retryAfterMs === 'number' ? error.details.retryAfterMs : undefined;
}

function currentChecks(state: WorkflowState, run: StepRun): ToolResult[] | undefined {
  return state.runs.findLast((r) => r.actionId === run.actionId)?.checks;
}

function produceResult(
  deps: StepExecutorDeps,
  state: WorkflowState,
  step: Step,
  run: StepRun,
  text: string,
  agentFiles: FileChange[] | undefined,
  usage: Usage[],
  calls: number,
  agentRefused: Array<{ path: string; reason: string }> = [],
): NewEvent {
  if (step.role !== 'programmer') {
    const plan = parsePlan(text);
    // The plan as read (a fence around it removed) is the artifact; the text as written is kept beside it.
    const output = { artifact: step.artifact, content: plan.content, files: [], ...(plan.content !== text ? { raw: text } : {}) };
    return { type: 'step_output_recorded', at: deps.clock.now(), actionId: run.actionId, output, usage, calls };
  }
  const files = agentFiles ?? parseFileBlocks(text);
  // Command agents wrote their files themselves; only text-producing agents are written here.
  const written = agentFiles === undefined ? applyFileChanges(state.workspace.path, files, deps.readOnlyPaths ?? []) : { written: files.map((f) => f.path), refused: agentRefused };
  const kept = files.filter((f) => written.written.includes(f.path));
  const protectedPaths = protectedAmong(
    kept.map((f) => f.path),
    state.definition.protected_paths ?? [],
  );
  return {
    type: 'step_output_recorded',
    at: deps.clock.now(),
    actionId: run.actionId,
    output: {
      artifact: step.artifact,
      content: text,
      files: kept,
      ...(written.refused.length > 0 ? { refusedPaths: written.refused.map((r) => r.path) } : {}),
      ...(protectedPaths.length > 0 ? { protectedPaths } : {}),
    },
    usage,
    calls,
  };
}

/** One report per validate step: scores from every review, check results as they are, refused writes as issues. */
export function mergeReports(def: WorkflowDefinition, step: Step, texts: string[], checks: ToolResult[], state: WorkflowState): ValidationReport {
  const rubric = def.rubrics.find((r) => r.id === step.rubric)!;
  const dimensionNames = Object.keys(rubric.dimensions);
  const { kind, dimensions, weighted, issues, falsePositives, summaries, overall, statedCounts, notes } = mergeReviews(def, step, texts);
  for (const tool of checks) {
    const fp = falsePositives.find((f) => f.checkId === tool.toolId);
    for (const issue of tool.issues) issues.push(fp ? { ...issue, falsePositive: { reason: fp.reason } } : issue);
  }
  const latestCode = state.outputs.findLast((o) => o.output.artifact === step.artifact);
  for (const path of latestCode?.output.refusedPaths ?? []) {
    issues.push({ severity: 'critical', source: 'workspace', level: 2, message: `The agent tried to write outside the workspace: ${path} (refused).` });
  }
  // A finding, not a failure: the change may be right, but a person must see it before approval.
  for (const path of kind === 'code' ? protectedChangesAwaitingReview(state) : []) {
    issues.push({
      severity: 'info',
      source: 'protected_path',
      level: 2,
      location: { file: path },
      message: `Protected file changed: ${path}. A person must review it at the gate; automatic approval is held until then.`,
    });
  }
  const missing = dimensionNames.filter((d) => rubric.dimensions[d]!.min !== undefined && dimensions[d] === undefined);
  return {
    kind,
    scoreCard: { dimensions, ...(weighted !== undefined ? { weighted } : {}), missing },
    issues,
    toolResults: checks,
    ...(overall !== undefined ? { overall } : {}),
    summary: summaries.join('\n\n'),
    ...(statedCounts !== undefined ? { statedCounts } : {}),
    ...(notes.length > 0 ? { notes } : {}),
  };
}


/**
 * The result event for text submitted from outside (CLI, MCP, HTTP) for an `external` step:
 * the same parsing, workspace guard and report merge as a live agent's output.
 */
export async function resultFromSubmission(deps: StepExecutorDeps, state: WorkflowState, run: StepRun, texts: string[]): Promise<NewEvent> {
  const step = state.definition.steps.find((s) => s.id === run.stepId)!;
  if (isCodeStep(step) && usableSnapshot(run) !== undefined) {
    const own = await inPlaceSubmission(state, step, run, texts, deps.readOnlyPaths ?? []);
    return produceResult(deps, state, step, run, own.text, own.files, [], 1, own.refused);
  }
  assertSubmissionComplete(step, texts);
  for (const text of texts) assertComplete(text, outputName(step));
  if (step.kind === 'produce') return produceResult(deps, state, step, run, texts.join('\n\n'), undefined, [], 1);
  const report = mergeReports(state.definition, step, texts, run.checks ?? [], state);
  return { type: 'validation_recorded', at: deps.clock.now(), actionId: run.actionId, report, reviews: reviewTexts(step, texts), usage: [], calls: texts.length };
}

/** How a step's output is named in a truncation message. */
function outputName(step: Step): string {
  if (step.kind === 'validate') return 'the review';
  return step.role === 'programmer' ? 'the code answer' : `the ${step.artifact}`;
}

/** The reviews whole, each with the template that asked for it (a submission may merge several into one text). */
function reviewTexts(step: Step, texts: readonly string[]): ReviewText[] {
  return texts.map((text, i) => ({ template: step.templates[i] ?? step.templates.at(-1)!, text }));
}
