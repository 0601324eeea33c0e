/**
 * What every tool, resource and prompt of the MCP server shares: the engine, the per-workflow
 * driver, the time budgets, and who the caller is.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Actor } from '../../core/events.js';
import type { Engine } from '../../engine/create-engine.js';
import type { ProjectConfig } from '../../workflows/project-config.js';
import type { WorkflowDriver } from './workflow-driver.js';

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface McpServerOptions {
  engine: Engine;
  /** Who approves through this server; default: the client's name from `initialize`. */
  actor?: string;
  /** Shared by the sessions of one HTTP server, so runs of a workflow never overlap. */
  driver?: WorkflowDriver;
  /** converge.yaml as loaded, so start_workflow can apply a `definition`/`profile` override. */
  project?: { config: ProjectConfig; baseDir: string };
  /**
   * How long a state-changing tool waits for the workflow to reach its next wait before it
   * returns `status: running` and lets the client poll. Well under the 60 s most clients allow.
   */
  runBudgetMs?: number;
  /** How long an approval asked through elicitation may stay unanswered before the call returns. */
  elicitTimeoutMs?: number;
  /** How often subscribed workflows are checked for changes. */
  pollMs?: number;
  /** Ask approvals through elicitation when the client declares it (default true). */
  elicitation?: boolean;
  /** Diagnostics; stdio servers must write these to stderr, never stdout. */
  log?: (message: string) => void;
}

export interface McpContext {
  engine: Engine;
  server: McpServer;
  driver: WorkflowDriver;
  project: { config: ProjectConfig; baseDir: string } | undefined;
  runBudgetMs: number;
  elicitTimeoutMs: number;
  pollMs: number;
  log: (message: string) => void;
  actorFor(extra: ToolExtra): Actor;
  /** The client declared form elicitation and the server may use it. */
  canElicit(): boolean;
}

export const DEFAULT_RUN_BUDGET_MS = 20_000;
export const DEFAULT_ELICIT_TIMEOUT_MS = 600_000;

export function createContext(server: McpServer, driver: WorkflowDriver, options: McpServerOptions): McpContext {
  const log = options.log ?? (() => undefined);
  return {
    engine: options.engine,
    server,
    driver,
    project: options.project,
    runBudgetMs: options.runBudgetMs ?? DEFAULT_RUN_BUDGET_MS,
    elicitTimeoutMs: options.elicitTimeoutMs ?? DEFAULT_ELICIT_TIMEOUT_MS,
    pollMs: options.pollMs ?? 500,
    log,
    actorFor(extra) {
      // Over HTTP the authorizer names the caller (a token's name); otherwise the client does.
      const fromAuth = extra.authInfo?.extra?.actor;
      const id = typeof fromAuth === 'string' && fromAuth !== '' ? fromAuth : options.actor ?? server.server.getClientVersion()?.name ?? 'mcp-client';
      return { id, via: 'mcp' };
    },
    canElicit() {
      const declared = server.server.getClientCapabilities()?.elicitation;
      // An empty `elicitation: {}` is the 2025-06-18 form of "form mode supported".
      return options.elicitation !== false && declared !== undefined && (declared.form !== undefined || Object.keys(declared).length === 0);
    },
  };
}
