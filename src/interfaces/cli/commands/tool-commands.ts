/**
 * decide, schema, init: the decision core and the definition format, usable on their own.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { decide } from '../../../core/decide.js';
import { seedDecision } from '../../../core/decision.js';
import { WorkflowDefinitionSchema } from '../../../core/definition-schema.js';
import { ConvergeError } from '../../../core/errors.js';
import { didYouMean } from '../../../core/messages.js';
import { fromSeedState, waitingRationale } from '../../../core/seed-state.js';
import { ProfileSchema } from '../../../core/profile-schema.js';
import { ProjectConfigSchema } from '../../../workflows/project-config.js';
import { builtinNames, CONFIG_FILE, loadDefinition, loadProfile } from '../../../workflows/loader.js';
import { cliProject, globalOptions, loadConfig } from '../cli-context.js';
import { printDocument, printJsonLine } from '../cli-output.js';

async function readInput(file: string | undefined): Promise<string> {
  if (file !== undefined && file !== '-') {
    try {
      return readFileSync(resolve(file), 'utf8');
    } catch {
      throw new ConvergeError('USAGE', `Cannot read ${file}.`, { hint: 'Give a JSON file in the seed state schema, or pipe it on stdin.' });
    }
  }
  if (process.stdin.isTTY) {
    throw new ConvergeError('USAGE', 'No state given.', { hint: 'Pass a file (`converge decide state.json`) or pipe JSON on stdin.' });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function registerToolCommands(program: Command): void {
  program
    .command('decide')
    .description("read a workflow state in the seed's state schema (file or stdin) and print the next decision as JSON")
    .argument('[file]', 'state JSON file, or - for stdin')
    .option('-d, --definition <file>', 'the workflow definition (default: converge.yaml, else seven-step)')
    .option('--full', "include Converge's own fields (step id, timeout, context refs)")
    .action(async (file: string | undefined, flags: { definition?: string; full?: boolean }, command: Command) => {
      const text = await readInput(file);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new ConvergeError('SEED_STATE_INVALID', `The state is not valid JSON: ${(error as Error).message}`, {
          hint: "Give a JSON object in the seed's workflow_state_schema shape.",
        });
      }
      const loaded = loadConfig(globalOptions(command));
      const definition = loadDefinition(flags.definition ?? loaded.config.definition, flags.definition ? process.cwd() : loaded.baseDir);
      const state = fromSeedState(json, definition);
      const decision = decide(definition, state);
      const out = decision === null ? { action_type: null, status: state.status, ...waitingRationale(state) } : flags.full ? decision : seedDecision(decision);
      printDocument(command, out);
    });

  program
    .command('schema')
    .description('print the JSON Schema of workflow definitions (or of profiles / converge.yaml)')
    .option('-k, --kind <kind>', 'definition | profile | config', 'definition')
    .action((flags: { kind: string }, command: Command) => {
      const schemas: Record<string, z.ZodType> = { definition: WorkflowDefinitionSchema, profile: ProfileSchema, config: ProjectConfigSchema };
      const schema = schemas[flags.kind];
      if (schema === undefined) throw new ConvergeError('USAGE', `Unknown schema kind "${flags.kind}"${didYouMean(flags.kind, Object.keys(schemas))}.`, { hint: 'Use definition, profile or config.' });
      printDocument(command, z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
    });

  program
    .command('init')
    .description(`write a commented ${CONFIG_FILE} in the project's root (the git repository's top folder, or here)`)
    .option('-p, --profile <name>', `profile: ${builtinNames('profiles').join(', ')}`, 'typescript')
    .option('--force', 'overwrite an existing file')
    .action((flags: { profile: string; force?: boolean }, command: Command) => {
      const project = cliProject();
      const path = join(project.root, CONFIG_FILE);
      if (existsSync(path) && !flags.force) {
        throw new ConvergeError('USAGE', `${path} already exists.`, { hint: 'Use --force to overwrite it.' });
      }
      const profile = loadProfile(flags.profile);
      loadDefinition('seven-step');
      writeFileSync(path, initTemplate(flags.profile, profile.checks.map((c) => `${c.id}: ${Array.isArray(c.command) ? c.command.join(' ') : c.command}`)));
      const where = project.root === project.start ? '' : `\n${project.root} is the project's root (${project.marker !== undefined ? 'it already held Converge files' : 'the top of the git repository'}), not the current folder: Converge finds it from any folder below, as git does.`;
      if (globalOptions(command).json) printJsonLine({ config: path, root: project.root, profile: flags.profile });
      else process.stdout.write(`Wrote ${path} (profile ${flags.profile}).${where}\nNext: edit the agents section, then \`converge run "<requirements>"\`.\n`);
    });
}

function initTemplate(profile: string, checks: string[]): string {
  return `# Converge project settings. Reference: \`converge schema --kind config\`.
# The workflow: a built-in name (seven-step) or a path to your own YAML definition.
definition: seven-step
# The profile adapts checks, file locations and knowledge to your stack (typescript, cursus, or a file).
profile: ${profile}
# shared: agents work in the workspace itself; isolated: in a git worktree on branch converge/<id>.
workspace:
  type: shared
# Your own prompt templates, used before the built-in ones (seed-style [INJECT … HERE] markers work).
# templates_dir: ./prompts
# Documentation the agents should read (the seed's documentation_locations).
documentation: []
# Gates: plan_approval (on), code_review (off), final_approval (on). on_timeout: pause | reject | approve.
gates:
  plan_approval: { enabled: true }
  final_approval: { enabled: true }
# Checks come from the profile (${checks.join('; ') || 'none'}). Uncomment to replace them:
# checks:
#   - { id: typecheck, command: ["npx", "tsc", "--noEmit"], required: true }
#   - { id: tests, command: ["npm", "test"], required: true }
# Agents per role (planner, validator, programmer) or a default for all.
# external: Converge waits for results you (or your coding agent over MCP) submit: \`converge submit\`.
# scripted: replays a recorded session file (see examples/demo/session.yaml).
agents:
  default:
    provider: external
`;
}
