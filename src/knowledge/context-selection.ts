/**
 * Picks the documentation an agent call gets: the chunks most relevant to the query that fit a
 * token budget, as markdown sections. The budget is checked against the final text itself, so
 * the result never exceeds it whatever the tokenizer does at section boundaries.
 */
import { ConvergeError } from '../core/errors.js';
import type { KnowledgeDocument, ScoredChunk, SearchLimit } from './knowledge-index.js';
import { countTokens } from './knowledge-tokens.js';

export type KnowledgeRole = 'planner' | 'validator' | 'programmer';

/**
 * Tokens of knowledge per agent call. The planner needs the most context (design and
 * conventions), the validator the least (it judges against a rubric, not from the docs).
 */
export const DEFAULT_KNOWLEDGE_BUDGETS: Readonly<Record<KnowledgeRole, number>> = Object.freeze({
  planner: 4000,
  validator: 2000,
  programmer: 3000,
});

export interface SelectKnowledgeOptions {
  /** Overrides the role's default budget. */
  tokenBudget?: number;
  /** Picks the default budget; programmer when neither is given. */
  role?: KnowledgeRole;
  /** Chunks scoring below this share of the best score are left out even if they fit. Default 0.15. */
  minRelativeScore?: number;
  /** How many ranked chunks to consider. Default 50. */
  candidates?: number;
}

export interface KnowledgeSelection {
  /** What goes into the prompt; empty when nothing matched. */
  text: string;
  /** The chunks in `text`, most relevant first. */
  chunks: ScoredChunk[];
  /** Tokens of `text`. */
  tokens: number;
  /** The budget applied; null for the paste-everything baseline. */
  budget: number | null;
}

/** What selection needs from an index; tests and other callers may pass their own. */
export interface KnowledgeSearcher {
  search(query: string, options?: SearchLimit): ScoredChunk[];
}

export function formatSection(chunk: Pick<ScoredChunk, 'path' | 'title' | 'text'>): string {
  return `### ${chunk.path} — ${chunk.title}\n${chunk.text.trim()}`;
}

const SEPARATOR = '\n\n';

/**
 * A selection's text without the sections about the given files: for a prompt that already shows
 * those files in full (the code under review), where the same lines would be sent twice. Sections
 * are recognised by the heading `formatSection` writes at the start of the text or after a blank line.
 */
export function withoutPaths(text: string, paths: Iterable<string>): string {
  const drop = new Set(paths);
  if (drop.size === 0 || text === '') return text;
  const starts = [...text.matchAll(/(?:^|\n\n)### ([^\n]+?) — [^\n]*\n/g)].map((m) => ({
    at: m.index + (m[0].startsWith('\n') ? 2 : 0),
    path: m[1]!,
  }));
  if (!starts.some((s) => drop.has(s.path))) return text;
  const kept: string[] = [];
  if ((starts[0]?.at ?? text.length) > 0) kept.push(text.slice(0, starts[0]?.at ?? text.length).replace(/\n\n$/, ''));
  starts.forEach((start, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]!.at - SEPARATOR.length : text.length;
    if (!drop.has(start.path)) kept.push(text.slice(start.at, end));
  });
  return kept.filter((section) => section !== '').join(SEPARATOR);
}

export function selectKnowledge(index: KnowledgeSearcher, query: string, options: SelectKnowledgeOptions = {}): KnowledgeSelection {
  const budget = options.tokenBudget ?? DEFAULT_KNOWLEDGE_BUDGETS[options.role ?? 'programmer'];
  if (!Number.isInteger(budget) || budget < 0) {
    throw new ConvergeError('USAGE', `A knowledge token budget must be a whole number of tokens, not ${budget}.`, {
      hint: 'Use a positive integer such as 3000, or 0 for no knowledge.',
    });
  }
  const ranked = budget === 0 ? [] : index.search(query, { limit: options.candidates ?? 50 });
  const floor = (ranked[0]?.score ?? 0) * (options.minRelativeScore ?? 0.15);
  const separatorTokens = countTokens(SEPARATOR);
  const seen = new Set<string>();
  const chosen: { chunk: ScoredChunk; section: string }[] = [];
  let used = 0;
  for (const chunk of ranked) {
    if (chunk.score < floor) break;
    // The same passage copied into several documents is worth its tokens once.
    const key = chunk.text.replace(/\s+/g, ' ').trim().toLowerCase();
    if (key === '' || seen.has(key)) continue;
    const section = formatSection(chunk);
    const cost = countTokens(section) + (chosen.length > 0 ? separatorTokens : 0);
    // A chunk that does not fit may be followed by a smaller one that does.
    if (used + cost > budget) continue;
    seen.add(key);
    chosen.push({ chunk, section });
    used += cost;
  }
  let text = chosen.map((c) => c.section).join(SEPARATOR);
  let tokens = countTokens(text);
  // Section costs were counted apart; merges across a boundary could in theory add a token.
  while (tokens > budget && chosen.length > 0) {
    chosen.pop();
    text = chosen.map((c) => c.section).join(SEPARATOR);
    tokens = countTokens(text);
  }
  return { text, chunks: chosen.map((c) => c.chunk), tokens, budget };
}

/** What the baseline needs: every document in full. */
export interface KnowledgeDocumentSource {
  documents(): KnowledgeDocument[];
}

/**
 * Every document in full, as the seed's prototypes pasted them: the baseline the benchmark
 * compares selection against.
 */
export function naiveKnowledge(index: KnowledgeDocumentSource): KnowledgeSelection {
  const documents = index.documents();
  const text = documents.map((doc) => `### ${doc.path}\n${doc.text.trim()}`).join(SEPARATOR);
  const chunks: ScoredChunk[] = documents.map((doc) => {
    const lines = doc.text.split('\n').length;
    return { id: `${doc.path}#all`, path: doc.path, title: 'whole document', text: doc.text, startLine: 1, endLine: lines, tokens: countTokens(doc.text), score: 0 };
  });
  return { text, chunks, tokens: countTokens(text), budget: null };
}
