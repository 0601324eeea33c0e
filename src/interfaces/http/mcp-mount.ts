/**
 * MCP over Streamable HTTP mounted at /mcp of the app (`serve --mcp`). The app authenticates
 * the caller (approver role or above) before the request reaches MCP; the MCP handler's own
 * `authorize` hook then only names the caller, so MCP actions are recorded under the token name.
 */
import type { Engine } from '../../engine/create-engine.js';
import type { Principal } from '../../ops/index.js';
import type { ProjectConfig } from '../../workflows/project-config.js';
import { createMcpHttpHandler } from '../mcp/streamable-http.js';
import type { FetchHandler } from './app-env.js';

export interface McpMount extends FetchHandler {
  close(): Promise<void>;
}

/**
 * `engine` should be an engine of its own (not the one the worker uses): its runner then holds
 * workflow leases under another owner, so MCP-driven runs and the worker never run a workflow twice.
 */
export function createMcpMount(engine: Engine, project: { config: ProjectConfig; baseDir: string }, host: string): McpMount {
  const callers = new WeakMap<Request, Principal>();
  const handler = createMcpHttpHandler({
    engine,
    host,
    project,
    authorize: (request) => ({ actor: callers.get(request)?.name ?? 'mcp-client' }),
  });
  return {
    fetch(request, principal) {
      callers.set(request, principal);
      return handler.fetch(request);
    },
    close: () => handler.close(),
  };
}
