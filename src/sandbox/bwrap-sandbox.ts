/**
 * The bubblewrap command line. Inside: new PID, IPC and UTS namespaces with a fresh /proc, so no
 * ancestor process (`converge serve` and its environment) is visible; the system read-only; a
 * private /tmp; the workspace and the caller's own folders writable; no network unless asked for.
 */
import { readFileSync, readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export interface BwrapSpec {
  file: string;
  args: readonly string[];
  cwd: string;
  network: boolean;
  /** Adds a user namespace where the kernel allows one; root needs none. */
  unshareUser: boolean;
  /** Folders under /tmp that must stay readable although the private /tmp hides them. */
  readable: ReadonlyArray<{ source: string; target: string }>;
  writable: ReadonlyArray<{ source: string; target: string }>;
  /** Folders replaced by an empty tmpfs: Converge's own, which hold its store and audit key. */
  hidden: readonly string[];
}

/**
 * No `--new-session`: the process is spawned detached, so it already leads a session without a
 * controlling terminal (what --new-session guards against), and a second session would take the
 * sandboxed processes out of the group that timeouts signal — SIGTERM would no longer reach them.
 */
export function bwrapArgs(spec: BwrapSpec): string[] {
  return [
    ...(spec.unshareUser ? ['--unshare-user-try'] : []),
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    ...(spec.network ? [] : ['--unshare-net']),
    '--die-with-parent',
    '--ro-bind', '/', '/',
    '--proc', '/proc',
    '--dev', '/dev',
    '--tmpfs', '/tmp',
    ...mounts(spec),
    '--chdir', spec.cwd,
    '--',
    spec.file,
    ...spec.args,
  ];
}

/** Outer folders first, so a mount inside another (a writable workspace in a read-only checkout, a hidden `.converge` in the workspace) wins. */
function mounts(spec: BwrapSpec): string[] {
  const all = [
    ...spec.readable.map((b) => ({ target: b.target, args: ['--ro-bind', b.source, b.target] })),
    ...spec.writable.map((b) => ({ target: b.target, args: ['--bind', b.source, b.target] })),
    ...spec.hidden.map((dir) => ({ target: dir, args: ['--tmpfs', dir] })),
  ];
  const depth = (path: string): number => path.split(sep).filter((part) => part !== '').length;
  return all.sort((a, b) => depth(a.target) - depth(b.target)).flatMap((m) => m.args);
}

export interface BindInput {
  workspace: string;
  /** More folders the process writes (a command agent's private run folder with its HOME). */
  writable: readonly string[];
  /** The PATH the process gets: its folders must stay visible. */
  path: string | undefined;
  file: string;
  /** The command's arguments; those naming an existing absolute path (a script of the configuration) stay visible. */
  args?: readonly string[];
}

const TMP = '/tmp';
const CONVERGE_DIR = '.converge';

/**
 * The binds for a run. Only what the private /tmp would hide needs a read-only bind; everything
 * else is already visible through the read-only root. Besides PATH and the program, that is what
 * an isolated workspace links to in its checkout (node_modules, the git directory), which tests
 * and CI runs often keep under /tmp. /tmp itself is never bound: it would stop being private.
 */
export function bwrapBinds(input: BindInput): Pick<BwrapSpec, 'readable' | 'writable' | 'hidden'> {
  const writable: Array<{ source: string; target: string }> = [];
  for (const dir of [input.workspace, ...input.writable]) {
    const real = realOrUndefined(dir);
    if (real === undefined) continue;
    writable.push({ source: real, target: real });
    if (resolve(dir) !== real && under(TMP, resolve(dir))) writable.push({ source: real, target: resolve(dir) });
  }
  const pathDirs = (input.path ?? '').split(delimiter).filter((p) => isAbsolute(p));
  const candidates = [
    ...pathDirs,
    // A `node_modules/.bin` entry is links into its node_modules: the packages must be readable too.
    ...pathDirs.filter((p) => /[\\/]node_modules[\\/]\.bin[\\/]?$/.test(p)).map((p) => dirname(resolve(p))),
    ...(isAbsolute(input.file) ? [input.file] : []),
    // The command is the configuration's, never an agent's: a script it names by absolute path runs
    // with its folder's siblings (imports, fixtures), so that folder stays readable.
    ...(input.args ?? []).filter((a) => isAbsolute(a) && isFile(a)).map((a) => dirname(a)),
    ...linkedFromWorkspace(input.workspace),
  ];
  const readable: Array<{ source: string; target: string }> = [];
  const covered = (p: string): boolean => [...writable, ...readable].some((b) => under(b.target, p));
  for (const candidate of candidates.map((p) => resolve(p)).sort((a, b) => a.length - b.length)) {
    const real = realOrUndefined(candidate);
    if (real === undefined) continue;
    for (const target of new Set([candidate, real])) {
      if (target !== TMP && under(TMP, target) && !covered(target)) readable.push({ source: real, target });
    }
  }
  // Converge's own folders: in a shared workspace `.converge/` holds the SQLite store and its
  // audit key, and `~/.converge/` the audit keys of PostgreSQL stores.
  const hidden = [...writable.map((b) => join(b.target, CONVERGE_DIR)), join(homedir(), CONVERGE_DIR)].filter(isDirectory);
  return { readable, writable, hidden: [...new Set(hidden)] };
}

/**
 * For a git worktree: its repository's git directory, and the top-level links of the worktree that
 * lead into that repository's checkout (node_modules). Only into the checkout: an agent can plant a
 * link in the workspace, and it must not make another folder of /tmp visible.
 */
function linkedFromWorkspace(workspace: string): string[] {
  const gitdir = /^gitdir:\s*(.+)$/m.exec(readOr(join(workspace, '.git')))?.[1]?.trim();
  if (gitdir === undefined) return [];
  const dir = resolve(workspace, gitdir);
  // git's own test of a worktree: its admin folder names this `.git` file back. A planted `.git`
  // file cannot pass it, since nothing in the workspace can write that folder.
  const back = readOr(join(dir, 'gitdir')).trim();
  if (back === '' || realOrUndefined(resolve(dir, back)) !== realOrUndefined(join(workspace, '.git'))) return [];
  const common = readOr(join(dir, 'commondir')).trim();
  const gitDir = common === '' ? dir : resolve(dir, common);
  const checkout = realOrUndefined(dirname(gitDir));
  const found = [gitDir];
  let entries: Dirent[] = [];
  try {
    entries = readdirSync(workspace, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!entry.isSymbolicLink()) continue;
    const target = realOrUndefined(join(workspace, entry.name));
    if (target !== undefined && checkout !== undefined && under(checkout, target)) found.push(target);
  }
  return found;
}

function under(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function realOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
