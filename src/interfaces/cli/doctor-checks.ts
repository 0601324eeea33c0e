/**
 * What `converge doctor` looks at, one item per line: the config, each agent's key variables
 * (set or not; a value is never read out) and CLI, the store, the sandbox, and git. A failure
 * means a workflow cannot run as configured; a warning, that it runs with less than it could.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { agentEntries, agentNeeds } from '../../agents/agent-readiness.js';
import type { AgentEntry, AgentNeed } from '../../agents/agent-readiness.js';
import { isConvergeError } from '../../core/errors.js';
import { createSandboxHost, INSTALL_HINT } from '../../sandbox/index.js';
import { sqliteFileOf } from '../../store/open-store.js';
import { pgDumpCommands } from '../../store/store-backup.js';
import { targetProblems } from '../../ops/notify/notify-targets.js';
import { effectiveDefinition, loadDefinition, loadProfile } from '../../workflows/loader.js';
import type { LoadedConfig } from '../../workflows/loader.js';
import type { ProjectConfig } from '../../workflows/project-config.js';
import type { ProjectLocation } from '../../workflows/project-root.js';
import type { GlobalOptions } from './cli-context.js';
import { cliProject, loadConfig, openCliStore, storeLocation } from './cli-context.js';

export type DoctorStatus = 'pass' | 'warn' | 'fail';

export interface DoctorItem {
  check: 'config' | 'agent' | 'notify' | 'store' | 'sandbox' | 'git';
  status: DoctorStatus;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

/** How long a `--version` may take: a CLI that hangs must not hang the doctor. */
const VERSION_TIMEOUT_MS = 5_000;

export async function doctorItems(options: GlobalOptions): Promise<DoctorItem[]> {
  const project = cliProject();
  const items: DoctorItem[] = [];
  const config = configItem(options, project, items);
  if (config !== undefined) items.push(...(await agentItems(config, project.root)));
  if (config !== undefined) items.push(...notifyItems(config.config));
  items.push(await storeItem(options));
  items.push(await sandboxItem(config?.config.sandbox ?? 'auto'));
  items.push(await gitItem(project.root, config?.config.workspace.type ?? 'shared'));
  return items;
}

/** The notify targets: a secret or URL variable that is unset would stop `serve`, `worker` and `run` at their start. */
function notifyItems(config: ProjectConfig): DoctorItem[] {
  if (config.notify.length === 0) return [];
  const problems = targetProblems(config.notify);
  if (problems.length === 0) return [{ check: 'notify', status: 'pass', message: `${config.notify.length} notify target${config.notify.length === 1 ? '' : 's'} ready (\`converge notify test\` sends a sample)` }];
  return problems.map((message) => ({ check: 'notify', status: 'fail', message, hint: 'Export the variable where Converge runs (its value is read when sending, never stored), or change the target in converge.yaml.' }));
}

function configItem(options: GlobalOptions, project: ProjectLocation, items: DoctorItem[]): LoadedConfig | undefined {
  try {
    const loaded = loadConfig(options);
    const profile = loadProfile(loaded.config.profile, loaded.baseDir);
    const definition = effectiveDefinition(loadDefinition(loaded.config.definition, loaded.baseDir), profile, loaded.config);
    const what = `definition ${definition.id}, profile ${profile.id}`;
    if (loaded.path !== undefined) {
      items.push({ check: 'config', status: 'pass', message: `${loaded.path} is valid (${what})`, details: { path: loaded.path } });
    } else {
      const upTo = project.searchedUpTo === project.start ? project.start : `${project.start} up to ${project.searchedUpTo}`;
      items.push({
        check: 'config',
        status: 'warn',
        message: `no converge.yaml in ${upTo}: the defaults apply (${what}, every step external)`,
        hint: `\`converge init\` writes a commented one in ${project.root}.`,
      });
    }
    return loaded;
  } catch (error) {
    items.push({ check: 'config', status: 'fail', message: errorText(error), hint: errorHint(error) ?? 'Fix the file; `converge schema --kind config` prints its schema.' });
    return undefined;
  }
}

