/**
 * MCP over Streamable HTTP mounted at /mcp of the app (`serve --mcp`). The app authenticates
 * the caller before the request reaches MCP; the MCP handler's own `authorize` hook then passes
 * the caller's name and role on, so each tool is held to the same access rules as HTTP and MCP
 * actions are recorded under the token's name.
 */
import type { Engine } from '../../engine/create-engine.js';
import type { Principal } from '../../ops/index.js';
import type { ProjectConfig } from '../../workflows/project-config.js';
import { createMcpHttpHandler } from '../mcp/streamable-http.js';
import type { AuditSink } from '../shared/workflow-access.js';
import type { FetchHandler } from './app-env.js';

export interface McpMount extends FetchHandler {
  close(): Promise<void>;
}

/**
 * `engine` should be an engine of its own (not the one the worker uses): its runner then holds
 * workflow leases under another owner, so MCP-driven runs and the worker never run a workflow twice.
 */
export interface McpMountOptions {
  /** The app's audit trail: MCP starts, answers, cancels and forks are written to it with `via: mcp`. */
  audit?: AuditSink;
  /** The app's workspace root, which MCP starts obey as HTTP starts do. */
  workspaceRoot?: string;
}

export function createMcpMount(engine: Engine, project: { config: ProjectConfig; baseDir: string }, host: string, options: McpMountOptions = {}): McpMount {
  const callers = new WeakMap<Request, Principal>();
  const handler = createMcpHttpHandler({
    engine,
    host,
    project,
    ...(options.audit !== undefined ? { audit: options.audit } : {}),
    ...(options.workspaceRoot !== undefined ? { workspaceRoot: options.workspaceRoot } : {}),
    // Each caller's own role travels with the request; the access layer checks it per tool.
    authorize: (request) => {
      const principal = callers.get(request);
      if (principal === undefined) return { actor: 'mcp-client', role: 'viewer' };
      return { actor: principal.name, role: principal.role, ...(principal.tokenId !== null ? { tokenId: principal.tokenId } : {}) };
    },
  });
  return {
    fetch(request, principal) {
      callers.set(request, principal);
      return handler.fetch(request);
    },
    close: () => handler.close(),
  };
}
