/**
 * A person's own version at a pending gate (issue 17, part 3): the plan's new text, or one file's
 * new content, recorded as `human_revision_recorded` with its diff against the version it
 * replaces. A file is written into the workspace through the same guard as an agent's writes
 * (no escapes, no read-only folders, never `.converge`) before the event is appended. The gate
 * stays pending: approving then approves the edited version.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { ConvergeError } from '../core/errors.js';
import type { Actor } from '../core/events.js';
import type { WorkflowState } from '../core/state.js';
import type { Store } from '../store/store.js';
import { applyFileChanges, resolveInside } from '../workspace/index.js';
import type { Clock } from './clock.js';
import { appendEvents, loadState } from './workflow-log.js';

export interface RevisionInput {
  target: 'plan' | 'file';
  /** For a file: relative to the workspace. */
  path?: string;
  content: string;
  comment?: string;
}

export interface RecordedRevision {
  state: WorkflowState;
  revision: { artifact: string; path: string | null; version: number; diff: string };
}

/** Folders a person's edit never writes, whatever the profile says: git's and Converge's own. */
const NEVER_WRITTEN = ['.git', '.converge'];

export async function recordHumanRevision(
  store: Store,
  clock: Clock,
  workflowId: string,
  input: RevisionInput,
  actor: Actor,
  readOnlyPaths: readonly string[] = [],
): Promise<RecordedRevision> {
  for (let attempt = 0; ; attempt++) {
    const state = await loadState(store, workflowId);
    const gate = state.gate;
    if (gate === null) {
      throw new ConvergeError('NOT_WAITING', `Workflow ${workflowId} has no pending gate, so there is nothing to edit before approving.`, {
        hint: 'Edit at a gate: `converge status ID` shows what the workflow waits for.',
      });
    }
    const gateArtifact = state.definition.steps.find((s) => s.id === gate.stepId)?.artifact ?? 'plan';
    const prepared = input.target === 'plan' ? planRevision(state, gateArtifact, input) : fileRevision(state, gateArtifact, input, readOnlyPaths);
    try {
      const next = await appendEvents(store, state, [
        {
          type: 'human_revision_recorded',
          at: clock.now(),
          interactionId: gate.interactionId,
          artifact: prepared.artifact,
          ...(prepared.path !== null ? { path: prepared.path, ...(prepared.created ? { created: true } : {}) } : {}),
          content: input.content,
          diff: prepared.diff,
          actor,
          ...(input.comment !== undefined && input.comment.trim() !== '' ? { comment: input.comment } : {}),
        },
      ]);
      const version = next.outputs.filter((o) => o.output.artifact === prepared.artifact).length;
      return { state: next, revision: { artifact: prepared.artifact, path: prepared.path, version, diff: prepared.diff } };
    } catch (error) {
      // Another writer appended first (an approval, a cancel): judge the edit again on the new state.
      if ((error as { code?: string }).code !== 'SEQUENCE_CONFLICT' || attempt >= 5) throw error;
    }
  }
}

interface Prepared {
  artifact: string;
  path: string | null;
  created: boolean;
  diff: string;
}

function planRevision(state: WorkflowState, gateArtifact: string, input: RevisionInput): Prepared {
  if (gateArtifact !== 'plan') {
    throw new ConvergeError('ILLEGAL_ACTION', `Workflow ${state.workflowId} waits at a ${gateArtifact} gate; the plan can be edited only at the plan gate.`, {
      hint: 'Edit a file instead (`converge edit ID --file PATH --from FILE`), or request changes.',
    });
  }
  if (input.content.trim() === '') {
    throw new ConvergeError('USAGE', 'The edited plan is empty.', { hint: 'Give the whole plan as it should read.', details: { field: 'content' } });
  }
  const plans = state.outputs.filter((o) => o.output.artifact === 'plan');
  const current = plans.at(-1)?.output.content ?? '';
  if (current === input.content) throw unchanged(state, 'the plan');
  const n = plans.length;
  const diff = createTwoFilesPatch(`plan v${n}`, `plan v${n + 1}`, current, input.content, undefined, undefined, { headerOptions: FILE_HEADERS_ONLY });
  return { artifact: 'plan', path: null, created: false, diff };
}

function fileRevision(state: WorkflowState, gateArtifact: string, input: RevisionInput, readOnlyPaths: readonly string[]): Prepared {
  if (gateArtifact === 'plan') {
    throw new ConvergeError('ILLEGAL_ACTION', `Workflow ${state.workflowId} waits at the plan gate; files can be edited at a code gate.`, {
      hint: 'Edit the plan instead (`converge edit ID --plan FILE`).',
    });
  }
  const path = (input.path ?? '').trim().replace(/\\/g, '/');
  if (path === '') throw new ConvergeError('USAGE', 'A file edit needs the file\'s path.', { hint: 'Give the path relative to the workspace, e.g. src/index.ts.', details: { field: 'path' } });
  const readOnly = [...NEVER_WRITTEN, ...readOnlyPaths];
  const target = resolveInside(state.workspace.path, path, readOnly);
  const created = !existsSync(target);
  if (!created && !statSync(target).isFile()) {
    throw new ConvergeError('USAGE', `${path} in the workspace of workflow ${state.workflowId} is not a file.`, { hint: 'Name a file, e.g. src/index.ts.', details: { field: 'path' } });
  }
  const before = created ? '' : readFileSync(target, 'utf8');
  if (!created && before === input.content) throw unchanged(state, path);
  const written = applyFileChanges(state.workspace.path, [{ path, action: created ? 'create' : 'update', content: input.content }], readOnly);
  const refused = written.refused[0];
  if (refused !== undefined) {
    throw new ConvergeError('PATH_ESCAPE', `The file ${path} cannot be written: ${refused.reason.replace(/\.$/, '')}.`, { hint: 'Edit a file inside the workspace.', details: { path } });
  }
  const diff = createTwoFilesPatch(created ? '/dev/null' : `a/${path}`, `b/${path}`, before, input.content, undefined, undefined, { headerOptions: FILE_HEADERS_ONLY });
  return { artifact: gateArtifact, path, created, diff };
}

function unchanged(state: WorkflowState, what: string): ConvergeError {
  return new ConvergeError('USAGE', `The edit leaves ${what} of workflow ${state.workflowId} as it is.`, { hint: 'Change something, or approve as is.' });
}
