import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { StepTrace } from '../../src/store/store.js';
import { decodeTrace, encodeTrace } from '../../src/store/trace-codec.js';
import { TRACE_DICTIONARY_V2 } from '../../src/store/trace-dictionary.js';

/** The handbook as a built-in prompt starts with it (the dictionary is its JSON-escaped text). */
const handbook = JSON.parse(`"${TRACE_DICTIONARY_V2}"`) as string;

const trace: StepTrace = {
  workflowId: 'wf_codec',
  actionId: 'act_1',
  stepId: 'plan',
  stepNumber: 1,
  attempt: 1,
  agent: 'scripted',
  startedAt: '2026-01-01T00:00:00.000Z',
  completedAt: '2026-01-01T00:00:01.000Z',
  prompts: [{ template: 'plan', text: `${handbook}# Workflow inputs\n\nRequirements: write the value file — «quoted» \\ "exactly"` }],
  outputs: [{ template: 'plan', text: 'The plan: one file.' }],
  activity: [{ at: '2026-01-01T00:00:00.500Z', kind: 'activity', text: 'reading' }],
  error: null,
};

describe('trace codec', () => {
  it('reads back the trace it wrote', () => {
    expect(decodeTrace(encodeTrace(trace))).toEqual(trace);
  });

  it('finds the handbook in its dictionary instead of storing it again', () => {
    const plain = deflateRawSync(Buffer.from(JSON.stringify(trace), 'utf8'), { level: 1 });
    expect(encodeTrace(trace).length).toBeLessThan(plain.length / 2);
  });

  it('reads a format-1 row, written at the default deflate level without a dictionary before issue 19', () => {
    const old = Buffer.concat([Buffer.from([1]), deflateRawSync(Buffer.from(JSON.stringify(trace), 'utf8'))]);
    expect(decodeTrace(old)).toEqual(trace);
  });

  it('refuses a format it does not know, saying to upgrade', () => {
    const future = Buffer.concat([Buffer.from([9]), deflateRawSync(Buffer.from('{}'))]);
    expect(() => decodeTrace(future)).toThrow(expect.objectContaining({ code: 'STORE_TOO_NEW' }));
  });
});
