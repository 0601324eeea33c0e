/**
 * run_checks: run the workflow's deterministic checks (the commands of its definition, never
 * anything from the caller) in its workspace, now. Advisory: nothing is recorded — the checks a
 * validate step runs are the ones convergence reads.
 */
import { z } from 'zod';
import { ConvergeError } from '../../../core/errors.js';
import { didYouMean } from '../../../core/messages.js';
import { checkSummary } from '../../../engine/next-action.js';
import { formatToolResults } from '../../../engine/report-format.js';
import { loadState } from '../../../engine/workflow-log.js';
import type { McpContext } from '../mcp-context.js';
import { ROLE_NEEDED } from '../../shared/workflow-access.js';
import { startProgress } from '../progress.js';
import { guarded, ok } from '../tool-results.js';
import { workflowIdField } from './tool-fields.js';

const inputSchema = {
  workflow_id: workflowIdField,
  check_ids: z.array(z.string().min(1)).describe("Only these checks (ids from the definition). Default: all of them.").optional(),
};

export function registerRunChecksTool(ctx: McpContext): void {
  ctx.server.registerTool(
    'run_checks',
    {
      title: 'Run the checks',
      description:
        "Run the workflow's deterministic checks (compiler, tests … as configured) in its workspace and return their results. " +
        'Use it to see whether your changes pass before submitting; the result is not recorded in the workflow.',
      inputSchema,
      annotations: { idempotentHint: true, openWorldHint: false },
    },
    (input, extra) =>
      guarded(ctx.log, 'run_checks', async () => {
        // Checks run commands in the workspace: an operator's action, as over HTTP.
        await ctx.access.authorize(ctx.callerFor(extra), ROLE_NEEDED.checks, 'checks', input.workflow_id);
        const state = await loadState(ctx.engine.store, input.workflow_id);
        const all = state.definition.checks;
        const unknown = (input.check_ids ?? []).filter((id) => !all.some((c) => c.id === id));
        if (unknown.length > 0) {
          throw new ConvergeError('USAGE', `Workflow ${input.workflow_id} has no check ${unknown.map((u) => `"${u}"${didYouMean(u, all.map((c) => c.id))}`).join(', ')}.`, {
            hint: `Its checks: ${all.map((c) => c.id).join(', ') || 'none'}.`,
          });
        }
        const checks = input.check_ids ? all.filter((c) => input.check_ids!.includes(c.id)) : all;
        const progress = startProgress(ctx, input.workflow_id, extra);
        let results;
        try {
          progress.say(`running ${checks.length} check(s) in ${state.workspace.path}`);
          results = await ctx.engine.executor.runChecks(checks, state.workspace.path, extra.signal);
        } finally {
          progress.stop();
        }
        const passed = results.filter((r) => r.required).every((r) => r.status === 'passed');
        const structured = {
          workflow_id: input.workflow_id,
          workspace: state.workspace.path,
          required_passed: passed,
          checks: results.map((r) => ({
            ...checkSummary(r),
            duration_ms: r.durationMs,
            exit_code: r.exitCode ?? null,
            issues: r.issues.length,
            ...(r.output !== undefined && r.status !== 'passed' ? { output: r.output.slice(-4000) } : {}),
          })),
        };
        return ok(structured, `${passed ? 'Every required check passed.' : 'A required check did not pass.'}\n${formatToolResults(results)}`);
      }),
  );
}
