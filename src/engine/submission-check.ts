/**
 * What a result submitted from outside must be before it is recorded. A refusal is the
 * submitter's to fix — RESULT_INVALID, exit 2, HTTP 400, an MCP error result — and records
 * nothing; it is never a failed step (a configured agent's bad output is, and gets a repair prompt).
 */
import type { Step } from '../core/definition-schema.js';
import { ConvergeError, isConvergeError } from '../core/errors.js';
import { expectedOf } from './external-wait.js';

/**
 * Refuses a submission that is empty, or that leaves out one of the texts the step asks for:
 * step 5 has two prompts (5a, 5b), and a result with one review would read the other review's
 * dimensions as missing scores.
 */
export function assertSubmissionComplete(step: Step, texts: readonly string[]): void {
  const { format, texts: wanted } = expectedOf(step);
  const what = format === 'report' ? 'review' : format === 'files' ? 'code answer' : 'plan';
  if (texts.length === 0 || texts.every((t) => t.trim() === '')) {
    throw new ConvergeError('RESULT_INVALID', `The submitted result for step ${step.number} (${step.id}) is empty.`, {
      hint: `Submit the ${what}${wanted > 1 ? 's' : ''} the step's prompt${wanted > 1 ? 's ask' : ' asks'} for.`,
      details: { step: step.number, failureClass: 'invalid_output' },
    });
  }
  const empty = texts.flatMap((t, i) => (t.trim() === '' ? [i + 1] : []));
  if (texts.length < wanted || empty.length > 0) {
    const given = texts.length - empty.length;
    const missing = step.templates.flatMap((template, i) => (i >= texts.length || empty.includes(i + 1) ? [{ prompt: i + 1, template }] : []));
    const names = missing.map((m) => `prompt ${m.prompt} (${m.template})`).join(' and ');
    throw new ConvergeError(
      'RESULT_INVALID',
      `Step ${step.number} (${step.id}) takes ${wanted} ${what}s, one per prompt; ${given} ${given === 1 ? 'was' : 'were'} given. Missing: the ${what} for ${names}.`,
      {
        hint: `Submit all ${wanted} together, in prompt order: one --file per ${what} on the command line, texts: [...] over MCP and HTTP. Nothing was recorded.`,
        details: { step: step.number, wanted, given, missing, failureClass: 'invalid_output' },
      },
    );
  }
}

/** A parser's invalid-output refusal, restated as the submitter's error (see the top of this file). */
export function asResultInvalid(error: unknown): unknown {
  if (!isConvergeError(error) || error.code !== 'AGENT_FAILED' || error.details.failureClass !== 'invalid_output') return error;
  return new ConvergeError('RESULT_INVALID', error.message, {
    hint: error.hint ?? 'Fix the result and submit it again; nothing was recorded.',
    details: error.details,
    cause: error,
  });
}
