/**
 * `converge doctor`: whether this machine can run the project's workflows, one line per item
 * (✓ pass, ! warning, ✗ failure, with a hint for each problem), or one JSON object per line with
 * `--json`. Exit code 0 when nothing fails, 1 otherwise.
 */
import type { Command } from 'commander';
import { globalOptions } from '../cli-context.js';
import { doctorItems } from '../doctor-checks.js';
import type { DoctorItem } from '../doctor-checks.js';

const MARKS: Record<DoctorItem['status'], string> = { pass: '✓', warn: '!', fail: '✗' };

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check the config, agent keys and CLIs, the store, the sandbox and git; exit 1 when something would stop a workflow')
    .action(async (_flags: unknown, command: Command) => {
      const options = globalOptions(command);
      const items = await doctorItems(options);
      const failed = items.filter((item) => item.status === 'fail').length;
      if (options.json) {
        for (const item of items) process.stdout.write(`${JSON.stringify({ ...item, ok: item.status !== 'fail' })}\n`);
      } else {
        const lines = items.flatMap((item) => [`${MARKS[item.status]} ${item.check.padEnd(7)} ${item.message}`, ...(item.hint !== undefined ? [`  ${' '.repeat(8)}hint: ${item.hint}`] : [])]);
        const warned = items.filter((item) => item.status === 'warn').length;
        const summary = failed > 0 ? `${failed} of ${items.length} checks failed.` : `Ready: ${items.length} checks, ${warned === 0 ? 'no warnings' : `${warned} warning${warned === 1 ? '' : 's'}`}.`;
        process.stdout.write(`${lines.join('\n')}\n\n${summary}\n`);
      }
      process.exitCode = failed > 0 ? 1 : 0;
    });
}
