/**
 * Agents that edit the workspace themselves: CLI coding agents (`provider: command`) and hosts
 * that say so (an MCP host in agent mode `host`, by default; an `external` agent with
 * `edits_in_place: true`). Their prompts ask for edits in the workspace instead of file blocks,
 * and their change is taken from the workspace.
 *
 * For an external step the "before" is a durable snapshot taken when the step starts waiting and
 * recorded in the log (workspace_snapshot_taken), so the result may come in to another process,
 * or after a restart; the prompt is handed out only once it is recorded. `# File:` blocks in the
 * result are still written, on top of what the host edited.
 */
import type { Step } from '../core/definition-schema.js';
import { ConvergeError, isConvergeError } from '../core/errors.js';
import type { NewEvent, WorkspaceSnapshot } from '../core/events.js';
import type { FileChange } from '../core/records.js';
import type { StepRun, WorkflowState } from '../core/state.js';
import type { AgentChoice } from '../agents/index.js';
import { assertComplete, parseFileBlocks } from '../agents/parsing/index.js';
import { applyFileChanges } from '../workspace/path-guard.js';
import { changesSinceSnapshot, collectChanges, describeOmissions, dropDurableSnapshot, takeDurableSnapshot } from '../workspace/index.js';
import { assertSubmissionComplete } from './submission-check.js';
import type { Clock } from './clock.js';

/** What a template knows of the agent it is rendered for (`agent.kind`, `agent.edits_in_place`). */
export interface PromptAgent {
  kind: 'api' | 'command' | 'scripted' | 'external';
  edits_in_place: boolean;
}

/** The agent a template is rendered for, when the caller does not know it (a preview). */
export const FILE_BLOCK_AGENT: PromptAgent = { kind: 'api', edits_in_place: false };

/** A code step: its change is a set of files. */
export function isCodeStep(step: Step): boolean {
  return step.kind === 'produce' && step.role === 'programmer';
}

/** The snapshot an external code step's change is measured against, when it has a usable one. */
export function usableSnapshot(run: StepRun | undefined): Exclude<WorkspaceSnapshot, { method: 'none' }> | undefined {
  return run?.snapshot !== undefined && run.snapshot.method !== 'none' ? run.snapshot : undefined;
}

/**
 * The template's `agent`. An external code step edits in place only with a usable snapshot: a
 * workspace that could not be snapshotted is told to return file blocks after all.
 */
export function promptAgentFor(choice: AgentChoice, step: Step, run: StepRun | undefined): PromptAgent {
  if (choice.kind === 'external') {
    const inPlace = choice.editsInPlace === true && (!isCodeStep(step) || usableSnapshot(run) !== undefined);
    return { kind: 'external', edits_in_place: inPlace };
  }
  const provider = choice.agent.provider;
  if (provider === 'command') return { kind: 'command', edits_in_place: true };
  return { kind: provider === 'scripted' ? 'scripted' : 'api', edits_in_place: false };
}

/** True while an external code step of a host that edits in place has no snapshot recorded yet. */
export function awaitsSnapshot(choice: AgentChoice, step: Step, run: StepRun): boolean {
  return choice.kind === 'external' && choice.editsInPlace === true && isCodeStep(step) && run.snapshot === undefined;
}

/** The event that records the snapshot (or why none could be taken). */
export async function snapshotEvent(clock: Clock, state: WorkflowState, run: StepRun): Promise<NewEvent> {
  const snapshot = await takeDurableSnapshot(state.workspace.path, run.actionId);
  return { type: 'workspace_snapshot_taken', at: clock.now(), actionId: run.actionId, snapshot };
}

export interface InPlaceSubmission {
  /** The summary with a note of what could not be recorded. */
  text: string;
  files: FileChange[];
  refused: Array<{ path: string; reason: string }>;
}

/**
 * A submitted result for an external code step with a snapshot: its `# File:` blocks written,
 * then every change since the snapshot read from the workspace. Refused (RESULT_INVALID, nothing
 * recorded) when nothing changed at all.
 */
export async function inPlaceSubmission(
  state: WorkflowState,
  step: Step,
  run: StepRun,
  texts: string[],
  readOnlyPaths: readonly string[],
): Promise<InPlaceSubmission> {
  const snapshot = usableSnapshot(run)!;
  assertSubmissionComplete(step, texts);
  const text = texts.join('\n\n');
  assertComplete(text, 'the code answer');
  const workspace = state.workspace.path;
  const blocks = fileBlocksIn(text, { strict: true });
  const written = applyFileChanges(workspace, blocks, readOnlyPaths);
  const changes = collectChanges(workspace, (await changesSinceSnapshot(workspace, snapshot)) ?? [], []);
  if (changes.files.length === 0 && blocks.length === 0) {
    throw new ConvergeError('RESULT_INVALID', `Nothing changed in the workspace ${workspace} since step ${step.number} (${step.id}) began, and the result has no "# File:" blocks.`, {
      hint: 'Edit the files in the workspace, then submit your summary; or put the files in the result as "# File:" blocks. Nothing was recorded.',
      details: { step: step.number, failureClass: 'invalid_output' },
    });
  }
  return { text: text + describeOmissions(changes), files: changes.files, refused: [...written.refused, ...changes.refused] };
}

/** Once the result is recorded the snapshot has served; removing it is tidying only. */
export async function dropSnapshot(state: WorkflowState, run: StepRun): Promise<void> {
  const snapshot = usableSnapshot(run);
  if (snapshot !== undefined) await dropDurableSnapshot(state.workspace.path, snapshot).catch(() => undefined);
}

/**
 * The `# File:` blocks of an in-place agent's text, if it wrote any. A summary with no block is
 * fine; `strict` refuses blocks that cannot be read (a submitter can fix them), otherwise they are
 * ignored (a CLI agent's files on disk are the truth, its text only a summary).
 */
export function fileBlocksIn(text: string, options: { strict: boolean }): FileChange[] {
  try {
    return parseFileBlocks(text);
  } catch (error) {
    const unreadable = isConvergeError(error) && error.details.failureClass === 'invalid_output';
    if (!unreadable) throw error;
    if (options.strict && BLOCK_HEADER.test(text)) throw error;
    return [];
  }
}

const BLOCK_HEADER = /^#{1,6}\s*(?:file|delete)\s*:/im;

/** The agent's own changes with the blocks its text carried written on top (a block's path wins). */
export function withBlocks(agentFiles: readonly FileChange[], blocks: readonly FileChange[], written: readonly string[]): FileChange[] {
  const byPath = new Map(agentFiles.map((f) => [f.path, f]));
  for (const block of blocks) if (written.includes(block.path)) byPath.set(block.path, block);
  return [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * A CLI agent's own changes, with any `# File:` blocks its text carries written on top: the
 * blocks are what it said last, so where both name a path the block wins.
 */
export function withWrittenBlocks(
  workspace: string,
  text: string,
  files: readonly FileChange[],
  refused: ReadonlyArray<{ path: string; reason: string }>,
  readOnlyPaths: readonly string[],
): { files: FileChange[]; refused: Array<{ path: string; reason: string }> } {
  const blocks = fileBlocksIn(text, { strict: false });
  if (blocks.length === 0) return { files: [...files], refused: [...refused] };
  const written = applyFileChanges(workspace, blocks, readOnlyPaths);
  return { files: withBlocks(files, blocks, written.written), refused: [...refused, ...written.refused] };
}
