/**
 * `run` and `start` ask whether the workflow's agents can run before the store is even opened,
 * so a missing key or CLI leaves no workflow and no store file behind (agents/agent-readiness.ts).
 */
import type { AgentsConfig } from '../../agents/agent-config.js';
import { assertAgentsReady } from '../../agents/agent-readiness.js';
import { loadDefinition } from '../../workflows/loader.js';
import type { ProjectConfig } from '../../workflows/project-config.js';

export function preflightAgents(config: ProjectConfig, agents: AgentsConfig | undefined, baseDir: string, workspace: string): void {
  const roles = loadDefinition(config.definition, baseDir).steps.map((step) => step.role);
  const warnings = assertAgentsReady(agents ?? config.agents, roles, { workspace });
  for (const warning of warnings) {
    process.stderr.write(`converge: warning: ${warning.message}; the workflow starts, and this agent fails if it is ever needed.\n`);
  }
}
