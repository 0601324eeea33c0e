/**
 * Converge as an MCP server (official SDK): tools to start, drive, approve, resume, cancel and
 * fork workflows; resources for their state, log, artifacts, reports, pending approvals,
 * criteria and templates; one prompt per step template.
 *
 * A host-driven run: start_workflow → get_next_action (the rendered prompt) → the client's own
 * model does the step → submit_step_result → … Each state-changing tool drives the workflow to
 * its next wait before it answers (within a budget; see advance.ts), and a gate reached on the
 * way is asked through elicitation when the client declares it.
 *
 * Transports live apart: stdio.ts and streamable-http.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { PACKAGE_ROOT } from '../../workflows/builtin-files.js';
import { createContext } from './mcp-context.js';
import type { McpServerOptions } from './mcp-context.js';
import { registerDefinitionResources } from './resources/definition-resources.js';
import { enableSubscriptions } from './resources/resource-subscriptions.js';
import { registerWorkflowResources } from './resources/workflow-resources.js';
import { registerReviewResources } from './resources/review-resources.js';
import { registerTemplatePrompts } from './template-prompts.js';
import { registerAnswerEscalationTool } from './tools/answer-escalation.js';
import { registerCancelWorkflowTool } from './tools/cancel-workflow.js';
import { registerCheckConvergenceCriteriaTool } from './tools/check-convergence-criteria.js';
import { registerForkWorkflowTool } from './tools/fork-workflow.js';
import { registerGetNextActionTool } from './tools/get-next-action.js';
import { registerGetWorkflowStatusTool } from './tools/get-workflow-status.js';
import { registerListWorkflowsTool } from './tools/list-workflows.js';
import { registerRespondToApprovalTool } from './tools/respond-to-approval.js';
import { registerResumeWorkflowTool } from './tools/resume-workflow.js';
import { registerRunChecksTool } from './tools/run-checks.js';
import { registerStartWorkflowTool } from './tools/start-workflow.js';
import { registerSubmitStepResultTool } from './tools/submit-step-result.js';
import { WorkflowDriver } from './workflow-driver.js';

export type { McpServerOptions } from './mcp-context.js';

const INSTRUCTIONS = `Converge runs a seven-step plan → validate → implement → check workflow with numeric convergence criteria and human approvals, recorded in a durable log.
Host-driven use (agent_mode "host", the default): start_workflow, then repeat: get_next_action → do the step it describes (its prompts say exactly what to produce) → submit_step_result with the step_number it names.
At an approval, ask the user, then respond_to_approval. Poll get_next_action while a result says status "running".`;

export function createMcpServer(options: McpServerOptions): McpServer {
  const server = new McpServer(
    { name: 'converge', title: 'Converge', version: packageVersion() },
    {
      capabilities: { tools: {}, resources: { subscribe: true, listChanged: true }, prompts: {} },
      instructions: INSTRUCTIONS,
    },
  );
  const ownDriver = options.driver === undefined;
  const driver = options.driver ?? new WorkflowDriver(options.engine.runner, options.log);
  const ctx = createContext(server, driver, options);

  registerStartWorkflowTool(ctx);
  registerListWorkflowsTool(ctx);
  registerGetWorkflowStatusTool(ctx);
  registerGetNextActionTool(ctx);
  registerSubmitStepResultTool(ctx);
  registerRunChecksTool(ctx);
  registerCheckConvergenceCriteriaTool(ctx);
  registerRespondToApprovalTool(ctx);
  registerAnswerEscalationTool(ctx);
  registerResumeWorkflowTool(ctx);
  registerCancelWorkflowTool(ctx);
  registerForkWorkflowTool(ctx);

  registerWorkflowResources(ctx);
  registerReviewResources(ctx);
  registerDefinitionResources(ctx);
  const subscriptions = enableSubscriptions(ctx);
  registerTemplatePrompts(ctx);

  const previous = server.server.onclose;
  server.server.onclose = () => {
    subscriptions.close();
    // A driver shared by several sessions belongs to its owner; runs of a session's own driver stop at a safe point.
    if (ownDriver) driver.close();
    previous?.();
  };
  return server;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
