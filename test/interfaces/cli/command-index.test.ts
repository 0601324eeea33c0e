/**
 * main.ts starts from src/interfaces/cli/command-index.ts, not from the command modules (issue 19,
 * part 4: start-up). This holds the index to the program: every command, in order, with the
 * modules that register it and the line `converge --help` shows for it; and `--help` built from
 * the index prints exactly what the whole program prints. After adding or changing a command:
 *   UPDATE_COMMAND_INDEX=1 npx vitest run test/interfaces/cli/command-index.test.ts
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_INDEX } from '../../../src/interfaces/cli/command-index.js';
import type { IndexedCommand } from '../../../src/interfaces/cli/command-index.js';
import { listingProgram } from '../../../src/interfaces/cli/main.js';
import { buildProgram, COMMAND_MODULES } from '../../../src/interfaces/cli/program.js';
import { programShell } from '../../../src/interfaces/cli/program-shell.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** A command's shape, to see which modules add to it (`store` gets subcommands from two). */
function shape(command: Command): string {
  return JSON.stringify([command.name(), command.options.map((o) => o.flags), command.commands.map(shape)]);
}

function expectedIndex(): IndexedCommand[] {
  const program = programShell();
  const modules = new Map<string, Array<readonly [string, string]>>();
  for (const [file, register] of COMMAND_MODULES) {
    const before = new Map(program.commands.map((c) => [c.name(), shape(c)]));
    register(program);
    for (const c of program.commands) {
      if (before.get(c.name()) !== shape(c)) modules.set(c.name(), [...(modules.get(c.name()) ?? []), [file, register.name]]);
    }
  }
  const help = program.createHelp();
  return program.commands.map((c) => ({
    name: c.name(),
    aliases: c.aliases(),
    term: help.subcommandTerm(c),
    description: c.description(),
    hidden: (c as unknown as { _hidden: boolean })._hidden,
    modules: modules.get(c.name()) ?? [],
  }));
}

function indexSource(index: IndexedCommand[]): string {
  return `/**
 * Every top-level command of \`converge\`: the module(s) under commands/ that register it and the
 * line \`converge --help\` shows for it. main.ts reads this to load only the command a run names.
 * Generated from program.ts, and held to it, by test/interfaces/cli/command-index.test.ts
 * (\`UPDATE_COMMAND_INDEX=1 npx vitest run test/interfaces/cli/command-index.test.ts\` rewrites it).
 */
export interface IndexedCommand {
  name: string;
  aliases: readonly string[];
  /** The command's name, alias, \`[options]\` and arguments, as the command list shows them. */
  term: string;
  description: string;
  hidden: boolean;
  /** [file under commands/, its register function], in the order program.ts calls them. */
  modules: ReadonlyArray<readonly [string, string]>;
}

export const COMMAND_INDEX: readonly IndexedCommand[] = [
${index.map((c) => `  ${JSON.stringify(c)},`).join('\n')}
];
`;
}

describe('the command index main.ts starts from', () => {
  it('lists every command of the program, in order, with the modules that register it', () => {
    const expected = expectedIndex();
    if (process.env.UPDATE_COMMAND_INDEX === '1') writeFileSync(join(ROOT, 'src/interfaces/cli/command-index.ts'), indexSource(expected));
    expect(JSON.parse(JSON.stringify(COMMAND_INDEX)), 'src/interfaces/cli/command-index.ts is stale: rerun this test with UPDATE_COMMAND_INDEX=1').toEqual(expected);
  });

  it('prints the same `converge --help` as the whole program', () => {
    expect(listingProgram().helpInformation()).toBe(buildProgram().helpInformation());
  });

  it('answers --help, and runs a reading command, without loading the engine, the agents or another store driver', () => {
    // The built CLI under a loader hook that prints every module it loads (e2e: needs dist/).
    const hook = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent('export async function load(u, c, n) { process.stderr.write("loaded " + u + "\\\\n"); return n(u, c); }'));`)}`;
    const loaded = (args: string[]): string[] => {
      const r = spawnSync(process.execPath, ['--import', hook, join(ROOT, 'bin', 'converge.js'), ...args], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, CONVERGE_STORE: ':memory:' } });
      return r.stderr.split('\n').filter((l) => l.startsWith('loaded ')).map((l) => l.slice('loaded '.length));
    };
    // The engine, agents, templates, checks, workspaces, the settings loader and the schema
    // library; and, the store being a memory one, neither database driver.
    const HEAVY = /\/dist\/(engine\/(create-engine|runner|step-executor)|agents\/|templates\/|checks\/|workspace\/|workflows\/loader|core\/definition-schema|store\/(sqlite|postgres)\/)|node_modules\/(pg|better-sqlite3|yaml|zod|liquidjs|minisearch|ai|@ai-sdk\/[^/]+)\//;
    for (const args of [['--help'], ['list']]) {
      const modules = loaded(args);
      expect(modules.some((m) => m.endsWith('/interfaces/cli/main.js')), `${args.join(' ')} ran the built CLI`).toBe(true);
      const heavy = modules.filter((m) => HEAVY.test(m));
      expect(heavy, `converge ${args.join(' ')} loaded these`).toEqual([]);
    }
  });
});
