/**
 * One MCP prompt per step template (built-in, or the project's templates_dir). Arguments fill the
 * template's variables; with workflow_id they start from that workflow's record, so a client can
 * preview exactly what a step would be asked.
 */
import { readdirSync } from 'node:fs';
import { extname } from 'node:path';
import { z } from 'zod';
import type { StepRun } from '../../core/state.js';
import { promptInputs } from '../../engine/prompt-inputs.js';
import { promptAgentFor } from '../../engine/in-place.js';
import { loadState } from '../../engine/workflow-log.js';
import { isTemplateFileName, sameTemplate } from '../../templates/index.js';
import type { TemplateVars } from '../../templates/index.js';
import type { McpContext } from './mcp-context.js';


// `.describe()` goes on the optional wrapper: prompt arguments take their description from the outer schema.
const argsSchema = {
  workflow_id: z.string().optional().describe("Start from this workflow's record (requirements, plan, latest report, checks …)."),
  requirements: z.string().optional().describe('What to build.'),
  step_type: z.string().optional().describe("The task type (the seed's step_type)."),
  plan: z.string().optional().describe('The implementation plan (markdown).'),
  code: z.string().optional().describe('The current files as "# File:" blocks.'),
  validation_report: z.string().optional().describe('The latest validation report (markdown).'),
  original_artifact: z.string().optional().describe('The previous version of the artifact being revised.'),
  check_results: z.string().optional().describe('The deterministic check results (markdown).'),
  change_requests: z.string().optional().describe('Change requests from a human, one per line.'),
  documentation_locations: z.string().optional().describe('Documentation globs or folders, one per line.'),
  workspace_path: z.string().optional().describe('The workspace directory.'),
};

/** Template file names, found synchronously so the prompts exist before the client first lists them. */
export function templateNames(directories: readonly string[]): string[] {
  const names = new Set<string>();
  for (const dir of directories) {
    let entries: string[] = [];
    try {
      entries = readdirSync(dir);
    } catch {
      // A configured templates directory that does not exist yet has no templates.
    }
    for (const entry of entries) if (isTemplateFileName(entry)) names.add(entry);
  }
  return [...names].sort();
}

export function registerTemplatePrompts(ctx: McpContext): void {
  const renderer = ctx.engine.executor.templates;
  for (const file of templateNames(renderer.directories)) {
    const name = file.slice(0, -extname(file).length);
    // A team's file under an alias (the parent's step5a_three_level_…) is the prompt of the step naming it otherwise.
    const steps = ctx.engine.definition.steps.filter((s) => s.templates.some((t) => sameTemplate(t, file)));
    ctx.server.registerPrompt(
      name,
      {
        title: name.replace(/_/g, ' '),
        description: steps.length > 0 ? `The prompt of step ${steps.map((s) => `${s.number} (${s.id})`).join(', ')}.` : `The ${file} template.`,
        argsSchema,
      },
      async (args) => {
        const vars: TemplateVars = args.workflow_id !== undefined ? await fromWorkflow(ctx, args.workflow_id, file) : {};
        const lines = (v: string | undefined) => v?.split('\n').map((l) => l.trim()).filter((l) => l !== '');
        const given: TemplateVars = {
          ...(args.requirements !== undefined ? { requirements: args.requirements } : {}),
          ...(args.step_type !== undefined ? { step_type: args.step_type } : {}),
          ...(args.plan !== undefined ? { plan: args.plan } : {}),
          ...(args.code !== undefined ? { code: args.code } : {}),
          ...(args.validation_report !== undefined ? { validation_report: args.validation_report } : {}),
          ...(args.original_artifact !== undefined ? { original_artifact: args.original_artifact } : {}),
          ...(args.check_results !== undefined ? { check_results: args.check_results } : {}),
          ...(args.change_requests !== undefined ? { change_requests: lines(args.change_requests) } : {}),
          ...(args.documentation_locations !== undefined ? { documentation_locations: lines(args.documentation_locations) } : {}),
          ...(args.workspace_path !== undefined ? { workspace: { type: 'shared', path: args.workspace_path } } : {}),
        };
        const text = await renderer.render(file, { ...vars, ...given });
        return { description: `${file} rendered`, messages: [{ role: 'user', content: { type: 'text', text } }] };
      },
    );
  }
}

/** The inputs the template's step would get now: its current run, else a fresh run of that step. */
async function fromWorkflow(ctx: McpContext, workflowId: string, template: string): Promise<TemplateVars> {
  const state = await loadState(ctx.engine.store, workflowId);
  const step = state.definition.steps.find((s) => s.templates.some((t) => sameTemplate(t, template))) ?? state.definition.steps[0]!;
  const current = state.runs.at(-1);
  const run: StepRun =
    current !== undefined && current.stepId === step.id
      ? current
      : {
          actionId: `${workflowId}.preview`,
          stepId: step.id,
          stepNumber: step.number,
          role: step.role,
          attempt: 1,
          status: 'scheduled',
          scheduledAt: state.updatedAt,
          timeoutMs: state.definition.timeouts.step_s * 1000,
          changeRequests: [],
          usage: [],
          calls: 0,
        };
  // Worded for the workflow's agent, as get_next_action words it (in place once a code step has its snapshot).
  return promptInputs(state.definition, state, run, '', promptAgentFor(ctx.engine.executor.agentFor(step.role, 0, state), step, run));
}
