/**
 * Requirements and step results as every interface takes them: text (src/core/text-input.ts)
 * within converge.yaml's `limits`. The access layer checks the decoded strings; a reader that has
 * the bytes (a CLI @FILE or --file, an HTTP body) checks those first, so a bad byte is caught
 * before a decoder turns it into U+FFFD.
 */
import { ConvergeError } from '../../core/errors.js';
import { checkText, DEFAULT_INPUT_LIMITS, textFromBytes } from '../../core/text-input.js';
import type { InputLimits, TextInput } from '../../core/text-input.js';

type Limits = Partial<InputLimits> | undefined;

function bytesOf(limits: Limits): { requirements: number; submission: number } {
  return {
    requirements: (limits?.requirements_kb ?? DEFAULT_INPUT_LIMITS.requirements_kb) * 1024,
    submission: (limits?.submission_kb ?? DEFAULT_INPUT_LIMITS.submission_kb) * 1024,
  };
}

function requirementsInput(limits: Limits, source?: string): TextInput {
  return {
    what: source === undefined ? 'The requirements' : `The requirements file ${source}`,
    plural: source === undefined,
    code: 'USAGE',
    maxBytes: bytesOf(limits).requirements,
    limitKey: 'requirements_kb',
    hint: 'Give the requirements as UTF-8 text: plain words or markdown.',
  };
}

function submissionInput(limits: Limits, source?: string): TextInput {
  return {
    what: source === undefined ? 'The step result' : `The result file ${source}`,
    code: 'RESULT_INVALID',
    maxBytes: bytesOf(limits).submission,
    limitKey: 'submission_kb',
    hint: 'Submit what the agent wrote, as UTF-8 text (markdown); nothing was recorded.',
  };
}

/** The requirements, refused when empty, not text or over `limits.requirements_kb`. */
export function checkRequirements(text: string, limits: Limits): string {
  checkText(text, requirementsInput(limits));
  if (text.trim() === '') throw new ConvergeError('USAGE', 'The requirements are empty.', { hint: 'Say what to build, in plain words or markdown.' });
  return text;
}

/** The requirements read from a file's bytes (`converge run @FILE`). */
export function requirementsFromBytes(bytes: Uint8Array, limits: Limits, source: string): string {
  return checkRequirements(textFromBytes(bytes, requirementsInput(limits, source)), limits);
}

/** A step result (one text per prompt of the step), refused when one is not text or all together exceed `limits.submission_kb`. */
export function checkSubmission(texts: readonly string[], limits: Limits): void {
  const { maxBytes, ...input } = submissionInput(limits);
  for (const text of texts) checkText(text, input);
  // The limit is on the whole result, however many texts it is split into.
  checkText(texts.join(''), { ...input, ...(maxBytes !== undefined ? { maxBytes } : {}), what: texts.length > 1 ? `The step result (${texts.length} texts together)` : input.what });
}

/** One result file read from its bytes (`converge submit --file`). */
export function submissionFromBytes(bytes: Uint8Array, limits: Limits, source: string): string {
  return textFromBytes(bytes, submissionInput(limits, source));
}

/**
 * The HTTP API's body limit: large enough for the biggest result or requirements that may be
 * submitted (JSON escaping can double them), so the access layer, not the transport, says which
 * limit was hit and how to raise it.
 */
export function bodyLimitFor(limits: Limits, floor: number): number {
  const { requirements, submission } = bytesOf(limits);
  return Math.max(floor, 2 * Math.max(requirements, submission) + 64 * 1024);
}
