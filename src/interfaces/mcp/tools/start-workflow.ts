/**
 * start_workflow: record a new workflow and drive it to its first wait. The seed's
 * `user_requirements` and `documentation_location` are accepted beside Converge's names.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConvergeError } from '../../../core/errors.js';
import { startWorkflow } from '../../../engine/workflow-commands.js';
import { effectiveDefinition, loadDefinition, loadProfile } from '../../../workflows/loader.js';
import { ProjectConfigSchema } from '../../../workflows/project-config.js';
import { advanceAndDescribe, reportText } from '../advance.js';
import type { McpContext } from '../mcp-context.js';
import { guarded, ok } from '../tool-results.js';

const inputSchema = {
  requirements: z.string().describe('What to build, in plain words or markdown. Required unless user_requirements is given.').optional(),
  user_requirements: z.string().describe("The seed's name for requirements; used when requirements is absent.").optional(),
  workspace: z
    .string()
    .describe("The project directory the agents work in; relative paths resolve against the server's working directory. Default: that directory.")
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
  auto_approve: z.boolean().default(false).describe('Approve every gate automatically; recorded as such. Default false.'),
  name: z.string().describe('A short name for the workflow.').optional(),
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
        if (input.workflow_id !== undefined && (await ctx.engine.store.getWorkflow(input.workflow_id)) !== undefined) {
          throw new ConvergeError('ILLEGAL_ACTION', `A workflow ${input.workflow_id} already exists in this store.`, {
            hint: 'Choose another workflow_id, or leave it out to get a generated one.',
          });
        }
        const { definition, profile } = definitionFor(ctx, input.definition, input.profile);
        const docs = [...(input.documentation_location ? [input.documentation_location] : []), ...(input.documentation_locations ?? [])];
        const state = await startWorkflow(ctx.engine.store, ctx.engine.clock, {
          definition,
          requirements,
          workspace: { path: resolve(process.cwd(), input.workspace ?? '.'), type: 'shared' },
          profile,
          ...(input.step_type !== undefined ? { taskType: input.step_type } : {}),
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.workflow_id !== undefined ? { id: input.workflow_id } : {}),
          documentationLocations: [...new Set([...definition.knowledge, ...docs])],
          autoApprove: input.auto_approve,
          agentMode: input.agent_mode,
        });
        // Its state and log resources now exist.
        ctx.server.sendResourceListChanged();
        const report = await advanceAndDescribe(ctx, state.workflowId, extra);
        return ok(report, reportText(report, `Started workflow ${state.workflowId} (${definition.id}, agent mode ${input.agent_mode}).`));
      }),
  );
}

function definitionFor(ctx: McpContext, definition: string | undefined, profile: string | undefined) {
  if (definition === undefined && profile === undefined) return { definition: ctx.engine.definition, profile: ctx.engine.profile.id };
  const project = ctx.project ?? { config: ProjectConfigSchema.parse({}), baseDir: process.cwd() };
  const loadedProfile = loadProfile(profile ?? project.config.profile, project.baseDir);
  const loaded = loadDefinition(definition ?? project.config.definition, project.baseDir);
  return { definition: effectiveDefinition(loaded, loadedProfile, project.config), profile: loadedProfile.id };
}
