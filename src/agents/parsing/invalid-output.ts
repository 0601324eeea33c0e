/**
 * The one way parsers reject agent output. The class `invalid_output` selects the repair-prompt
 * recovery, and the message names the expected format so it can be quoted back to the agent.
 */
import { ConvergeError } from '../../core/errors.js';

export function invalidOutput(message: string, errors: readonly string[], hint: string): ConvergeError {
  return new ConvergeError('AGENT_FAILED', message, {
    hint,
    details: { failureClass: 'invalid_output', errors: [...errors] },
    retryable: true,
  });
}

/** A short, single-line excerpt of what the agent actually said, for error messages. */
export function excerpt(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty output)';
  return flat.length <= max ? `"${flat}"` : `"${flat.slice(0, max)}…"`;
}
