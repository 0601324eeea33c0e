/**
 * Asks the configured advisor to answer an escalation in the complex cases (stall, repeated
 * failures). Its choice is limited to the legal options the core lists; an illegal, unparsable
 * or failed answer leaves the escalation to a person, as if there were no advisor.
 */
import { adviceOptions } from '../core/advice.js';
import type { NewEvent } from '../core/events.js';
import type { WorkflowState } from '../core/state.js';
import type { StepExecutorDeps } from './step-executor.js';

export async function askAdvisor(deps: StepExecutorDeps, state: WorkflowState, signal?: AbortSignal): Promise<NewEvent | undefined> {
  const options = adviceOptions(state);
  const advisor = deps.advisor?.();
  if (options === null || advisor === undefined || state.escalation === null) return undefined;
  const escalation = state.escalation;
  const recent = state.validations.slice(-3).map((v) => `- round ${v.round} (${v.stepId}): ${JSON.stringify(v.report.scoreCard.dimensions)}`);
  const prompt = [
    '# Role: Advisor — workflow escalation',
    'You advise an orchestrator that runs a plan → validate → implement workflow. It stopped and asks what to do.',
    `Situation (${escalation.reason}): ${escalation.message}`,
    recent.length > 0 ? `Recent scores:\n${recent.join('\n')}` : '',
    'Choose exactly one option:',
    ...options.map((o) => `- "${o.id}": ${o.description}`),
    'Answer with JSON only: {"choice": "<option id>", "reasoning": "<one or two sentences>"}',
  ].filter(Boolean).join('\n\n');
  try {
    const response = await deps.limiter.run(advisor.provider, () =>
      advisor.call({
        workflowId: state.workflowId,
        actionId: `${escalation.escalationId}.advice`,
        stepId: escalation.stepId,
        stepNumber: state.definition.steps.find((s) => s.id === escalation.stepId)?.number ?? 0,
        role: 'advisor',
        template: 'advisor',
        prompt,
        expect: 'report',
        workspace: state.workspace.path,
        timeoutMs: 60_000,
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(60_000)]) : AbortSignal.timeout(60_000),
        invocationIndex: state.escalations.filter((e) => e.actor?.id.startsWith('advisor')).length,
        attempt: 1,
        providerIndex: 0,
      }),
    );
    const advice = parseAdvice(response.text);
    const option = options.find((o) => o.id === advice?.choice);
    if (option?.answer === undefined) return undefined;
    return {
      type: 'escalation_answered',
      at: deps.clock.now(),
      escalationId: escalation.escalationId,
      answer: option.answer,
      actor: { id: `advisor:${advisor.id}`, via: 'engine' },
      comment: advice!.reasoning.slice(0, 1000),
      decisionSource: 'advisor',
    };
  } catch {
    return undefined;
  }
}

function parseAdvice(text: string): { choice: string; reasoning: string } | undefined {
  const match = /\{[\s\S]*\}/.exec(text);
  if (match === null) return undefined;
  try {
    const value = JSON.parse(match[0]) as { choice?: unknown; reasoning?: unknown };
    if (typeof value.choice !== 'string') return undefined;
    return { choice: value.choice, reasoning: typeof value.reasoning === 'string' ? value.reasoning : '' };
  } catch {
    return undefined;
  }
}
