/**
 * The engine's entry point: one index per workspace and glob list, refreshed (a stat per file,
 * re-reading only what changed) before each selection, shared by concurrent agent calls.
 */
import { resolve } from 'node:path';
import { DEFAULT_KNOWLEDGE_BUDGETS, selectKnowledge } from './context-selection.js';
import type { KnowledgeRole, KnowledgeSelection } from './context-selection.js';
import { KnowledgeIndex } from './knowledge-index.js';

export interface KnowledgeRequest {
  /** The workspace the documentation locations are relative to. */
  root: string;
  globs: readonly string[];
  role: KnowledgeRole;
  /** Usually the requirements, plus the plan for later steps. */
  query: string;
  tokenBudget?: number;
}

export interface KnowledgeProviderOptions {
  /** Budgets per role, over DEFAULT_KNOWLEDGE_BUDGETS. */
  budgets?: Partial<Record<KnowledgeRole, number>>;
  /** Skip the refresh when the last one is younger than this. Default 0: refresh on every call. */
  refreshIntervalMs?: number;
  maxFileBytes?: number;
  /** Injected for tests. */
  now?: () => number;
}

export interface KnowledgeProvider {
  select(request: KnowledgeRequest): Promise<KnowledgeSelection>;
}

export function createKnowledgeProvider(options: KnowledgeProviderOptions = {}): KnowledgeProvider {
  const indexes = new Map<string, { index: KnowledgeIndex; refreshedAt: number }>();
  const now = options.now ?? Date.now;
  const interval = options.refreshIntervalMs ?? 0;

  return {
    async select(request) {
      const tokenBudget = request.tokenBudget ?? options.budgets?.[request.role] ?? DEFAULT_KNOWLEDGE_BUDGETS[request.role];
      if (request.globs.length === 0 || request.query.trim() === '') return { text: '', chunks: [], tokens: 0, budget: tokenBudget };
      const root = resolve(request.root);
      const key = JSON.stringify([root, [...request.globs].sort()]);
      let entry = indexes.get(key);
      if (entry === undefined) {
        const index = new KnowledgeIndex({ root, globs: request.globs, ...(options.maxFileBytes === undefined ? {} : { maxFileBytes: options.maxFileBytes }) });
        entry = { index, refreshedAt: Number.NEGATIVE_INFINITY };
        indexes.set(key, entry);
      }
      if (now() - entry.refreshedAt >= interval) {
        await entry.index.refresh();
        entry.refreshedAt = now();
      }
      return selectKnowledge(entry.index, request.query, { role: request.role, tokenBudget });
    },
  };
}
