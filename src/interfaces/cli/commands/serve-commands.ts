/**
 * serve, token, audit: Converge as a server (HTTP API, dashboard, /metrics, health and a worker
 * in one process), the tokens that let people and programs in, and the audit trail of what
 * they did. `serve` prints a one-time sign-in link for the person who started it, as Jupyter does.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConvergeError } from '../../../core/errors.js';
import { didYouMean } from '../../../core/messages.js';
import { isRole, ROLES } from '../../../ops/auth/roles.js';
import type { Audit, AuditRecordInput, Auth, OpsStore, Role } from '../../../ops/index.js';
import type { Store } from '../../../store/store.js';
import { buildEngine, cliActor, cliProject, globalOptions, loadConfig, openCliStore, storeLocation } from '../cli-context.js';
import type { GlobalOptions } from '../cli-context.js';
import { table } from '../show-format.js';
import { durationMs, portNumber, wholeNumber, wholeNumbers } from '../number-flags.js';
import { ActivityFeed } from '../../../engine/activity-feed.js';

// The HTTP server (Hono, the MCP SDK) and the ops services (pino, prom-client, pg) take about a
// second to load, so they are imported when one of these commands runs, not by every command.
const loadHttp = () => import('../../http/index.js');
const loadOps = () => import('../../../ops/index.js');

interface ServeFlags {
  port: number;
  host: string;
  auth: boolean;
  concurrency: number;
  metricsPublic?: boolean;
  mcp?: boolean;
  workspaceRoot?: string;
}

const LOGIN_TTL_MS = 3_600_000;

interface Ops {
  store: Store;
  ops: OpsStore;
  auth: Auth;
  audit: Audit;
}

/** The workflow store, the token and audit tables beside it, and the services over them. */
async function openOps(options: GlobalOptions, authEnabled = true, create = false): Promise<Ops> {
  const { createAudit, createAuth, openOpsStore } = await loadOps();
  const store = await openCliStore(options, { create });
  const ops = await openOpsStore(store, { url: storeLocation(options) });
  return { store, ops, auth: createAuth({ tokens: ops.tokens, enabled: authEnabled }), audit: createAudit(ops.auditLog) };
}

/**
 * Writes one audit row from a CLI command (an approval, an escalation answer) or from an MCP
 * server the CLI started, into the trail beside `store` (`via` defaults to cli). Never fails the
 * command: the decision is already recorded in the workflow log.
 */
