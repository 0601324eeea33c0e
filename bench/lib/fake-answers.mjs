/**
 * How the fake provider answers: the instant fixture's recorded outputs, picked from what the
 * prompt carries. Kept apart from the server so the smoke test can check it against the
 * prompts Converge really renders (a template change that breaks the routing fails there).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INSTANT_FIXTURE } from './common.mjs';

const out = (name) => readFileSync(join(INSTANT_FIXTURE, 'outputs', `${name}.md`), 'utf8');
export const OUTPUTS = Object.fromEntries(
  ['plan-v1', 'plan-v2', 'plan-review-1', 'plan-review-2', 'code-v1', 'code-v2', 'code-review-a1', 'code-review-b1', 'code-review-a2', 'code-review-b2'].map((n) => [n, out(n)]),
);

/**
 * Which recorded output answers this prompt: the template is known by its role heading, the round
 * by what the prompt carries (the revised plan's title, the first code's wrong value).
 */
export function answerFor(prompt) {
  const codeIsBad = /# File: src\/value\.txt\n```[a-z]*\nbad\n/.test(prompt);
  if (prompt.includes('# Role: Planner — initial')) return 'plan-v1';
  if (prompt.includes('# Role: Planner — plan revision')) return 'plan-v2';
  if (prompt.includes('# Role: Validator — implementation plan review')) return prompt.includes('value file (v2)') ? 'plan-review-2' : 'plan-review-1';
  if (prompt.includes('# Role: Programmer — implementation')) return 'code-v1';
  if (prompt.includes('# Role: Programmer — code refinement')) return 'code-v2';
  if (prompt.includes('# Role: Validator — code alignment review')) return codeIsBad ? 'code-review-a1' : 'code-review-a2';
  if (prompt.includes('# Role: Validator — code standardization review')) return codeIsBad ? 'code-review-b1' : 'code-review-b2';
  return undefined;
}

