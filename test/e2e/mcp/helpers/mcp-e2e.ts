/**
 * Real MCP clients (the official SDK) against the built `converge` CLI: `converge mcp` over stdio
 * and `converge serve-mcp` over Streamable HTTP, on a temp copy of the crash fixture's project
 * whose agents are all external.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { BIN, ROOT } from '../../helpers/cli.js';

/** The real CLI entry, as a user's MCP client starts it. */
export const ENTRY = BIN;

export const OUTPUTS = join(ROOT, 'test', 'fixtures', 'crash', 'outputs');
export const output = (name: string) => readFileSync(join(OUTPUTS, name), 'utf8');

const CONFIG = `definition: seven-step
profile: typescript
checks:
  - { id: value, command: ["node", "check.mjs"], timeout_s: 30, required: true }
agents:
  default: { provider: external }
`;

export interface Project {
  dir: string;
  store: string;
  workspace: string;
}

/** A temp folder with converge.yaml, the store path and the workspace (`project/`). */
export function mcpProject(): Project {
  const dir = mkdtempSync(join(tmpdir(), 'converge-mcp-e2e-'));
  cpSync(join(ROOT, 'test', 'fixtures', 'crash', 'project'), join(dir, 'project'), { recursive: true });
  writeFileSync(join(dir, 'converge.yaml'), CONFIG);
  return { dir, store: join(dir, 's.db'), workspace: join(dir, 'project') };
}

export interface ClientOptions {
  name?: string;
  capabilities?: ClientCapabilities;
}

export async function connectStdio(project: Project, options: ClientOptions = {}): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ENTRY, '--store', project.store, 'mcp'],
    cwd: project.dir,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: options.name ?? 'e2e-stdio', version: '1.0.0' }, { capabilities: options.capabilities ?? {} });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

export interface HttpServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** `converge serve-mcp --port 0` in the project folder; resolves once it prints its URL. */
export async function startHttpServer(project: Project, args: string[] = []): Promise<HttpServer> {
  const child = spawn(process.execPath, [ENTRY, '--store', project.store, '--json', 'serve-mcp', '--port', '0', ...args], {
    cwd: project.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`serve-mcp exited with ${code}: ${stderr}`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  return {
    url,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function connectHttp(url: string, token: string | undefined, options: ClientOptions = {}): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: options.name ?? 'e2e-http', version: '1.0.0' }, { capabilities: options.capabilities ?? {} });
  await client.connect(transport);
  return client;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Structured = Record<string, any>;

export async function must(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Structured> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return (result.structuredContent ?? {}) as Structured;
}