export async function auditFromCli(store: Store, options: GlobalOptions, entry: Omit<AuditRecordInput, 'actor'> & { actor?: string }): Promise<void> {
  let ops: OpsStore | undefined;
  try {
    const { createAudit, openOpsStore } = await loadOps();
    ops = await openOpsStore(store, { url: storeLocation(options) });
    await createAudit(ops.auditLog).record({ actor: entry.actor ?? cliActor().id, action: entry.action, target: entry.target ?? null, details: { via: 'cli', ...entry.details } });
  } catch (error) {
    process.stderr.write(`converge: warning: the audit trail was not written: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    await ops?.close();
  }
}

/** A token's `--expires-in`: `30d`, `12h`, `90m`, `3600s` or plain seconds, in ms. */
export const parseDuration = durationMs('--expires-in', '90d');

function parseRole(value: string): Role {
  if (!isRole(value)) throw new ConvergeError('USAGE', `Unknown role "${value}"${didYouMean(value, ROLES)}.`, { hint: `Use one of: ${ROLES.join(', ')}.` });
  return value;
}

function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API, the dashboard, /metrics and health, with a worker that drives workflows')
    .option('--port <n>', 'the port (0 picks a free one)', portNumber(), 8080)
    .option('--host <host>', 'the address to bind (behind a TLS proxy, keep 127.0.0.1)', '127.0.0.1')
    .option('--no-auth', 'no tokens: everyone is admin (loopback hosts only)')
    .option('-c, --concurrency <n>', 'workflows the built-in worker drives at once (0: none)', wholeNumber('--concurrency', { example: 4 }), 8)
    .option('--metrics-public', 'serve /metrics without a token')
    .option('--mcp', 'also serve MCP (Streamable HTTP) at /mcp; each tool needs the same role as over HTTP')
    .option('--workspace-root <dir>', 'workflows started over HTTP or MCP must use a folder inside this one (default: here)')
    .action(async (flags: ServeFlags, command: Command) => {
      const [{ createMcpMount, isLoopbackHost, startHttpServer }, { assertTargetsUsable, createLogger, createMetrics, observeEvents, startNotifications }] = await Promise.all([loadHttp(), loadOps()]);
      const options = globalOptions(command);
      if (!flags.auth && !isLoopbackHost(flags.host)) {
        throw new ConvergeError('USAGE', `--no-auth is refused on ${flags.host}: anyone who can reach it would be admin.`, {
          hint: 'Bind to 127.0.0.1 (the default), or keep authentication on and sign in with the printed link.',
        });
      }
      const log = createLogger({ name: 'converge-serve' });
      const loaded = loadConfig(options);
      assertTargetsUsable(loaded.config.notify);
      const { store, ops, auth, audit } = await openOps(options, flags.auth, true);
      const metrics = createMetrics();
      // What the worker's command agents and checks do, for the dashboard's live activity (never recorded).
      const activity = new ActivityFeed();
      const engine = buildEngine(store, loaded, { onEvents: (state, events) => observeEvents(metrics, state, events), onProgress: activity.listener });
      // Its own engine, so its runs hold leases under another owner than the worker's.
      const workspaceRoot = flags.workspaceRoot ?? cliProject().root;
      const mcp = flags.mcp
        ? createMcpMount(buildEngine(store, loaded), { config: loaded.config, baseDir: loaded.baseDir }, flags.host, { audit, workspaceRoot })
        : undefined;
      const server = await startHttpServer({
        engine,
        auth,
        audit,
        metrics,
        log,
        host: flags.host,
        port: flags.port,
        concurrency: flags.concurrency,
        workspaceRoot,
        documentation: loaded.config.documentation,
        ready: () => ops.ping(),
        outbox: ops.outbox,
        activity,
        ...(flags.metricsPublic ? { metricsPublic: true } : {}),
        ...(mcp ? { mcp } : {}),
      });
      // A wildcard bind is reachable locally at 127.0.0.1, which is what the person at this terminal opens.
      const shownHost = flags.host === '0.0.0.0' || flags.host === '::' ? '127.0.0.1' : flags.host;
      const base = `http://${shownHost.includes(':') && !shownHost.startsWith('[') ? `[${shownHost}]` : shownHost}:${server.port}`;
      const notify = loaded.config.notify;
      const notifications = notify.length > 0 ? startNotifications({ store, outbox: ops.outbox, targets: notify, log, cwd: loaded.baseDir, linkBase: () => loaded.config.public_url ?? base }) : undefined;
      let loginUrl: string | undefined;
      if (flags.auth) {
        const me = cliActor().id;
        const login = await auth.issue({ role: 'admin', name: `${me} (serve)`, kind: 'login', ttlMs: LOGIN_TTL_MS, createdBy: me });
        await audit.record({ actor: me, action: 'token.create', target: login.record.id, details: { kind: 'login', role: 'admin', via: 'cli' } });
        loginUrl = `${base}/?token=${login.secret}`;
      } else {
        process.stderr.write('converge serve: warning: authentication is off; every local process and user is admin.\n');
      }
      if (flags.auth && !isLoopbackHost(flags.host)) {
        process.stderr.write(`converge serve: listening on ${flags.host} without TLS; put a TLS-terminating proxy in front (README: deployment).\n`);
      }
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ url: base, port: server.port, login_url: loginUrl ?? null, store: store.location })}\n`);
      } else {
        process.stdout.write(`Converge is serving ${base}/ (store ${store.location}, ${flags.concurrency} worker slot${flags.concurrency === 1 ? '' : 's'}${mcp ? ', MCP at /mcp' : ''}).\n`);
        if (loginUrl) process.stdout.write(`Sign in (the link works once, within an hour):\n\n    ${loginUrl}\n\nMore tokens: converge token create --role viewer|operator|approver|admin. Ctrl-C stops.\n`);
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      await mcp?.close();
      await notifications?.stop({ flushMs: 2_000 });
      await ops.close();
    });
}

function registerToken(program: Command): void {
  const token = program.command('token').description('API tokens: create (printed once), list, revoke');

  token
    .command('create')
    .description('create a token; its secret is printed once and only its hash is stored')
    .requiredOption('-r, --role <role>', `${ROLES.join(' | ')}`, parseRole)
    .option('-n, --name <name>', 'who or what uses it (default: the role)')
    .option('--expires-in <duration>', 'lifetime, e.g. 90d, 12h (default: until revoked)', parseDuration)
    .action(async (flags: { role: Role; name?: string; expiresIn?: number }, command: Command) => {
      const options = globalOptions(command);
      const { auth, audit, ops } = await openOps(options, true, true);
      const me = cliActor().id;
      const issued = await auth.issue({ role: flags.role, name: flags.name ?? flags.role, createdBy: me, ...(flags.expiresIn !== undefined ? { ttlMs: flags.expiresIn } : {}) });
      await audit.record({ actor: me, action: 'token.create', target: issued.record.id, details: { name: issued.record.name, role: flags.role, expires_at: issued.record.expiresAt, via: 'cli' } });
      await ops.close();
      if (options.json) process.stdout.write(`${JSON.stringify({ id: issued.record.id, name: issued.record.name, role: flags.role, expires_at: issued.record.expiresAt, token: issued.secret })}\n`);
      else process.stdout.write(`${issued.secret}\n`);
      if (!options.json) process.stderr.write(`Created ${issued.record.id} (${issued.record.name}, ${flags.role}). The token above is shown only now; store it in a secret manager.\n`);
    });

  token
    .command('list')
    .description('list tokens (never their secrets)')
    .action(async (_flags: unknown, command: Command) => {
      const options = globalOptions(command);
      const { auth, ops } = await openOps(options);
      const rows = (await auth.tokens.list()).filter((t) => t.kind === 'api' || t.revokedAt === null);
      await ops.close();
      if (options.json) {
        for (const t of rows) process.stdout.write(`${JSON.stringify({ id: t.id, name: t.name, role: t.role, kind: t.kind, created_at: t.createdAt, expires_at: t.expiresAt, revoked_at: t.revokedAt, last_used_at: t.lastUsedAt })}\n`);
        return;
      }
      const now = Date.now();
      const state = (t: (typeof rows)[number]) => (t.revokedAt ? 'revoked' : t.expiresAt && Date.parse(t.expiresAt) <= now ? 'expired' : 'active');
      const day = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '-');
      process.stdout.write(`${rows.length === 0 ? 'No tokens yet: converge token create --role viewer' : table([['id', 'name', 'role', 'kind', 'state', 'created', 'expires', 'last used'], ...rows.map((t) => [t.id, t.name, t.role, t.kind, state(t), day(t.createdAt), day(t.expiresAt), day(t.lastUsedAt)])])}\n`);
    });

  token
    .command('revoke')
    .description('revoke a token and the dashboard sessions signed in with it')
    .argument('<id>', 'the token id (tok_…), from token list')
    .action(async (id: string, _flags: unknown, command: Command) => {
      const options = globalOptions(command);
      const { auth, audit, ops } = await openOps(options);
      const existing = await auth.tokens.get(id);
      if (existing === undefined) {
        await ops.close();
        throw new ConvergeError('USAGE', `There is no token ${id}.`, { hint: 'Run `converge token list` to see the ids.' });
      }
      const revoked = await auth.revoke(id);
      await audit.record({ actor: cliActor().id, action: 'token.revoke', target: id, details: { name: existing.name, role: existing.role, already_revoked: !revoked, via: 'cli' } });
      await ops.close();
      process.stdout.write(options.json ? `${JSON.stringify({ id, revoked })}\n` : `${revoked ? 'Revoked' : 'Already revoked:'} ${id} (${existing.name}).\n`);
    });
}

function verifyHint(broken: { seq: number; problem: string }): string {
  if (broken.problem === 'checkpoint_reset') return `compare with an export or a backup; once you know what happened, \`converge audit verify --accept-reset ${broken.seq}\` checks the rest.`;
  if (broken.problem === 'checkpoint_missing' || broken.problem === 'checkpoint_invalid') return 'restore the checkpoint with the store and its audit key from the same backup; the next audit row records the gap otherwise.';
  return `rows before ${broken.seq} are intact; compare with an export or a backup to see what changed.`;
}