async function agentItems(loaded: LoadedConfig, workspace: string): Promise<DoctorItem[]> {
  let roles: ReturnType<typeof loadDefinition>['steps'][number]['role'][];
  try {
    roles = loadDefinition(loaded.config.definition, loaded.baseDir).steps.map((s) => s.role);
  } catch {
    return [];
  }
  const entries = agentEntries(loaded.config.agents, roles);
  if (entries.length === 0) {
    return [{ check: 'agent', status: 'pass', message: 'every step is external: you (or your coding agent over MCP) submit the results; nothing to install' }];
  }
  const items: DoctorItem[] = [];
  for (const entry of entries) {
    const who = `${entry.source} (${entry.config.provider}${entry.config.model !== undefined ? ` ${entry.config.model}` : ''})`;
    const needs = agentNeeds(entry.config, { workspace });
    if (entry.config.provider === 'external') items.push({ check: 'agent', status: 'pass', message: `${who}: you (or your coding agent over MCP) submit the results; nothing to install`, details: { source: entry.source } });
    else if (entry.config.provider === 'scripted') items.push(sessionItem(entry, who, loaded.baseDir));
    else if (needs.length === 0) items.push({ check: 'agent', status: 'pass', message: `${who} needs no key variable or program`, details: { source: entry.source } });
    for (const need of needs) items.push(need.kind === 'key' ? keyItem(entry, who, need) : await cliItem(entry, who, need));
  }
  return items;
}

function keyItem(entry: AgentEntry, who: string, need: Extract<AgentNeed, { kind: 'key' }>): DoctorItem {
  const details = { source: entry.source, variable: need.name, set: need.set };
  if (need.set) return { check: 'agent', status: 'pass', message: `${who}: ${need.name} is set`, details };
  return {
    check: 'agent',
    status: entry.primary ? 'fail' : 'warn',
    message: `${who}: ${need.name} is not set${entry.primary ? '' : ' (only needed when the agent before it fails)'}`,
    hint: `export ${need.name}=… in the shell that runs Converge.`,
    details,
  };
}

async function cliItem(entry: AgentEntry, who: string, need: Extract<AgentNeed, { kind: 'cli' }>): Promise<DoctorItem> {
  const details: Record<string, unknown> = { source: entry.source, program: need.name, path: need.path ?? null };
  if (need.path === undefined) {
    return {
      check: 'agent',
      status: entry.primary ? 'fail' : 'warn',
      message: `${who}: \`${need.name}\` is not on PATH`,
      hint: `Install ${need.name}, or set \`command: [/path/to/${need.name}]\` for ${entry.source} in converge.yaml.`,
      details,
    };
  }
  const version = await run(need.path, ['--version']);
  details.version = version.ok ? version.text : null;
  const said = version.ok ? version.text : `\`--version\` did not answer: ${version.text}`;
  return { check: 'agent', status: 'pass', message: `${who}: ${need.path} (${said})`, details };
}

function sessionItem(entry: AgentEntry, who: string, baseDir: string): DoctorItem {
  const path = entry.config.session === undefined ? undefined : resolve(baseDir, entry.config.session);
  if (path !== undefined && existsSync(path)) return { check: 'agent', status: 'pass', message: `${who}: replays ${path}`, details: { source: entry.source, session: path } };
  return {
    check: 'agent',
    status: entry.primary ? 'fail' : 'warn',
    message: path === undefined ? `${who} names no session file` : `${who}: the session file ${path} does not exist`,
    hint: 'Point `session:` at a recorded session (see examples/demo/session.yaml).',
    details: { source: entry.source, session: path ?? null },
  };
}

