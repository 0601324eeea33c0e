/**
 * An engine on a memory store with a copy of the crash fixture's project as workspace, and SDK
 * clients connected to Converge's MCP server over the SDK's in-memory transport pair.
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult, ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { createEngine } from '../../../src/engine/create-engine.js';
import type { Engine } from '../../../src/engine/create-engine.js';
import { createMcpServer } from '../../../src/interfaces/mcp/mcp-server.js';
import type { McpServerOptions } from '../../../src/interfaces/mcp/mcp-server.js';
import { openStore } from '../../../src/store/index.js';
import { ProjectConfigSchema } from '../../../src/workflows/project-config.js';

export const FIXTURE = resolve(import.meta.dirname, '..', '..', 'fixtures', 'crash');

export function output(name: string): string {
  return readFileSync(join(FIXTURE, 'outputs', name), 'utf8');
}

export interface Kit {
  engine: Engine;
  workspace: string;
  connect(options?: { name?: string; capabilities?: ClientCapabilities }): Promise<Client>;
  close(): Promise<void>;
}

export async function createKit(options: Partial<Omit<McpServerOptions, 'engine'>> & { checks?: unknown[] } = {}): Promise<Kit> {
  const workspace = mkdtempSync(join(tmpdir(), 'converge-mcp-'));
  cpSync(join(FIXTURE, 'project'), workspace, { recursive: true });
  const store = await openStore(':memory:');
  const config = ProjectConfigSchema.parse({
    checks: options.checks ?? [{ id: 'value', command: ['node', 'check.mjs'], required: true }],
    agents: { default: { provider: 'external' } },
  });
  const engine = createEngine({ store, config, baseDir: workspace });
  const clients: Client[] = [];
  const { checks: _checks, ...serverOptions } = options;
  return {
    engine,
    workspace,
    async connect(client = {}) {
      const server = createMcpServer({ ...serverOptions, engine, project: { config, baseDir: workspace } });
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      const c = new Client({ name: client.name ?? 'test-client', version: '1.0.0' }, { capabilities: client.capabilities ?? {} });
      await server.connect(serverSide);
      await c.connect(clientSide);
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await store.close();
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Structured = Record<string, any>;

export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult & { structured: Structured }> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  return { ...result, structured: (result.structuredContent ?? {}) as Structured };
}

/** Calls a tool that must succeed and returns its structured result. */
export async function must(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Structured> {
  const result = await call(client, name, args);
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structured;
}

export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}
