/**
 * Runs a workflow's deterministic checks now, in its workspace: only the commands of its
 * definition, never anything from the request. Advisory: nothing is recorded in the workflow.
 */
import type { Hono } from 'hono';
import { ConvergeError } from '../../../core/errors.js';
import { didYouMean } from '../../../core/messages.js';
import { loadState } from '../../../engine/workflow-log.js';
import type { AppDeps, AppEnv } from '../app-env.js';
import { requireAccess } from '../middleware/require-access/index.js';
import { requireRole } from '../middleware/require-role/index.js';
import { RunChecksSchema } from '../schemas.js';
import { readBody, workflowIdOf } from './route-helpers.js';

export function registerCheckRoutes(app: Hono<AppEnv>, deps: AppDeps): void {
  const { engine, audit } = deps;

  app.post('/api/workflows/:id/checks/run', requireAccess(deps.access, 'checks'), async (c) => {
    const id = workflowIdOf(c);
    const input = await readBody(c, RunChecksSchema);
    const state = await loadState(engine.store, id);
    const all = state.definition.checks;
    const unknown = (input.check_ids ?? []).filter((cid) => !all.some((check) => check.id === cid));
    if (unknown.length > 0) {
      throw new ConvergeError('USAGE', `check_ids: workflow ${id} has no check ${unknown.map((u) => `"${u}"${didYouMean(u, all.map((check) => check.id))}`).join(', ')}.`, {
        hint: `Its checks: ${all.map((check) => check.id).join(', ') || 'none'}.`,
        details: { field: 'check_ids' },
      });
    }
    const checks = input.check_ids ? all.filter((check) => input.check_ids!.includes(check.id)) : all;
    c.set('auditNote', { action: 'checks.run', target: id, details: { checks: checks.map((check) => check.id) } });
    const results = await engine.executor.runChecks(checks, state.workspace.path, c.req.raw.signal);
    const passed = results.filter((r) => r.required).every((r) => r.status === 'passed');
    c.set('auditNote', { action: 'checks.run', target: id, details: { checks: checks.map((check) => check.id), required_passed: passed } });
    return c.json({
      workflow_id: id,
      required_passed: passed,
      results: results.map((r) => ({
        id: r.toolId,
        status: r.status,
        required: r.required,
        level: r.level,
        summary: r.summary,
        coverage: r.coverage ?? null,
        duration_ms: r.durationMs,
        exit_code: r.exitCode ?? null,
        issues: r.issues.length,
        ...(r.output !== undefined && r.status !== 'passed' ? { output: r.output.slice(-4000) } : {}),
      })),
    });
  });
}
