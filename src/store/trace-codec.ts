/**
 * Step traces (what an agent run was asked and what it said) are large and read rarely, so they
 * live beside the event log, not in it: replaying a workflow never reads them. A trace is stored
 * as one deflated JSON body whose first byte is the format version, redacted like every record.
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { ConvergeError } from '../core/errors.js';
import { redactRecord } from './record-redaction.js';
import type { StepTrace } from './store.js';

const FORMAT = 1;

/**
 * A trace is written on every agent run and read when someone asks. At the default level (6)
 * deflating a run's ~10 KB of prompts took about a tenth of a transition's CPU; level 1 takes
 * half that and stores about 7 % more. Inflate reads any level, so the format is unchanged and
 * rows written at the default level read back the same.
 */
const LEVEL = constants.Z_BEST_SPEED;

export function encodeTrace(trace: StepTrace): Buffer {
  const body = deflateRawSync(Buffer.from(JSON.stringify(redactRecord(trace)), 'utf8'), { level: LEVEL });
  return Buffer.concat([Buffer.from([FORMAT]), body]);
}

export function decodeTrace(body: Uint8Array): StepTrace {
  const bytes = Buffer.from(body);
  if (bytes[0] !== FORMAT) {
    throw new ConvergeError('STORE_TOO_NEW', `A step trace in this store has format ${bytes[0]}, which this Converge does not know.`, {
      hint: 'Upgrade Converge to read it; the workflow itself is unaffected.',
    });
  }
  return JSON.parse(inflateRawSync(bytes.subarray(1)).toString('utf8')) as StepTrace;
}

/** Traces in the order their runs started (then by action id, for runs started together). */
export function traceOrder(a: Pick<StepTrace, 'startedAt' | 'actionId'>, b: Pick<StepTrace, 'startedAt' | 'actionId'>): number {
  return a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.actionId < b.actionId ? -1 : a.actionId > b.actionId ? 1 : 0;
}
