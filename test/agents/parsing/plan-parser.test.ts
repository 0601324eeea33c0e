import { describe, expect, it } from 'vitest';
import { MIN_PLAN_CHARS, parsePlan } from '../../../src/agents/parsing/index.js';
import type { ConvergeError } from '../../../src/core/errors.js';

const FENCE = '```';
const PLAN = [
  '# Implementation Plan: CSV export',
  '',
  '## 1. Overview',
  'Adds `converge export --csv`.',
  '',
  '## Implementation Details',
  `${FENCE}ts`,
  'export function toCsv(rows: string[][]): string;',
  FENCE,
].join('\n');

function parseError(text: string): ConvergeError {
  try {
    parsePlan(text);
  } catch (error) {
    return error as ConvergeError;
  }
  throw new Error('expected the parse to fail');
}

describe('parsePlan', () => {
  it('returns the plan trimmed, with its title', () => {
    expect(parsePlan(`\n\n${PLAN}\n\n`)).toEqual({ content: PLAN, title: 'Implementation Plan: CSV export' });
  });

  it('strips a markdown fence around the whole plan and keeps the fences inside it', () => {
    expect(parsePlan(`${FENCE}markdown\n${PLAN}\n${FENCE}`).content).toBe(PLAN);
    expect(parsePlan(`${FENCE}\n${PLAN}\n${FENCE}\n`).content).toBe(PLAN);
  });

  it('keeps a fence that does not wrap the whole plan', () => {
    const text = `${FENCE}\nnot a wrapper\n${FENCE}\n\n# Plan\n\nSome content that is long enough to count.`;
    expect(parsePlan(text).content).toBe(text);
  });

  it('takes the title after YAML front matter and outside code blocks', () => {
    const text = `---\ntitle: x\nstatus: draft\n---\n${FENCE}py\n# not a title\n${FENCE}\n# Implementation Plan: Trainer — Version 2\n\nBody text long enough.`;
    expect(parsePlan(text).title).toBe('Implementation Plan: Trainer — Version 2');
  });

  it('has no title when the plan has no level-1 heading', () => {
    expect(parsePlan('## Overview\nA plan without a top heading, but long enough.').title).toBeUndefined();
  });

  it.each([[''], ['   \n\t  '], ['Sorry, I cannot help.'], [`${FENCE}markdown\n\n${FENCE}`]])(
    'rejects %j as invalid_output',
    (text) => {
      const error = parseError(text);
      expect(error.code).toBe('AGENT_FAILED');
      expect(error.details.failureClass).toBe('invalid_output');
      expect(error.message).toContain('# Implementation Plan: <title>');
    },
  );

  it(`accepts a plan of exactly ${MIN_PLAN_CHARS} characters`, () => {
    expect(parsePlan('x'.repeat(MIN_PLAN_CHARS)).content).toHaveLength(MIN_PLAN_CHARS);
  });
});
