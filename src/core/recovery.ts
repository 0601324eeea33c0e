/**
 * The recovery policy: a failure's class picks the strategy, and attempt caps bound retries.
 */
import type { FailureClass, RecoveryRule, RecoveryPolicy } from './definition-schema.js';

/** Used for any class the definition leaves out. Auth and bad requests escalate at once: retrying cannot help. */
export const DEFAULT_RECOVERY: Readonly<Record<FailureClass, RecoveryRule>> = {
  timeout: rule('extended_timeout', 3),
  rate_limited: rule('wait_and_retry', 10, { backoff_ms: 2000 }),
  invalid_output: rule('repair_prompt', 2),
  provider_down: rule('failover', 6),
  auth: rule('escalate_to_human', 0),
  bad_request: rule('escalate_to_human', 0),
  interrupted: rule('retry_with_backoff', 3, { backoff_ms: 0 }),
  check_error: rule('retry_with_backoff', 1),
  unknown: rule('escalate_to_human', 0),
};

function rule(strategy: RecoveryRule['strategy'], maxAttempts: number, extra: Partial<RecoveryRule> = {}): RecoveryRule {
  return {
    strategy,
    max_attempts: maxAttempts,
    timeout_multiplier: 2,
    backoff_ms: 1000,
    max_backoff_ms: 60_000,
    failover_after: 3,
    ...extra,
  };
}

export function recoveryRule(policy: RecoveryPolicy, failureClass: FailureClass): RecoveryRule {
  return policy[failureClass] ?? DEFAULT_RECOVERY[failureClass];
}

/** Delay before retry number `attempt` (1-based): retry-after when given, else exponential backoff. */
export function retryDelayMs(r: RecoveryRule, attempt: number, retryAfterMs: number | undefined): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  if (r.strategy === 'extended_timeout' || r.strategy === 'repair_prompt') return 0;
  // failover: back off on the same provider; moving to the next provider needs no wait.
  if (r.strategy === 'failover' && attempt % r.failover_after === 0) return 0;
  const step = r.strategy === 'failover' ? ((attempt - 1) % r.failover_after) : attempt - 1;
  return Math.min(r.backoff_ms * 2 ** Math.max(0, step), r.max_backoff_ms);
}

/** Maps the seed's free-form error types (`validation_timeout`, `TimeoutError`, …) onto our classes. */
export function classifyErrorType(errorType: string): FailureClass {
  const t = errorType.toLowerCase();
  if (t.includes('timeout')) return 'timeout';
  if (t.includes('rate') || t.includes('429') || t.includes('throttl')) return 'rate_limited';
  if (t.includes('auth') || t.includes('401') || t.includes('403')) return 'auth';
  if (t.includes('invalid_output') || t.includes('parse') || t.includes('malformed')) return 'invalid_output';
  if (t.includes('network') || t.includes('unavailable') || t.includes('5xx') || t.includes('resource_exhaustion')) {
    return 'provider_down';
  }
  if (t.includes('interrupt')) return 'interrupted';
  return 'unknown';
}
