/**
 * Token counting for knowledge budgets. gpt-tokenizer is imported here only, so a different
 * tokenizer (or a provider's own count) is a one-file change.
 */
// o200k_base is the encoding of the current OpenAI models; for other providers it is a close
// enough estimate to keep prompts inside a budget, which is all the count is used for.
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';

export function countTokens(text: string): number {
  if (text === '') return 0;
  return countO200k(text);
}