function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the HMAC-chained audit trail: verify, export');

  audit
    .command('verify')
    .description('recompute the HMAC chain and compare its end with the head checkpoint; exit 1 and name the first broken row if anything was changed or removed')
    .option('--accept-reset <seq...>', 'treat these audit.checkpoint_reset rows as looked into: warn instead of failing', wholeNumbers('--accept-reset', { min: 1, example: 42 }))
    .action(async (flags: { acceptReset?: number[] }, command: Command) => {
      const options = globalOptions(command);
      const acceptResets = flags.acceptReset ?? [];
      const { audit: trail, ops } = await openOps(options);
      const result = await trail.verify({ acceptResets }).finally(() => ops.close());
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ ok: result.ok, rows: result.rows, head_hash: result.headHash, broken: result.broken ?? null, warnings: result.warnings })}\n`);
      } else {
        for (const warning of result.warnings) process.stderr.write(`converge: warning: ${warning}\n`);
        if (result.ok) process.stdout.write(`Audit trail intact: ${result.rows} row${result.rows === 1 ? '' : 's'}, head ${result.headHash}.\n`);
        else process.stderr.write(`converge: ${result.broken!.message}\n  hint: ${verifyHint(result.broken!)}\n`);
      }
      process.exitCode = result.ok ? 0 : 1;
    });

  audit
    .command('export')
    .description('print every audit row (JSON lines), with its hashes, for archiving or a SIEM')
    .option('-f, --format <format>', 'jsonl', 'jsonl')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (flags: { format: string; output?: string }, command: Command) => {
      if (flags.format !== 'jsonl') throw new ConvergeError('USAGE', `Unknown export format "${flags.format}".`, { hint: 'Use --format jsonl.' });
      const { audit: trail, ops } = await openOps(globalOptions(command));
      const lines: string[] = [];
      for await (const r of trail.rows()) {
        lines.push(JSON.stringify({ seq: r.seq, at: r.at, actor: r.actor, action: r.action, target: r.target, details: r.details, prev_hash: r.prevHash, hash: r.hash, hash_alg: r.hashAlg }));
      }
      await ops.close();
      const text = lines.length > 0 ? `${lines.join('\n')}\n` : '';
      if (flags.output) writeFileSync(flags.output, text);
      else process.stdout.write(text);
    });
}

export function registerServeCommands(program: Command): void {
  registerServe(program);
  registerToken(program);
  registerAudit(program);
}
