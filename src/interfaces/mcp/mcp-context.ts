/**
 * What every tool, resource and prompt of the MCP server shares: the engine, the per-workflow
 * driver, the time budgets, and who the caller is.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Actor } from '../../core/events.js';
import type { Engine } from '../../engine/create-engine.js';
import type { Role } from '../../ops/auth/roles.js';
import { isRole } from '../../ops/auth/roles.js';
import type { ProjectConfig } from '../../workflows/project-config.js';
import { WorkflowAccess } from '../shared/workflow-access.js';
import type { AuditSink, Caller } from '../shared/workflow-access.js';
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
  /** Where starts, answers, cancels and forks are recorded with the actor and `via: mcp`. */
  audit?: AuditSink;
  /** Workspaces of started workflows must lie inside this folder; the CLI's servers default it to their working directory. */
  workspaceRoot?: string;
  /**
   * The role of a caller whose request names none. Over HTTP the authorizer names each caller's
   * role; on stdio the caller is the local user who started the server, as on the CLI.
   */
  defaultRole?: Role;
  /** The shared access layer; built from the options above when not given. */
  access?: WorkflowAccess;
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
  /** The rules every interface shares: roles, the workspace root, definition sources, audit rows. */
  access: WorkflowAccess;
  actorFor(extra: ToolExtra): Actor;
  /** The caller with their role, for the access layer. */
  callerFor(extra: ToolExtra): Caller;
  /** The client declared form elicitation and the server may use it. */
  canElicit(): boolean;
}

export const DEFAULT_RUN_BUDGET_MS = 20_000;
export const DEFAULT_ELICIT_TIMEOUT_MS = 600_000;

export function createContext(server: McpServer, driver: WorkflowDriver, options: McpServerOptions): McpContext {
  const log = options.log ?? (() => undefined);
  const access =
    options.access ??
    new WorkflowAccess({
      store: options.engine.store,
      clock: options.engine.clock,
      engine: options.engine,
      ...(options.workspaceRoot !== undefined ? { workspaceRoot: options.workspaceRoot } : {}),
      // converge.yaml's folder holds the project's own definitions; nothing else is loaded from disk.
      definitionRoots: [options.project?.baseDir ?? process.cwd()],
      ...(options.audit !== undefined ? { audit: options.audit } : {}),
      ...(options.project !== undefined ? { project: options.project } : {}),
      onAuditError: (error) => log(`the audit trail was not written: ${error instanceof Error ? error.message : String(error)}`),
    });
  const actorFor = (extra: ToolExtra): Actor => {
    // Over HTTP the authorizer names the caller (a token's name); otherwise the client does.
    const fromAuth = extra.authInfo?.extra?.actor;
    const id = typeof fromAuth === 'string' && fromAuth !== '' ? fromAuth : options.actor ?? server.server.getClientVersion()?.name ?? 'mcp-client';
    return { id, via: 'mcp' };
  };
  return {
    access,
    callerFor(extra) {
      const role = extra.authInfo?.extra?.role;
      const tokenId = extra.authInfo?.extra?.tokenId;
      return {
        name: actorFor(extra).id,
        role: isRole(role) ? role : (options.defaultRole ?? 'admin'),
        via: 'mcp',
        ...(typeof tokenId === 'string' ? { tokenId } : {}),
      };
    },
    engine: options.engine,
    server,
    driver,
    project: options.project,
    runBudgetMs: options.runBudgetMs ?? DEFAULT_RUN_BUDGET_MS,
    elicitTimeoutMs: options.elicitTimeoutMs ?? DEFAULT_ELICIT_TIMEOUT_MS,
    pollMs: options.pollMs ?? 500,
    log,
    actorFor,
    canElicit() {
      const declared = server.server.getClientCapabilities()?.elicitation;
      // An empty `elicitation: {}` is the 2025-06-18 form of "form mode supported".
      return options.elicitation !== false && declared !== undefined && (declared.form !== undefined || Object.keys(declared).length === 0);
    },
  };
}
