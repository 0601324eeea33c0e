/**
 * list_workflows: the store's workflows, newest first, with what each waits for.
 */
import { z } from 'zod';
import type { McpContext } from '../mcp-context.js';
import { guarded, ok } from '../tool-results.js';

const STATUSES = ['running', 'waiting_for_human', 'completed', 'rejected', 'failed', 'cancelled'] as const;

const inputSchema = {
  status: z.array(z.enum(STATUSES)).describe('Only workflows with one of these statuses. Default: all.').optional(),
  limit: z.number().int().min(1).max(200).default(20).describe('How many workflows to return (1–200, default 20).'),
  offset: z.number().int().min(0).default(0).describe('How many of the newest to skip, for paging (default 0).'),
};

export function registerListWorkflowsTool(ctx: McpContext): void {
  ctx.server.registerTool(
    'list_workflows',
    {
      title: 'List workflows',
      description: 'The workflows in the store, newest first: id, status, phase, current step and what each waits for.',
      inputSchema,
      annotations: { readOnlyHint: true },
    },
    (input) =>
      guarded(ctx.log, 'list_workflows', async () => {
        const rows = await ctx.engine.store.listWorkflows({ ...(input.status ? { status: [...input.status] } : {}), limit: input.limit, offset: input.offset });
        const workflows = rows.map((r) => ({
          workflow_id: r.id,
          name: r.name,
          status: r.status,
          phase: r.phase,
          current_step: r.currentStep,
          waiting_for: r.waitingFor,
          requirements: r.requirements.slice(0, 200),
          created_at: r.createdAt,
          updated_at: r.updatedAt,
        }));
        const text =
          workflows.length === 0
            ? 'No workflows yet. Start one with start_workflow.'
            : workflows
                .map((w) => `${w.workflow_id}  ${w.status}  ${w.phase}  step ${w.current_step ?? '-'}${w.waiting_for ? `  waiting for ${w.waiting_for}` : ''}  ${w.requirements.replace(/\s+/g, ' ').slice(0, 60)}`)
                .join('\n');
        return ok({ workflows }, text);
      }),
  );
}
