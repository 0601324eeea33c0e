/**
 * What Converge accepts as text from outside — requirements, step results, config files — and how
 * much of it. One set of rules, so the CLI, the HTTP API and MCP refuse the same input the same way:
 * - text is valid UTF-8 (checked on the bytes where there are bytes: a decoded string already hides
 *   a bad byte as U+FFFD), holds no NUL and no lone surrogate, and is not mostly control characters;
 * - requirements and a step result each have a size limit, set in converge.yaml's `limits`.
 * A refusal is one line naming what was refused, with one hint; nothing is recorded.
 */
import { ConvergeError } from './errors.js';
import type { ConvergeErrorCode } from './errors.js';

/** converge.yaml's `limits`, in KiB (1024 bytes of UTF-8). */
export interface InputLimits {
  requirements_kb: number;
  submission_kb: number;
}

export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = { requirements_kb: 256, submission_kb: 2048 };

export interface TextInput {
  /** How a refusal names the input, as the subject of a sentence: "The requirements", "converge.yaml". */
  what: string;
  /** `what` takes "are" ("The requirements are …"), not "is". */
  plural?: boolean;
  /** The code of a refusal for not being text (USAGE, RESULT_INVALID, CONFIG_INVALID …). */
  code?: ConvergeErrorCode;
  /** Most bytes of UTF-8 allowed; none: no size limit. */
  maxBytes?: number;
  /** The converge.yaml key that sets `maxBytes`, for the hint of an over-size refusal. */
  limitKey?: keyof InputLimits;
  /** What to do instead, for a refusal for not being text. */
  hint?: string;
}

const DEFAULT_HINT = 'Give UTF-8 text (plain words or markdown); a binary file cannot be used here.';

/**
 * Control characters other than tab, line feed and carriage return: C0, DEL, C1, and U+FFFD (what
 * a lossy decoder left of a bad byte). A few are harmless in text (a colour code pasted from a
 * terminal); text made mostly of them is a binary file read as text.
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Above this share of control characters (in text of at least MIN_JUDGED characters) it is not text. */
const MAX_CONTROL_SHARE = 0.3;
const MIN_JUDGED = 8;

/** Decodes `bytes` as UTF-8, refusing a byte sequence that is not UTF-8, then checks the text like `checkText`. */
export function textFromBytes(bytes: Uint8Array, input: TextInput): string {
  refuseOversize(bytes.byteLength, input);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw notText(input, `byte ${firstInvalidByte(bytes)} is not valid UTF-8`);
  }
  return checkText(text, input);
}

/** `text` itself when it is text within its limit; else a ConvergeError saying why, with a hint. */
export function checkText(text: string, input: TextInput): string {
  if (input.maxBytes !== undefined) refuseOversize(utf8Length(text, input.maxBytes), input);
  const problem = textProblem(text);
  if (problem !== undefined) throw notText(input, problem);
  return text;
}

/** Why `text` is not text, or undefined when it is. */
export function textProblem(text: string): string | undefined {
  const nul = text.indexOf('\u0000');
  if (nul !== -1) return `it holds a NUL character (at character ${nul + 1})`;
  if (!isWellFormed(text)) return 'it holds a lone UTF-16 surrogate, which is not a character';
  if (text.length >= MIN_JUDGED) {
    const controls = text.match(CONTROL)?.length ?? 0;
    if (controls / text.length > MAX_CONTROL_SHARE) return `${controls} of its ${text.length} characters are control characters or undecodable bytes`;
  }
  return undefined;
}

/** The limits in bytes. */
export function limitBytes(limits: InputLimits): { requirements: number; submission: number } {
  return { requirements: limits.requirements_kb * 1024, submission: limits.submission_kb * 1024 };
}

function refuseOversize(bytes: number, input: TextInput): void {
  if (input.maxBytes === undefined || bytes <= input.maxBytes) return;
  const key = input.limitKey ?? 'the limit';
  throw new ConvergeError('INPUT_TOO_LARGE', `${input.what} ${input.plural ? 'are' : 'is'} ${kib(bytes)}, over the limit of ${kib(input.maxBytes)}.`, {
    hint: input.limitKey !== undefined ? `Send less, or raise limits.${key} in converge.yaml.` : 'Send less.',
    details: { limit_bytes: input.maxBytes, ...(input.limitKey !== undefined ? { limit_key: `limits.${key}` } : {}) },
  });
}

function notText(input: TextInput, why: string): ConvergeError {
  return new ConvergeError(input.code ?? 'USAGE', `${input.what} ${input.plural ? 'are' : 'is'} not text: ${why}.`, {
    hint: input.hint ?? DEFAULT_HINT,
  });
}

/** Rounded up to a tenth, so a size just over a limit never reads as equal to it. */
function kib(bytes: number): string {
  const [value, unit] = bytes >= 1024 * 1024 ? [bytes / (1024 * 1024), 'MiB'] : [bytes / 1024, 'KiB'];
  return `${Math.ceil(value * 10) / 10} ${unit}`;
}

/** UTF-8 length of `text`; not counted when it cannot reach `cap` (then its length stands in). */
function utf8Length(text: string, cap: number): number {
  if (text.length * 3 <= cap) return text.length;
  return new TextEncoder().encode(text).byteLength;
}

/** String.prototype.isWellFormed (Node 20) where there is one: a native scan, ten times the regex's speed. */
function isWellFormed(text: string): boolean {
  const native = (text as { isWellFormed?: () => boolean }).isWellFormed;
  return native !== undefined ? native.call(text) : !LONE_SURROGATE.test(text);
}

/** The 1-based position of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidByte(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i + 1;
    for (let k = 1; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i + 1;
    i += length;
  }
  return bytes.length;
}
