/**
 * The trace of one agent run (issue 17, part 2): each prompt as rendered, each answer as written,
 * and what the agent said it was doing. The agent is watched through a thin wrapper, so the
 * executor's own path stays as it is; the trace is written beside the log once the run ends,
 * before its result is recorded. A trace that cannot be written never fails the run: the log
 * already holds the output, usage and result.
 */
import type { Agent, AgentRequest, AgentResponse } from '../agents/agent.js';
import type { AgentChoice } from '../agents/index.js';
import type { NewEvent } from '../core/events.js';
import type { StepRun, WorkflowState } from '../core/state.js';
import type { StepTrace } from '../store/store.js';
import type { Clock } from './clock.js';
import { nextAction } from './next-action.js';
import type { NextActionEngine } from './next-action.js';

export interface TraceDeps {
  clock: Clock;
  saveTrace?(trace: StepTrace): Promise<void>;
}

export class StepTraceRecorder {
  readonly #deps: TraceDeps;
  readonly #trace: StepTrace;
  /** The step's templates: its reviews run at once, and the trace keeps them in this order. */
  readonly #templates: readonly string[];

  constructor(deps: TraceDeps, state: WorkflowState, run: StepRun) {
    this.#deps = deps;
    this.#templates = state.definition.steps.find((s) => s.id === run.stepId)?.templates ?? [];
    this.#trace = {
      workflowId: state.workflowId,
      actionId: run.actionId,
      stepId: run.stepId,
      stepNumber: run.stepNumber,
      attempt: run.attempt,
      agent: run.agent ?? 'unknown',
      startedAt: deps.clock.now(),
      completedAt: null,
      prompts: [],
      outputs: [],
      activity: [],
      error: null,
    };
  }

  /** The same choice, its agent watched; an external step is traced when its result is submitted. */
  watch(choice: AgentChoice): AgentChoice {
    if (choice.kind !== 'agent' || this.#deps.saveTrace === undefined) return choice;
    this.#trace.agent = choice.agent.id;
    return { kind: 'agent', agent: this.#watched(choice.agent) };
  }

  /** Writes the trace with the run's result (a failure's message as its error). */
  async save(result: NewEvent): Promise<void> {
    if (this.#deps.saveTrace === undefined || this.#trace.prompts.length === 0) return;
    this.#trace.completedAt = result.at;
    const place = (entry: { template: string }) => this.#templates.indexOf(entry.template);
    this.#trace.prompts.sort((a, b) => place(a) - place(b));
    this.#trace.outputs.sort((a, b) => place(a) - place(b));
    if (result.type === 'step_failed') this.#trace.error = result.failure.message;
    try {
      await this.#deps.saveTrace(this.#trace);
    } catch {
      // Only the trace is lost; the result event that follows still records the run.
    }
  }

  #watched(agent: Agent): Agent {
    const trace = this.#trace;
    const clock = this.#deps.clock;
    const call = async (request: AgentRequest): Promise<AgentResponse> => {
      trace.prompts.push({ template: request.template, text: request.prompt });
      const told: StepTrace['activity'] = [];
      const onActivity = request.onActivity;
      const response = await agent.call({
        ...request,
        onActivity: (text) => {
          told.push({ at: clock.now(), kind: 'activity', text });
          onActivity?.(text);
        },
      });
      trace.outputs.push({ template: request.template, text: response.text });
      trace.activity.push(...(response.transcript ?? told));
      return response;
    };
    // Everything else (id, provider, limits, circuit) is the agent's own.
    return new Proxy(agent, { get: (target, prop, receiver) => (prop === 'call' ? call : Reflect.get(target, prop, receiver)) });
  }
}

/**
 * The trace of a result submitted from outside (an external step): its prompts as `converge
 * next` and get_next_action render them for this run (rendered again here from the same state),
 * and the submitted texts as written. Tokens and cost stay unknown. Never fails the submission.
 */
export async function saveSubmittedTrace(
  deps: TraceDeps & { executor: NextActionEngine['executor'] },
  state: WorkflowState,
  run: StepRun,
  texts: readonly string[],
  at: string,
): Promise<void> {
  if (deps.saveTrace === undefined) return;
  try {
    const action = await nextAction({ executor: deps.executor }, state);
    const prompts = action.kind === 'submit_step_result' ? action.prompts.map((p) => ({ template: p.template, text: p.text })) : [];
    const templates = state.definition.steps.find((s) => s.id === run.stepId)?.templates ?? [];
    await deps.saveTrace({
      workflowId: state.workflowId,
      actionId: run.actionId,
      stepId: run.stepId,
      stepNumber: run.stepNumber,
      attempt: run.attempt,
      agent: 'external',
      startedAt: run.startedAt ?? run.scheduledAt,
      completedAt: at,
      prompts,
      outputs: texts.map((text, i) => ({ template: templates[i] ?? templates.at(-1) ?? '', text })),
      activity: [],
      error: null,
    });
  } catch {
    // The submission is recorded in the log; only its trace is lost.
  }
}
