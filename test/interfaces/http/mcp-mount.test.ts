/**
 * `serve --mcp`: an MCP client (the official SDK) talks to /mcp of the running app with an
 * approver token; MCP actions are recorded under the token's name.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/engine/create-engine.js';
import { loadState } from '../../../src/engine/workflow-log.js';
import { createMcpMount } from '../../../src/interfaces/http/mcp-mount.js';
import { startHttpServer } from '../../../src/interfaces/http/serve-http.js';
import { loadProjectConfig } from '../../../src/workflows/loader.js';
import { createHttpKit } from './http-test-kit.js';

describe('/mcp on the HTTP server', () => {
  it('serves MCP tools to an approver token and records its approvals under the token name', async () => {
    const kit = await createHttpKit();
    const id = await kit.workflowAtPlanGate();
    const loaded = loadProjectConfig(kit.dir, 'converge-gates.yaml');
    const mcpEngine = createEngine({ store: kit.engine.store, config: loaded.config, baseDir: loaded.baseDir });
    const mcp = createMcpMount(mcpEngine, loaded, '127.0.0.1');
    const server = await startHttpServer({ engine: kit.engine, auth: kit.auth, audit: kit.audit, metrics: kit.metrics, mcp, port: 0, concurrency: 0 });
    const connect = async (token: string) => {
      const client = new Client({ name: 'mount-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
      return client;
    };
    try {
      await expect(connect(kit.tokens.viewer)).rejects.toThrow();
      const client = await connect(kit.tokens.approver);
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).toContain('respond_to_approval');
      const result = await client.callTool({ name: 'respond_to_approval', arguments: { workflow_id: id, decision: 'reject', comment: 'via mcp' } });
      expect(result.isError).toBeFalsy();
      const state = await loadState(kit.engine.store, id);
      expect(state.approvals.at(-1)).toMatchObject({ decision: 'reject', actor: { id: 'approver-user', via: 'mcp' } });
      await client.close();
    } finally {
      await mcp.close();
      await server.close();
      await kit.close();
    }
  }, 30_000);
});
