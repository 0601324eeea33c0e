/**
 * Replays a recorded session. Which output it returns depends only on how many calls the role
 * made before (from the durable log), so a resumed run gets exactly the output it would have.
 * Its text goes through the same parsing as live model output.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Agent, AgentRequest, AgentResponse } from '../agent.js';
import { agentFailure } from '../agent.js';
import type { LoadedSession } from './scripted-session.js';

export class ScriptedAgent implements Agent {
  readonly id: string;
  readonly provider = 'scripted';
  readonly #session: LoadedSession;

  constructor(session: LoadedSession) {
    this.#session = session;
    this.id = `scripted:${session.path}`;
  }

  async call(request: AgentRequest): Promise<AgentResponse> {
    this.#trace(request, 'start');
    if (this.#session.promptsDir !== undefined) {
      mkdirSync(this.#session.promptsDir, { recursive: true });
      writeFileSync(join(this.#session.promptsDir, `${request.actionId}-${request.template}`), request.prompt);
    }
    const response = await this.#replay(request);
    this.#trace(request, 'end');
    return response;
  }

  #trace(request: AgentRequest, what: 'start' | 'end'): void {
    if (this.#session.traceFile === undefined) return;
    appendFileSync(this.#session.traceFile, `${request.actionId} ${request.role} #${request.invocationIndex} ${what}\n`);
  }

  async #replay(request: AgentRequest): Promise<AgentResponse> {
    const entries = this.#session.session[request.role];
    const entry = entries[request.invocationIndex];
    if (entry === undefined) {
      throw agentFailure(
        'unknown',
        `The recorded session ${this.#session.path} has no output #${request.invocationIndex + 1} for the ${request.role} (it lists ${entries.length}).`,
      );
    }
    if (entry.delay_ms > 0) await sleep(entry.delay_ms, undefined, { signal: request.signal }).catch(() => undefined);
    if (request.signal.aborted) throw agentFailure('timeout', `The ${request.role} did not answer within ${request.timeoutMs} ms.`);
    switch (entry.fail) {
      case 'timeout':
        throw agentFailure('timeout', entry.message ?? `The ${request.role} did not answer within ${request.timeoutMs} ms (recorded).`);
      case 'hang':
        await new Promise<void>((resolve) => request.signal.addEventListener('abort', () => resolve(), { once: true }));
        throw agentFailure('timeout', `The ${request.role} did not answer within ${request.timeoutMs} ms.`);
      case 'rate_limit':
        throw agentFailure('rate_limited', entry.message ?? 'Rate limited (recorded 429).', {
          ...(entry.retry_after_ms !== undefined ? { retryAfterMs: entry.retry_after_ms } : {}),
        });
      case 'provider_error':
        throw agentFailure('provider_down', entry.message ?? 'The provider answered 500 (recorded).');
      case 'auth':
        throw agentFailure('auth', entry.message ?? 'The provider answered 401 Unauthorized (recorded).');
      case 'invalid_output':
        return { text: entry.message ?? 'Sorry, I cannot help with that.' };
      case undefined:
        break;
    }
    const text = this.#session.texts[request.role][request.invocationIndex] ?? '';
    const usage = entry.usage;
    return {
      text,
      ...(usage !== undefined
        ? {
            usage: {
              inputTokens: usage.input_tokens,
              outputTokens: usage.output_tokens,
              cachedInputTokens: usage.cached_input_tokens,
              costUsd: usage.cost_usd,
              provider: 'scripted',
            },
          }
        : {}),
    };
  }
}
