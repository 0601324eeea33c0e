/** Builders shared by the AI SDK agent tests. */
import type { AgentRequest } from '../../../src/agents/agent.js';
import type { Agent } from '../../../src/agents/agent.js';
import { isConvergeError } from '../../../src/core/errors.js';
import type { ConvergeError } from '../../../src/core/errors.js';

export function agentRequest(overrides: Partial<AgentRequest> = {}): AgentRequest {
  return {
    workflowId: 'wf_1',
    actionId: 'wf_1:3',
    stepId: 'create_plan',
    stepNumber: 1,
    role: 'planner',
    template: 'plan.md',
    prompt: 'Write a plan for the login page.',
    expect: 'plan',
    workspace: '/tmp/converge-test',
    timeoutMs: 10_000,
    signal: new AbortController().signal,
    invocationIndex: 0,
    attempt: 1,
    providerIndex: 0,
    ...overrides,
  };
}

/** Calls the agent, expects it to fail with a Converge error, and returns that error. */
export async function failureOf(agent: Agent, request: AgentRequest = agentRequest()): Promise<ConvergeError> {
  try {
    await agent.call(request);
  } catch (error) {
    if (isConvergeError(error)) return error;
    throw new Error(`expected a ConvergeError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected the call to fail, but it succeeded');
}
