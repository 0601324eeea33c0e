/**
 * start_workflow: record a new workflow and drive it to its first wait. The seed's
 * `user_requirements` and `documentation_location` are accepted beside Converge's names.
 */
import { z } from 'zod';
import { BudgetSchema } from '../../../core/definition-schema.js';
import { ConvergeError } from '../../../core/errors.js';
import { advanceAndDescribe, reportText } from '../advance.js';
import type { McpContext } from '../mcp-context.js';
import { guarded, ok } from '../tool-results.js';

const inputSchema = {
  requirements: z.string().describe('What to build, in plain words or markdown. Required unless user_requirements is given.').optional(),
  user_requirements: z.string().describe("The seed's name for requirements; used when requirements is absent.").optional(),
  workspace: z
    .string()
    .describe("The project directory the agents work in, inside the server's workspace root (its working directory unless started with --workspace-root); relative paths resolve against that root. Default: the root.")
    .optional(),
  definition: z.string().describe('A workflow definition: a built-in name (seven-step) or a YAML/JSON path. Default: converge.yaml\'s.').optional(),
  profile: z.string().describe('A profile (typescript, cursus, or a path); it supplies the checks. Default: converge.yaml\'s.').optional(),
  step_type: z.string().describe("The task type, e.g. the seed's step_type (Processing, Training, …).").optional(),
  documentation_location: z.string().describe('One documentation glob or folder the agents should read.').optional(),
  documentation_locations: z.array(z.string()).describe('Documentation globs or folders the agents should read.').optional(),
  agent_mode: z
    .enum(['host', 'configured'])
    .default('host')
    .describe('host: you (the calling agent) do every step and submit the results; configured: the agents of converge.yaml do.'),
  edits_in_place: z
    .boolean()
    .default(true)
    .describe(
      'agent_mode host: true (default) if you edit files in the workspace yourself, as Claude Code, Codex and Cursor do: Converge snapshots the ' +
        'workspace when a code step begins and records what you changed when you submit a summary. false: you return every file as "# File:" blocks.',
    ),
  auto_approve: z.boolean().default(false).describe('Approve every gate automatically; recorded as such. Needs the approver role. Default false.'),
  name: z.string().describe('A short name for the workflow.').optional(),
  budget: BudgetSchema.describe("Replaces the definition's budget limit by limit: max_cost_usd, max_tokens, max_duration (seconds or 90m, 2h). Reaching it escalates to a person.").optional(),
  workflow_id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$/, 'letters, digits, ".", "_" or "-", 3 to 64 characters')
    .describe('An id of your choosing; default: a generated wf-… id.')
    .optional(),
};

export function registerStartWorkflowTool(ctx: McpContext): void {
  ctx.server.registerTool(
    'start_workflow',
    {
      title: 'Start a workflow',
      description:
        'Start the plan → validate → implement → check workflow for some requirements in a workspace. With agent_mode "host" (the default) ' +
        'every step waits for you: the result includes the first step\'s prompt; do the work and call submit_step_result.',
      inputSchema,
    },
    (input, extra) =>
      guarded(ctx.log, 'start_workflow', async () => {
        const requirements = input.requirements ?? input.user_requirements;
        if (requirements === undefined || requirements.trim() === '') {
          throw new ConvergeError('USAGE', 'requirements (or user_requirements) is missing or empty.', { hint: 'Say what to build in requirements.' });
        }
        const docs = [...(input.documentation_location ? [input.documentation_location] : []), ...(input.documentation_locations ?? [])];
        // The role, the workspace root, where a definition may come from and the audit row: the shared access layer's.
        const state = await ctx.access.start(ctx.callerFor(extra), {
          requirements,
          workspace: input.workspace ?? '.',
          ...(input.definition !== undefined ? { definition: input.definition } : {}),
          ...(input.profile !== undefined ? { profile: input.profile } : {}),
          ...(input.step_type !== undefined ? { taskType: input.step_type } : {}),
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.workflow_id !== undefined ? { id: input.workflow_id } : {}),
          documentationLocations: docs,
          autoApprove: input.auto_approve,
          agentMode: input.agent_mode,
          editsInPlace: input.edits_in_place,
          ...(input.budget !== undefined ? { budget: input.budget } : {}),
        });
        // Its state and log resources now exist.
        ctx.server.sendResourceListChanged();
        const report = await advanceAndDescribe(ctx, state.workflowId, extra);
        return ok(report, reportText(report, `Started workflow ${state.workflowId} (${state.definition.id}, agent mode ${input.agent_mode}).`));
      }),
  );
}
