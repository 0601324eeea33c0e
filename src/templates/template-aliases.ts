/**
 * The seed's documents and its parent project name some step templates differently (digest:
 * "template name drift"). Each group lists names of one template; asking for any of them finds a
 * file under any other, so a team's folder of the parent's templates works under the names the
 * built-in definition uses, and a definition written with the parent's names finds the built-ins.
 * README's aliases table is checked against this list.
 */
import { extname } from 'node:path';

export const TEMPLATE_ALIASES: ReadonlyArray<readonly string[]> = [
  [
    // The built-in definition and the seed's orchestrator docs.
    'step5a_two_level_validation_agent_prompt_template',
    // The file that exists in the parent project (it describes three validation levels).
    'step5a_three_level_validation_agent_prompt_template',
    // Cited by the seed's two_level_validation_report_format.md.
    'two_level_validation_agent_prompt_template',
  ],
];

/** `name` first, then its aliases with the same extension (or none, when `name` has none). */
export function templateNameVariants(name: string): string[] {
  const ext = extname(name);
  const stem = ext === '' ? name : name.slice(0, -ext.length);
  const group = TEMPLATE_ALIASES.find((g) => g.includes(stem)) ?? [];
  return [name, ...group.filter((alias) => alias !== stem).map((alias) => alias + ext)];
}

/** Whether two template names, with or without extension, name the same template. */
export function sameTemplate(a: string, b: string): boolean {
  const stem = (name: string) => name.slice(0, name.length - extname(name).length);
  return templateNameVariants(stem(a)).includes(stem(b));
}
