/**
 * `converge demo`: the seven-step workflow on a small TypeScript project, with a recorded
 * session for the agents, the project's real type-check and tests, and gates approved
 * automatically (recorded as such).
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { ConvergeError } from '../../../core/errors.js';
import { startWorkflow } from '../../../engine/workflow-commands.js';
import { loadState } from '../../../engine/workflow-log.js';
import { PACKAGE_ROOT } from '../../../workflows/builtin-files.js';
import { loadProjectConfig } from '../../../workflows/loader.js';
import { buildEngine, globalOptions, openCliStore, storeLocation } from '../cli-context.js';
import { roundsTable, table } from '../show-format.js';
import { drive } from './run-commands.js';
import { existsSync } from 'node:fs';
import { convergeIdentity, tryGit } from '../../../workspace/git.js';

export const DEMO_DIR = join(PACKAGE_ROOT, 'examples', 'demo');

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the full seven-step workflow on a small TypeScript project with recorded agents and real checks')
    .option('--no-auto-approve', 'stop at each gate and wait for `converge approve` instead')
    .action(async (flags: { autoApprove: boolean }, command: Command) => {
      if (!existsSync(join(DEMO_DIR, 'session.yaml'))) {
        throw new ConvergeError('USAGE', `The demo files are missing from ${DEMO_DIR}.`, { hint: 'Reinstall converge; the package ships examples/demo.' });
      }
      // Live progress (listr2) is imported by the commands that show it, not by every command.
      const { createProgress, progressMode } = await import('../progress.js');
      const options = globalOptions(command);
      const json = options.json ?? false;
      const progress = createProgress(progressMode(json));
      const workspace = mkdtempSync(join(tmpdir(), 'converge-demo-'));
      cpSync(join(DEMO_DIR, 'project'), workspace, { recursive: true });
      await commitDemoProject(workspace);
      const store = await openCliStore(options, { create: true });
      const loaded = loadProjectConfig(DEMO_DIR, 'converge.yaml');
      const engine = buildEngine(store, loaded, { onEvents: progress.onEvents, onProgress: progress.onProgress });
      const started = Date.now();
      if (!json) {
        process.stdout.write(`Converge demo: the seven-step workflow on a TypeScript project.\n  workspace ${workspace}\n  store     ${storeLocation(options)}\n  agents    recorded session (${join(DEMO_DIR, 'session.yaml')})\n  checks    ${engine.definition.checks.map((c) => c.id).join(', ')} (real)\n\n`);
      }
      const state = await startWorkflow(store, engine.clock, {
        definition: engine.definition,
        requirements: readFileSync(join(DEMO_DIR, 'requirements.md'), 'utf8'),
        workspace: { path: workspace, type: 'shared' },
        profile: engine.profile.id,
        name: 'demo: truncateWords',
        autoApprove: flags.autoApprove,
      });
      const code = await drive(engine, state.workflowId, progress, true, json, !json);
      if (!json) {
        const final = await loadState(store, state.workflowId);
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        const checkRows = final.runs
          .filter((r) => r.checks)
          .flatMap((r) => r.checks!.map((c) => [`step ${r.stepNumber}`, c.toolId, c.status, `${(c.durationMs / 1000).toFixed(1)}s`]));
        process.stdout.write(
          [
            '',
            `Summary — ${final.status} in ${seconds}s, ${final.runs.length} step runs, ${final.validations.length} validation rounds`,
            '',
            roundsTable(final),
            '',
            checkRows.length ? table([['WHEN', 'CHECK', 'STATUS', 'TIME'], ...checkRows]) : '',
            '',
            'Look closer:',
            `  converge show ${final.workflowId}       # steps, rounds, checks, approvals, tokens`,
            `  converge history ${final.workflowId}    # every event of the durable log`,
            `  converge export ${final.workflowId}     # the seed's state schema`,
            `  (the changed project is in ${workspace})`,
            '',
          ].join('\n'),
        );
      }
      process.exitCode = code;
    });
}

/**
 * Makes the demo's copy a git repository with the project as shipped committed, as a real project
 * would be: the workflow's base is then recorded, so `converge review` shows the change to the
 * existing src/index.ts as a diff rather than as a new file. Without git the demo still runs.
 */
async function commitDemoProject(workspace: string): Promise<void> {
  const init = await tryGit(workspace, ['init', '-q']);
  if (init.exitCode !== 0) return;
  await tryGit(workspace, ['add', '-A']);
  await tryGit(workspace, ['commit', '-q', '--no-gpg-sign', '-m', 'The demo project as shipped'], convergeIdentity());
}