async function storeItem(options: GlobalOptions): Promise<DoctorItem> {
  const location = storeLocation(options);
  let file: string | undefined;
  try {
    file = sqliteFileOf(location);
  } catch (error) {
    return { check: 'store', status: 'fail', message: errorText(error), hint: errorHint(error) ?? 'Check --store or CONVERGE_STORE.' };
  }
  if (file !== undefined && !existsSync(file)) {
    return { check: 'store', status: 'warn', message: `no store yet at ${file}`, hint: 'The first `converge run` (or `converge start`) creates it.', details: { store: file } };
  }
  try {
    const store = await openCliStore(options);
    const version = await store.getSetting('schema_version');
    const details = { store: store.location, schema_version: version === undefined ? null : Number(version) };
    if (file === undefined && /^postgres(ql)?:\/\//i.test(store.location)) {
      // Converge backs up SQLite itself; PostgreSQL with its own tools.
      const commands = pgDumpCommands(store.location);
      return { check: 'store', status: 'pass', message: `${store.location} is reachable (schema version ${version ?? 'unknown'}); back it up with pg_dump`, hint: `${commands.backup} (restore: ${commands.restore}); \`converge store backup\` prints both.`, details: { ...details, backup: commands.backup, restore: commands.restore } };
    }
    return { check: 'store', status: 'pass', message: `${store.location} is reachable (schema version ${version ?? 'unknown'})`, details };
  } catch (error) {
    return { check: 'store', status: 'fail', message: errorText(error), hint: errorHint(error) ?? 'Check --store or CONVERGE_STORE.' };
  }
}

async function sandboxItem(mode: ProjectConfig['sandbox']): Promise<DoctorItem> {
  if (mode === 'none') {
    return { check: 'sandbox', status: 'warn', message: 'sandbox: none (converge.yaml): checks and command agents run unconfined', details: { mode } };
  }
  try {
    const choice = await createSandboxHost({ warn: () => undefined }).choose(mode);
    if (choice.kind === 'bwrap') return { check: 'sandbox', status: 'pass', message: `bubblewrap works (${choice.bwrap}): checks and command agents run sandboxed`, details: { mode, bwrap: choice.bwrap } };
    return { check: 'sandbox', status: 'warn', message: 'no working bubblewrap: checks and command agents would run without a sandbox', hint: INSTALL_HINT, details: { mode } };
  } catch (error) {
    return { check: 'sandbox', status: 'fail', message: errorText(error), hint: errorHint(error) ?? INSTALL_HINT, details: { mode } };
  }
}

async function gitItem(root: string, workspaceType: ProjectConfig['workspace']['type']): Promise<DoctorItem> {
  // Isolated workspaces are git worktrees: there git is required, elsewhere it only helps.
  const missing: DoctorStatus = workspaceType === 'isolated' ? 'fail' : 'warn';
  const version = await run('git', ['--version']);
  if (!version.ok) {
    return { check: 'git', status: missing, message: `git does not run here (${version.text})`, hint: 'Install git: isolated workspaces need it, and command agents\' changes are read from it when present.' };
  }
  const top = await run('git', ['-C', root, 'rev-parse', '--show-toplevel']);
  const details = { version: version.text, repository: top.ok ? top.text : null };
  if (top.ok) return { check: 'git', status: 'pass', message: `${version.text}; ${root} is in the repository ${top.text}`, details };
  return {
    check: 'git',
    status: missing,
    message: `${version.text}; ${root} is not a git repository`,
    hint: workspaceType === 'isolated' ? 'Run `git init` there: isolated workspaces are git worktrees.' : '`git init` lets Converge show what each step changed.',
    details,
  };
}

/** The first line a program prints (stdout, else stderr), within the timeout. */
function run(file: string, args: string[]): Promise<{ ok: boolean; text: string }> {
  return new Promise((done) => {
    execFile(file, args, { timeout: VERSION_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout, stderr) => {
      const first = (text: string) => text.trim().split('\n')[0]?.trim() ?? '';
      if (error === null) return done({ ok: true, text: first(stdout) || first(stderr) });
      const reason = error.killed ? `no answer within ${VERSION_TIMEOUT_MS / 1000} s` : (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : first(stderr) || error.message;
      done({ ok: false, text: reason });
    });
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorHint(error: unknown): string | undefined {
  return isConvergeError(error) ? error.hint : undefined;
}
