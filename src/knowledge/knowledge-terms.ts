/**
 * How text becomes search terms, shared by indexing and querying (they must agree, and
 * MiniSearch does not persist functions, so a loaded index needs the same options again).
 */
import type { Options, SearchOptions } from 'minisearch';

/** Common words that match everywhere and would drown the terms that matter in a long query. */
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be but by can could do does for from has have how i if in into is it its ' +
    'may must not of on or our should so such than that the their then there these this those to ' +
    'was we were what when which will with would you your'
  ).split(' '),
);

/**
 * Splits on anything but letters, digits and `_`, and also indexes the parts of camelCase and
 * snake_case identifiers, so "knowledge index" finds `KnowledgeIndex` and `knowledge_index`.
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const word of text.split(/[^\p{L}\p{N}_]+/u)) {
    if (word === '') continue;
    out.push(word);
    const parts = word.split(/_+|(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})/u).filter((p) => p !== '');
    if (parts.length > 1) out.push(...parts);
  }
  return out;
}

export function processTerm(term: string): string | null {
  const lower = term.toLowerCase();
  if (lower.length < 2 || STOP_WORDS.has(lower)) return null;
  return lower;
}

/** The chunk as MiniSearch sees it; the text itself stays in the index's own map. */
export interface SearchDocument {
  id: string;
  title: string;
  text: string;
  path: string;
}

export const SEARCH_INDEX_OPTIONS: Options<SearchDocument> = {
  fields: ['title', 'text', 'path'],
  storeFields: [],
  tokenize,
  processTerm,
  // Refresh vacuums explicitly before saving, so no background work outlives a CLI command.
  autoVacuum: false,
};

/** Beyond this many terms (a pasted requirements text) fuzzy matching costs more than it finds. */
const FUZZY_TERM_LIMIT = 40;

export const SEARCH_QUERY_OPTIONS: SearchOptions = {
  boost: { title: 3, path: 1.5, text: 1 },
  combineWith: 'OR',
  prefix: (term) => term.length >= 4,
  fuzzy: (term, _index, terms) => (terms.length <= FUZZY_TERM_LIMIT && term.length >= 6 ? 0.15 : false),
  weights: { prefix: 0.5, fuzzy: 0.3 },
};
