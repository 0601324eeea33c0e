/**
 * Converge's MCP server over stdio, for clients that start it as a subprocess (Claude Code,
 * Cursor, VS Code …). stdout carries the protocol and nothing else: diagnostics go to stderr.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Engine } from '../../engine/create-engine.js';
import { createMcpServer } from './mcp-server.js';
import type { McpServerOptions } from './mcp-server.js';

export type StdioServerOptions = Omit<McpServerOptions, 'engine'>;

/** Serves until the client closes stdin (or the process is asked to stop). */
export async function runStdioServer(engine: Engine, options: StdioServerOptions = {}): Promise<void> {
  const log = options.log ?? ((message: string) => process.stderr.write(`converge mcp: ${message}\n`));
  // A stray console.log anywhere in the process would corrupt the protocol stream.
  console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args);
  const server = createMcpServer({ ...options, engine, log });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    const previous = transport.onclose;
    transport.onclose = () => {
      previous?.();
      resolve();
    };
  });
  // The SDK's stdio transport does not notice the end of stdin; the client closing it is the end of the session.
  const stop = () => void server.close().catch(() => undefined);
  process.stdin.once('end', stop);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await server.connect(transport);
  log(`serving ${engine.store.location} over stdio`);
  try {
    await closed;
  } finally {
    process.stdin.off('end', stop);
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
}
