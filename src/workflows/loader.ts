/**
 * Loads definitions, profiles and converge.yaml from built-in names or files, turning every
 * problem into one clear ConvergeError that names the file and the field.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { parseDefinition } from '../core/definition.js';
import { didYouMean, endSentence, problemsError, zodProblems } from '../core/messages.js';
import type { Rubric, WorkflowDefinition } from '../core/definition-schema.js';
import { ConvergeError, formatPath } from '../core/errors.js';
import { textFromBytes, textProblem } from '../core/text-input.js';
import type { ConvergeErrorCode } from '../core/errors.js';
import { ProfileSchema } from '../core/profile-schema.js';
import type { Profile, ReportLabels } from '../core/profile-schema.js';
import { builtinPath } from './builtin-files.js';
import { ProjectConfigSchema } from './project-config.js';
import type { ProjectConfig } from './project-config.js';
import { CONFIG_FILE } from './project-root.js';

export { CONFIG_FILE };

export function builtinNames(kind: 'definitions' | 'profiles'): string[] {
  const dir = builtinPath(kind);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

/**
 * Reads YAML or JSON (by extension; YAML otherwise) and reports syntax errors with line numbers.
 * The file and every string in it must be text (src/core/text-input.ts): a NUL written as an
 * escape ("\0", "\u0000") is refused as surely as a binary file.
 */
export function readDocument(path: string, code: ConvergeErrorCode): unknown {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new ConvergeError(code, `${path} ${reason}.`, { hint: 'Check the path.', cause: error });
  }
  const format = extname(path) === '.json' ? 'JSON' : 'YAML';
  const text = textFromBytes(bytes, { what: path, code, hint: `Save it as UTF-8 ${format} text.` });
  let value: unknown;
  try {
    value = format === 'JSON' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    const reason = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    throw new ConvergeError(code, endSentence(`${path} is not valid ${format}${where}: ${reason.replace(/ at line \d+, column \d+:?$/, '')}`), {
      hint: `Fix the ${format} syntax there (a YAML linter or \`converge schema --kind config\` helps).`,
      cause: error,
    });
  }
  refuseNonTextValues(value, [], path, code);
  return value;
}

/** Every string value (and key) of a parsed document is text. */
function refuseNonTextValues(value: unknown, at: PropertyKey[], path: string, code: ConvergeErrorCode): void {
  const refuse = (problem: string): never => {
    throw new ConvergeError(code, `${path}: ${at.length === 0 ? 'the document' : formatPath(at)} is not text: ${problem}.`, {
      hint: 'Settings are text: remove the control characters (a "\\0" or "\\u0000" escape, say) from that value.',
    });
  };
  if (typeof value === 'string') {
    const problem = textProblem(value);
    if (problem !== undefined) refuse(problem);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => refuseNonTextValues(item, [...at, i], path, code));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const problem = textProblem(key);
      if (problem !== undefined) refuse(`a key ${problem.replace(/^it /, '')}`);
      refuseNonTextValues(item, [...at, key], path, code);
    }
  }
}

/** The file a definition or profile value names: a built-in by name, or a path resolved against `baseDir`. */
export function resolveNamed(kind: 'definitions' | 'profiles', nameOrPath: string, baseDir: string): string {
  if (/^[a-z][a-z0-9-]*$/.test(nameOrPath) && !existsSync(resolve(baseDir, nameOrPath))) {
    const path = builtinPath(kind, `${nameOrPath}.yaml`);
    if (existsSync(path)) return path;
    const what = kind === 'definitions' ? 'workflow definition' : 'profile';
    const known = builtinNames(kind);
    throw new ConvergeError(kind === 'definitions' ? 'DEFINITION_INVALID' : 'CONFIG_INVALID', `There is no built-in ${what} "${nameOrPath}"${didYouMean(nameOrPath, known)}.`, {
      hint: `Built-in ${kind}: ${known.join(', ')}; or give a path to a YAML/JSON file.`,
    });
  }
  return isAbsolute(nameOrPath) ? nameOrPath : resolve(baseDir, nameOrPath);
}

export function loadDefinition(nameOrPath = 'seven-step', baseDir = process.cwd()): WorkflowDefinition {
  const path = resolveNamed('definitions', nameOrPath, baseDir);
  return parseDefinition(readDocument(path, 'DEFINITION_INVALID'), path);
}

export function loadProfile(nameOrPath = 'typescript', baseDir = process.cwd()): Profile {
  const path = resolveNamed('profiles', nameOrPath, baseDir);
  return parseWith(ProfileSchema, readDocument(path, 'CONFIG_INVALID'), path, 'CONFIG_INVALID', SCHEMA_HINT.profile);
}

export interface LoadedConfig {
  config: ProjectConfig;
  /** The folder relative paths in the config are resolved against. */
  baseDir: string;
  path?: string;
}

