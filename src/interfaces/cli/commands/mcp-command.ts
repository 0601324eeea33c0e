/**
 * mcp, serve-mcp: Converge as an MCP server — on stdio for a client that starts it as a
 * subprocess, or on Streamable HTTP for clients that connect to a URL.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { portNumber } from '../number-flags.js';
import { buildEngine, cliProject, globalOptions, loadConfig, openCliStore } from '../cli-context.js';
import { auditFromCli } from './serve-commands.js';

interface ServeFlags {
  port: number;
  host: string;
  token?: string;
  auth: boolean;
  allowOrigin?: string[];
  allowHost?: string[];
  workspaceRoot?: string;
}

const WORKSPACE_ROOT_HELP = 'workflows started over MCP must use a folder inside this one (default: here)';

export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description('serve Converge over MCP on stdio (for Claude Code, Cursor, VS Code …); stdout carries the protocol, logs go to stderr')
    .option('--workspace-root <dir>', WORKSPACE_ROOT_HELP)
    .action(async (flags: { workspaceRoot?: string }, command: Command) => {
      // The MCP SDK is imported when an MCP command runs, not by every command.
      const { runStdioServer } = await import('../../mcp/stdio.js');
      const options = globalOptions(command);
      const loaded = loadConfig(options);
      const store = await openCliStore(options, { create: true });
      const engine = buildEngine(store, loaded);
      await runStdioServer(engine, {
        project: { config: loaded.config, baseDir: loaded.baseDir },
        workspaceRoot: resolve(flags.workspaceRoot ?? cliProject().root),
        audit: { record: (entry) => auditFromCli(store, options, entry) },
      });
    });

  program
    .command('serve-mcp')
    .description('serve Converge over MCP Streamable HTTP at /mcp (bearer token required unless --no-auth on 127.0.0.1)')
    .option('--port <n>', 'the port (0 picks a free one)', portNumber(), 8765)
    .option('--host <host>', 'the address to bind', '127.0.0.1')
    .option('--token <token>', 'the bearer token clients must send (default $CONVERGE_MCP_TOKEN)')
    .option('--no-auth', 'accept requests without a token (loopback hosts only)')
    .option('--allow-origin <origin...>', 'browser origins allowed besides localhost')
    .option('--allow-host <name...>', 'Host header names served besides loopback names and --host (e.g. a proxy\'s name)')
    .option('--workspace-root <dir>', WORKSPACE_ROOT_HELP)
    .action(async (flags: ServeFlags, command: Command) => {
      const { serveMcpHttp } = await import('../../mcp/streamable-http.js');
      const options = globalOptions(command);
      const loaded = loadConfig(options);
      const store = await openCliStore(options, { create: true });
      const engine = buildEngine(store, loaded);
      const token = flags.token ?? process.env.CONVERGE_MCP_TOKEN;
      const server = await serveMcpHttp({
        engine,
        project: { config: loaded.config, baseDir: loaded.baseDir },
        host: flags.host,
        port: flags.port,
        workspaceRoot: resolve(flags.workspaceRoot ?? cliProject().root),
        audit: { record: (entry) => auditFromCli(store, options, entry) },
        ...(token !== undefined ? { token } : {}),
        noAuth: !flags.auth,
        ...(flags.allowOrigin !== undefined ? { allowedOrigins: flags.allowOrigin } : {}),
        ...(flags.allowHost !== undefined ? { allowedHosts: flags.allowHost } : {}),
        log: (message) => process.stderr.write(`converge serve-mcp: ${message}\n`),
      });
      if ((flags.host === '0.0.0.0' || flags.host === '::') && flags.allowHost === undefined) {
        process.stderr.write('converge serve-mcp: only loopback Host names are served; clients that connect by another name or address need --allow-host <name>.\n');
      }
      process.stdout.write(
        options.json
          ? `${JSON.stringify({ url: server.url, port: server.port })}\n`
          : `Converge MCP server on ${server.url} (store ${store.location}${flags.auth ? '' : ', no auth'}). Ctrl-C stops it.\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => void server.close().finally(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
