/**
 * Knowledge search: the documentation an agent call would get for a query, within its token
 * budget. The folder searched is a workflow's workspace or the server's workspace root, never a
 * path from the request.
 */
import type { Hono } from 'hono';
import { KnowledgeIndex, selectKnowledge } from '../../../knowledge/index.js';
import { loadState } from '../../../engine/workflow-log.js';
import type { AppDeps, AppEnv } from '../app-env.js';
import { requireRole } from '../middleware/require-role/index.js';
import { KnowledgeQuerySchema } from '../schemas.js';
import { readQuery } from './route-helpers.js';

const DEFAULT_GLOBS = ['README.md', 'docs/**/*.md'];

export function registerKnowledgeRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get('/api/knowledge/search', requireRole('viewer', deps.audit), async (c) => {
    const q = readQuery(c, KnowledgeQuerySchema);
    let root = deps.workspaceRoot;
    let globs = deps.documentation.length > 0 ? deps.documentation : DEFAULT_GLOBS;
    if (q.workflow_id !== undefined) {
      const state = await loadState(deps.engine.store, q.workflow_id);
      root = state.workspace.path;
      if (state.documentationLocations.length > 0) globs = state.documentationLocations;
    }
    const index = new KnowledgeIndex({ root, globs });
    const refreshed = await index.refresh();
    const selection = selectKnowledge(index, q.q, { role: q.role, ...(q.budget !== undefined ? { tokenBudget: q.budget } : {}) });
    return c.json({
      query: q.q,
      role: q.role,
      budget: selection.budget,
      tokens: selection.tokens,
      files_indexed: refreshed.files,
      chunks: selection.chunks.map(({ path, title, score, tokens, startLine, endLine }) => ({ path, title, score, tokens, start_line: startLine, end_line: endLine })),
      text: selection.text,
    });
  });
}
