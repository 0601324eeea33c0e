/**
 * The Agent contract. Every provider — a cloud LLM, a CLI coding agent, a recorded session,
 * or a result submitted from outside — sits behind this one interface.
 */
import type { FailureClass, Role } from '../core/definition-schema.js';
import { ConvergeError } from '../core/errors.js';
import type { FileChange, SandboxKind, Usage } from '../core/records.js';

export type ExpectedOutput = 'plan' | 'report' | 'files';

export interface AgentRequest {
  workflowId: string;
  actionId: string;
  stepId: string;
  stepNumber: number;
  role: Role | 'advisor';
  template: string;
  prompt: string;
  /** The part of the prompt that is the same on every round (cacheable). */
  staticPrompt?: string;
  /** Every offset in `prompt` where a cacheable prefix ends (`RenderedParts.cacheBreakpoints`). */
  cacheBreakpoints?: number[];
  expect: ExpectedOutput;
  workspace: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** How many calls this role made before in this workflow: a recorded session replays by it. */
  invocationIndex: number;
  attempt: number;
  /** Which provider of the role's fallback chain to use (0 = the primary). */
  providerIndex: number;
  /** Told what the agent is doing now (a command it runs, a file it edits) when it reports that; for display only. */
  onActivity?: (text: string) => void;
  /** The project's check commands (one command line each), which a CLI agent may run to verify its work. */
  checkCommands?: readonly string[];
}

export interface AgentResponse {
  text: string;
  usage?: Usage;
  /** Files the agent changed itself (command agents), taken from the workspace rather than its text. */
  files?: FileChange[];
  /** Paths the agent changed that fall outside the workspace guard; refused and reported as issues. */
  refused?: Array<{ path: string; reason: string }>;
  /** The sandbox an agent that runs as a local process ran in (command agents). */
  sandbox?: SandboxKind;
  /**
   * The agent's own account of the run (a CLI agent's commands, edits and messages), kept in the
   * step's trace; without it the trace keeps what `onActivity` was told.
   */
  transcript?: Array<{ at: string; kind: string; text: string }>;
}

export interface Agent {
  /** Stable name for logs and limits, e.g. `anthropic:claude-sonnet-4-5` or `scripted`. */
  readonly id: string;
  /** The key shared limits are counted under. */
  readonly provider: string;
  readonly maxConcurrency?: number;
  /**
   * This agent's own time for one step (a command agent's `timeout_s`), in place of the
   * definition's step timeout; a recovery that extends the timeout extends this one.
   */
  readonly stepTimeoutMs?: number;
  /** The circuit its provider failures count against; `provider` and `id` when unset. */
  readonly circuit?: AgentCircuit;
  call(request: AgentRequest): Promise<AgentResponse>;
}

/** One circuit per agent: provider and model, or a CLI preset and the provider it calls. */
export interface AgentCircuit {
  key: string;
  /** Consecutive provider failures that open it (the breaker's default when unset). */
  failures?: number;
  /** How long it stays open before a probe (the breaker's default when unset). */
  coolDownMs?: number;
}

/** An agent's circuit from its key and its entry's `circuit_breaker`. */
export function agentCircuit(key: string, settings?: { failures?: number | undefined; cool_down_s?: number | undefined }): AgentCircuit {
  return {
    key,
    ...(settings?.failures === undefined ? {} : { failures: settings.failures }),
    ...(settings?.cool_down_s === undefined ? {} : { coolDownMs: settings.cool_down_s * 1000 }),
  };
}

/** The circuit an agent's failures count against. */
export function circuitOf(agent: Agent): AgentCircuit {
  return agent.circuit ?? { key: agent.id.startsWith(`${agent.provider}:`) ? agent.id : `${agent.provider}|${agent.id}` };
}

/** A classified agent failure; the recovery policy picks the strategy from `failureClass`. */
export function agentFailure(
  failureClass: FailureClass,
  message: string,
  options: { retryAfterMs?: number; cause?: unknown; provider?: string } = {},
): ConvergeError {
  return new ConvergeError('AGENT_FAILED', message, {
    retryable: failureClass !== 'auth' && failureClass !== 'bad_request',
    details: {
      failureClass,
      ...(options.retryAfterMs !== undefined ? { retryAfterMs: options.retryAfterMs } : {}),
      ...(options.provider !== undefined ? { provider: options.provider } : {}),
    },
    cause: options.cause,
  });
}

export function failureClassOf(error: unknown): FailureClass {
  if (error instanceof ConvergeError && typeof error.details.failureClass === 'string') {
    return error.details.failureClass as FailureClass;
  }
  return 'unknown';
}
