/**
 * Step traces (what an agent run was asked and what it said) are large and read rarely, so they
 * live beside the event log, not in it: replaying a workflow never reads them. A trace is stored
 * as one deflated JSON body whose first byte is the format version, redacted like every record.
 *
 * Formats: 1, plain deflate (written before issue 19); 2, deflate with a preset dictionary of the
 * built-in handbook (trace-dictionary.ts), which every built-in prompt repeats. Both are read.
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { ConvergeError } from '../core/errors.js';
import { redactRecord } from './record-redaction.js';
import type { StepTrace } from './store.js';
import { TRACE_DICTIONARY_V2 } from './trace-dictionary.js';

const PLAIN = 1;
const WITH_DICTIONARY = 2;
let dictionary: Buffer | undefined;
const dictionaryV2 = (): Buffer => (dictionary ??= Buffer.from(TRACE_DICTIONARY_V2, 'utf8'));

/**
 * A trace is written on every agent run and read when someone asks. At the default level (6)
 * deflating a run's ~10 KB trace took about a tenth of a transition's CPU; level 1 takes about
 * half that, and the dictionary saves a third more and ~60 % of the bytes (fewer pages to commit).
 */
const LEVEL = constants.Z_BEST_SPEED;

export function encodeTrace(trace: StepTrace): Buffer {
  const json = Buffer.from(JSON.stringify(redactRecord(trace)), 'utf8');
  const body = deflateRawSync(json, { level: LEVEL, dictionary: dictionaryV2() });
  return Buffer.concat([Buffer.of(WITH_DICTIONARY), body]);
}

export function decodeTrace(body: Uint8Array): StepTrace {
  const bytes = Buffer.from(body);
  const format = bytes[0];
  if (format !== PLAIN && format !== WITH_DICTIONARY) {
    throw new ConvergeError('STORE_TOO_NEW', `A step trace in this store has format ${format}, which this Converge does not know.`, {
      hint: 'Upgrade Converge to read it; the workflow itself is unaffected.',
    });
  }
  const json = inflateRawSync(bytes.subarray(1), format === WITH_DICTIONARY ? { dictionary: dictionaryV2() } : {});
  return JSON.parse(json.toString('utf8')) as StepTrace;
}

/** Traces in the order their runs started (then by action id, for runs started together). */
export function traceOrder(a: Pick<StepTrace, 'startedAt' | 'actionId'>, b: Pick<StepTrace, 'startedAt' | 'actionId'>): number {
  return a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.actionId < b.actionId ? -1 : a.actionId > b.actionId ? 1 : 0;
}
