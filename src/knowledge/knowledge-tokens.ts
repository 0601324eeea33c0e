/**
 * Token counting for knowledge budgets. gpt-tokenizer is imported here only, so a different
 * tokenizer (or a provider's own count) is a one-file change.
 */
// o200k_base is the encoding of the current OpenAI models; for other providers it is a close
// enough estimate to keep prompts inside a budget, which is all the count is used for.
import { createRequire } from 'node:module';
import type * as O200kBase from 'gpt-tokenizer/encoding/o200k_base';

// The encoding takes 0.5–1.3 s to load (it builds a 200,000-entry table), so it is loaded when
// the first text is counted, not when the process starts: a worker restarting after a crash, or
// a command that never selects knowledge, does not wait for it. `require` (the package's
// CommonJS build of the same code) keeps countTokens synchronous, as its callers need.
const require = createRequire(import.meta.url);
let encoding: typeof O200kBase | undefined;

export function countTokens(text: string): number {
  if (text === '') return 0;
  encoding ??= require('gpt-tokenizer/encoding/o200k_base') as typeof O200kBase;
  return encoding.countTokens(text);
}
