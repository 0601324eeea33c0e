import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { didYouMean, endSentence, zodProblems } from '../../src/core/messages.js';

describe('messages', () => {
  describe('endSentence', () => {
    it.each([
      ['The planner did not finish', 'The planner did not finish.'],
      ['The planner did not finish.', 'The planner did not finish.'],
      ['Is it done?', 'Is it done?'],
      ['It said "stop."', 'It said "stop."'],
      ['(see the log.)', '(see the log.)'],
      ['cut off…', 'cut off…'],
      ['trailing space.  ', 'trailing space.'],
    ])('ends %j once', (text, expected) => {
      expect(endSentence(text)).toBe(expected);
    });

    it('leaves no doubled full stop when a quoted error ends in one', () => {
      expect(`${endSentence('Step 1 failed: The call failed.')} Retry 1 of 3.`).toBe('Step 1 failed: The call failed. Retry 1 of 3.');
    });
  });

  describe('didYouMean', () => {
    it('names the nearest known name', () => {
      expect(didYouMean('antropic', ['openai', 'anthropic', 'bedrock'])).toBe(' (did you mean "anthropic"?)');
    });

    it('suggests nothing for a name far from every known one', () => {
      expect(didYouMean('kubernetes', ['openai', 'anthropic'])).toBe('');
    });

    it('allows fewer edits for short names', () => {
      expect(didYouMean('go', ['ts'])).toBe('');
    });
  });

  describe('zodProblems', () => {
    const Schema = z.strictObject({
      profile: z.string().default('typescript'),
      agents: z.strictObject({ default: z.strictObject({ provider: z.enum(['anthropic', 'openai']) }).optional() }).default({}),
    });

    it('names an unknown field with the nearest allowed one, at its own path', () => {
      const input = { profil: 'typescript' };
      const result = Schema.safeParse(input);
      expect(zodProblems(result.error!, Schema, input)).toEqual([{ path: 'profil', message: 'unknown field "profil" (did you mean "profile"?)' }]);
    });

    it('names a value outside a list with the value given and the nearest allowed one', () => {
      const input = { agents: { default: { provider: 'antropic' } } };
      const result = Schema.safeParse(input);
      expect(zodProblems(result.error!, Schema, input)).toEqual([
        { path: 'agents.default.provider', message: '"antropic" is not one of anthropic, openai (did you mean "anthropic"?)' },
      ]);
    });
  });
});