/** converge.yaml from `explicitPath`, or from `cwd` when present, or the defaults. */
export function loadProjectConfig(cwd: string, explicitPath?: string): LoadedConfig {
  const path = explicitPath !== undefined ? resolve(cwd, explicitPath) : resolve(cwd, CONFIG_FILE);
  if (explicitPath === undefined && !existsSync(path)) return { config: ProjectConfigSchema.parse({}), baseDir: cwd };
  const config = parseWith(ProjectConfigSchema, readDocument(path, 'CONFIG_INVALID') ?? {}, path, 'CONFIG_INVALID', SCHEMA_HINT.config);
  return { config, baseDir: dirname(path), path };
}

const SCHEMA_HINT = {
  config: 'Fix the listed fields; `converge schema --kind config` prints every field converge.yaml may have.',
  profile: 'Fix the listed fields; `converge schema --kind profile` prints every field a profile may have.',
};

/** `input` checked against `schema`: every problem on its own line, the nearest allowed name beside a typo, and one hint. */
export function parseWith<T extends z.ZodType>(schema: T, input: unknown, source: string, code: ConvergeErrorCode, hint = SCHEMA_HINT.config): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw problemsError(code, source, zodProblems(parsed.error, schema, input), hint);
}

/** The definition as configured: gate overrides applied, checks from config → definition → profile. */
export function effectiveDefinition(def: WorkflowDefinition, profile: Profile, config: ProjectConfig): WorkflowDefinition {
  const gates = def.gates.map((gate) => {
    const override = config.gates[gate.id];
    return override === undefined ? gate : { ...gate, ...override };
  });
  const unknownGates = Object.keys(config.gates).filter((id) => !def.gates.some((g) => g.id === id));
  if (unknownGates.length > 0) {
    throw new ConvergeError('CONFIG_INVALID', `converge.yaml gates: unknown gate "${unknownGates[0]}"${didYouMean(unknownGates[0]!, def.gates.map((g) => g.id))}.`, {
      hint: `Gates of ${def.id}: ${def.gates.map((g) => g.id).join(', ')}.`,
    });
  }
  const checks = config.checks ?? (def.checks.length > 0 ? def.checks : profile.checks);
  const knowledge = [...new Set([...def.knowledge, ...profile.knowledge.map((k) => k.glob), ...config.documentation])];
  const protectedPaths = config.protected_paths ?? [...new Set([...(def.protected_paths ?? []), ...profile.protected_paths])];
  const labels = reportLabels(def.report_labels ?? {}, profile.report_labels);
  const groups = config.groups === undefined ? def.groups : { ...def.groups, ...config.groups };
  const budget = config.budget === undefined ? def.budget : { ...def.budget, ...config.budget };
  refuseUnknownGroups(gates, groups);
  return {
    ...def,
    gates,
    ...(groups !== undefined ? { groups } : {}),
    ...(budget !== undefined ? { budget } : {}),
    checks,
    knowledge,
    protected_paths: protectedPaths,
    rubrics: weighRubrics(def.rubrics, profile.rubric_weights),
    ...(Object.keys(labels).length > 0 ? { report_labels: labels } : {}),
  };
}

/** Once converge.yaml's groups are merged in, every group a policy names must exist. */
function refuseUnknownGroups(gates: WorkflowDefinition['gates'], groups: WorkflowDefinition['groups']): void {
  const known = Object.keys(groups ?? {});
  for (const gate of gates) {
    const unknown = gate.approvals?.groups?.find((g) => !known.includes(g));
    if (unknown === undefined) continue;
    throw new ConvergeError('CONFIG_INVALID', `The approval policy of gate "${gate.id}" names group "${unknown}", which is not defined${didYouMean(unknown, known)}.`, {
      hint: `Define it in converge.yaml: groups: { ${unknown}: [alice, bob] } (token names, or CLI user names).`,
    });
  }
}

/** The definition's labels first, then the profile's, per dimension. */
function reportLabels(own: ReportLabels, profile: ReportLabels): ReportLabels {
  const merged: ReportLabels = {};
  for (const [name, labels] of [...Object.entries(own), ...Object.entries(profile)]) merged[name] = [...new Set([...(merged[name] ?? []), ...labels])];
  return merged;
}

/**
 * The profile's weights replace the definition's. A profile is reused with other definitions, so a
 * rubric or dimension the definition lacks is skipped rather than refused.
 */
function weighRubrics(rubrics: Rubric[], weights: Profile['rubric_weights']): Rubric[] {
  return rubrics.map((rubric) => {
    const override = weights[rubric.id];
    if (override === undefined) return rubric;
    const dimensions = Object.fromEntries(
      Object.entries(rubric.dimensions).map(([name, dim]) => [name, override[name] === undefined ? dim : { ...dim, weight: override[name] }]),
    );
    return { ...rubric, dimensions };
  });
}
