/**
 * parse: what Converge reads from a plan, a validation report or a code answer, without a
 * workflow — so people can check the files their own agents write.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConvergeError } from '../../../core/errors.js';
import type { InputLimits } from '../../../core/text-input.js';
import { submissionFromBytes } from '../../shared/text-limits.js';
import { didYouMean } from '../../../core/messages.js';
import { READ_AS, readOutput, stepForRubric } from '../../../engine/output-reading.js';
import type { ReadAs } from '../../../engine/output-reading.js';
import { effectiveDefinition, loadDefinition, loadProfile } from '../../../workflows/loader.js';
import { globalOptions, loadConfig } from '../cli-context.js';
import { readingText } from '../parse-format.js';
import { printJsonLine, printText } from '../cli-output.js';

/**
 * The text of each file, or an error naming the one that cannot be read (USAGE), is not text
 * (RESULT_INVALID) or is over converge.yaml's `limits.submission_kb` (INPUT_TOO_LARGE).
 */
export function readResultFiles(files: readonly string[], limits?: Partial<InputLimits>, hint = 'Check the path.'): string[] {
  return files.map((f) => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(resolve(f));
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as NodeJS.ErrnoException).code === 'EISDIR' ? 'it is a folder' : 'it cannot be read';
      throw new ConvergeError('USAGE', `Cannot read ${f}: ${why}.`, { hint });
    }
    return submissionFromBytes(bytes, limits, f);
  });
}

export function registerParseCommand(program: Command): void {
  program
    .command('parse')
    .description('print what Converge reads from a file: scores and their labels, issues by severity, notes, missing scores, or the files of a code answer')
    .argument('<file...>', 'the file(s); several review files are merged like the two reviews of step 5')
    .requiredOption('--as <what>', `what the file is: ${READ_AS.join(' | ')}`)
    .option('-p, --profile <name>', "the profile whose score labels and weights apply (default: converge.yaml's)")
    .option('-r, --rubric <id>', 'for --as report: the rubric to read it against (plan or code)', 'plan')
    .action((files: string[], flags: { as: string; profile?: string; rubric: string }, command: Command) => {
      if (!(READ_AS as readonly string[]).includes(flags.as)) {
        throw new ConvergeError('USAGE', `Cannot parse a file as "${flags.as}"${didYouMean(flags.as, READ_AS)}.`, { hint: `Use --as ${READ_AS.join(', --as ')}.` });
      }
      const as = flags.as as ReadAs;
      const options = globalOptions(command);
      const { config, baseDir } = loadConfig(options);
      const texts = readResultFiles(files, config.limits);
      const profile = flags.profile !== undefined ? loadProfile(flags.profile, process.cwd()) : loadProfile(config.profile, baseDir);
      const definition = effectiveDefinition(loadDefinition(config.definition, baseDir), profile, config);
      const step = as === 'report' ? stepForRubric(definition, flags.rubric) : undefined;
      const reading = readOutput(definition, as, texts, step);
      if (options.json) {
        printJsonLine({ file: files.length === 1 ? files[0] : files, profile: profile.id, ...reading });
        return;
      }
      const against = step === undefined ? '' : `, rubric ${flags.rubric}`;
      printText(`${readingText(reading, `${files.join(' + ')} read as ${as} (profile ${profile.id}${against})`)}`);
    });
}
