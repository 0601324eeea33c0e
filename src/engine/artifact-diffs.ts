/**
 * What changed between versions of an artifact, computed from the workflow state alone (no
 * workspace access), so `converge show`, the dashboard and MCP resources can show round-by-round
 * diffs of finished, cancelled or remote workflows alike.
 *
 * A text artifact (a plan) is diffed as its text. A file artifact (code) is diffed file by file
 * over the cumulative file set: a file's content at version N is its latest content among the
 * outputs up to N, since each refinement round sends only the files it touches.
 */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { ConvergeError } from '../core/errors.js';
import type { FileChange } from '../core/records.js';
import type { OutputRecord, WorkflowState } from '../core/state.js';

export interface ArtifactVersion {
  version: number;
  stepId: string;
  actionId: string;
  at: string;
  /** The agent's text: the plan itself, or a programmer's summary. */
  content: string;
  /** The file changes of this version only (refused writes excluded: they never happened). */
  files: FileChange[];
}

export interface DiffOptions {
  /** Lines of context around each change (default 3, as git). */
  context?: number;
  /** `files` diffs the cumulative file set, `text` the agent's text; by default `files` when any version has files. */
  mode?: 'text' | 'files';
}

export interface RoundDiff {
  artifact: string;
  fromVersion: number;
  toVersion: number;
  stepId: string;
  at: string;
  /** Unified diff; empty when the version changed nothing. */
  diff: string;
}

/** The versions of `artifact` in the order they were produced (version 1 first). */
export function artifactVersions(state: WorkflowState, artifact: string): ArtifactVersion[] {
  return recordsOf(state, artifact).map((record) => ({
    version: record.version,
    stepId: record.stepId,
    actionId: record.actionId,
    at: record.at,
    content: record.output.content,
    files: writtenFiles(record),
  }));
}

/**
 * A unified diff of `artifact` from `fromVersion` to `toVersion`. Version 0 is "nothing yet",
 * so `(0, 1)` shows the first version whole. Throws USAGE for a version that does not exist.
 */
export function diffArtifactVersions(
  state: WorkflowState,
  artifact: string,
  fromVersion: number,
  toVersion: number,
  options: DiffOptions = {},
): string {
  const records = recordsOf(state, artifact);
  for (const version of [fromVersion, toVersion]) assertVersion(state, artifact, records, version);
  const context = options.context ?? 3;
  const mode = options.mode ?? (records.some((r) => r.output.files.length > 0) ? 'files' : 'text');
  if (mode === 'text') {
    const before = textAt(records, fromVersion);
    const after = textAt(records, toVersion);
    if (before === after) return '';
    return createTwoFilesPatch(`${artifact} v${fromVersion}`, `${artifact} v${toVersion}`, before, after, undefined, undefined, {
      context,
      headerOptions: FILE_HEADERS_ONLY,
    });
  }
  const before = filesAt(records, fromVersion);
  const after = filesAt(records, toVersion);
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  const parts: string[] = [];
  for (const path of paths) {
    const old = before.get(path);
    const next = after.get(path);
    if (old === next) continue;
    parts.push(
      createTwoFilesPatch(old === undefined ? '/dev/null' : `a/${path}`, next === undefined ? '/dev/null' : `b/${path}`, old ?? '', next ?? '', undefined, undefined, {
        context,
        headerOptions: FILE_HEADERS_ONLY,
      }),
    );
  }
  return parts.join('');
}

/**
 * Every version of every artifact against the one before it (the first against nothing), in the
 * order the outputs were recorded: one entry per round of the workflow.
 */
export function roundDiffs(state: WorkflowState, options: Omit<DiffOptions, 'mode'> = {}): RoundDiff[] {
  return state.outputs.map((record) => ({
    artifact: record.output.artifact,
    fromVersion: record.version - 1,
    toVersion: record.version,
    stepId: record.stepId,
    at: record.at,
    diff: diffArtifactVersions(state, record.output.artifact, record.version - 1, record.version, options),
  }));
}

/** The files of `artifact` as they stand at `version` (all of them, not only those it changed). */
export function artifactFilesAt(state: WorkflowState, artifact: string, version: number): Map<string, string> {
  const records = recordsOf(state, artifact);
  assertVersion(state, artifact, records, version);
  return filesAt(records, version);
}

function recordsOf(state: WorkflowState, artifact: string): OutputRecord[] {
  return state.outputs.filter((record) => record.output.artifact === artifact).sort((a, b) => a.version - b.version);
}

function writtenFiles(record: OutputRecord): FileChange[] {
  const refused = new Set(record.output.refusedPaths ?? []);
  return record.output.files.filter((file) => !refused.has(file.path));
}

function textAt(records: readonly OutputRecord[], version: number): string {
  return records.find((r) => r.version === version)?.output.content ?? '';
}

function filesAt(records: readonly OutputRecord[], version: number): Map<string, string> {
  const files = new Map<string, string>();
  for (const record of records) {
    if (record.version > version) break;
    for (const change of writtenFiles(record)) {
      // What path-guard wrote: a change without content leaves an empty file.
      if (change.action === 'delete') files.delete(change.path);
      else files.set(change.path, change.content ?? '');
    }
  }
  return files;
}

function assertVersion(state: WorkflowState, artifact: string, records: readonly OutputRecord[], version: number): void {
  const latest = records.at(-1)?.version ?? 0;
  if (Number.isInteger(version) && version >= 0 && version <= latest) return;
  const known = latest === 0 ? `no ${artifact} output yet` : `${artifact} versions 1–${latest}`;
  throw new ConvergeError('USAGE', `Workflow ${state.workflowId} has no ${artifact} version ${version} (${known}).`, {
    hint: latest === 0 ? 'Artifacts of this workflow: ' + (artifactsOf(state).join(', ') || 'none yet') + '.' : `Pick a version from 0 (nothing) to ${latest}.`,
    details: { artifact, version, latest },
  });
}

function artifactsOf(state: WorkflowState): string[] {
  return [...new Set(state.outputs.map((record) => record.output.artifact))];
}
