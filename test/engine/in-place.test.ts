/**
 * Changes taken from the workspace for agents that edit in place (issue 16, part 2), below the
 * interfaces: an `external` agent with `edits_in_place: true` in converge.yaml on a workspace
 * outside git (the digest snapshot), file blocks written on top of edits, deletions, a refusal when
 * nothing changed; and a CLI agent's printed blocks written on top of its own edits.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/create-engine.js';
import { externalWait } from '../../src/engine/external-wait.js';
import { withWrittenBlocks } from '../../src/engine/in-place.js';
import { nextAction } from '../../src/engine/next-action.js';
import { cancelWorkflow, respondToGate, startWorkflow, submitStepResult } from '../../src/engine/workflow-commands.js';
import { loadState } from '../../src/engine/workflow-log.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { ProjectConfigSchema } from '../../src/workflows/project-config.js';
import { Run } from '../core/helpers.js';

const FIXTURE = resolve(import.meta.dirname, '..', 'fixtures', 'crash');
const output = (name: string) => readFileSync(join(FIXTURE, 'outputs', name), 'utf8');

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

/** A configured workflow whose agents are `external` with edits_in_place, at step 4, in a folder outside git. */
async function atStep4(): Promise<{ engine: Engine; id: string; workspace: string }> {
  const workspace = mkdtempSync(join(tmpdir(), 'converge-in-place-'));
  cpSync(join(FIXTURE, 'project'), workspace, { recursive: true });
  store = await openStore(':memory:');
  const config = ProjectConfigSchema.parse({
    checks: [{ id: 'value', command: ['node', 'check.mjs'], required: true }],
    agents: { default: { provider: 'external', edits_in_place: true } },
  });
  const engine = createEngine({ store, config, baseDir: workspace });
  const { workflowId: id } = await startWorkflow(store, engine.clock, { definition: engine.definition, requirements: 'Write the value file', workspace: { path: workspace, type: 'shared' } });
  const submit = async (step: number, name: string) => {
    await submitStepResult(engine.store, engine.executor, id, step, [output(name)]);
    await engine.runner.run(id, { waitForHumans: false });
  };
  await engine.runner.run(id, { waitForHumans: false });
  await submit(1, 'plan-v2.md');
  await submit(2, 'plan-review-2.md');
  await respondToGate(engine.store, engine.clock, id, { decision: 'approve' }, { id: 'tester', via: 'cli' });
  await engine.runner.run(id, { waitForHumans: false });
  return { engine, id, workspace };
}

describe('an external agent with edits_in_place on a workspace outside git', () => {
  it('records its edits, deletions and file blocks together, and the checks run on them', async () => {
    const { engine, id, workspace } = await atStep4();
    const state = await loadState(engine.store, id);
    const snapshot = state.runs.at(-1)!.snapshot;
    expect(snapshot).toMatchObject({ method: 'files', file: expect.stringContaining(join(workspace, '.converge', 'snapshots')) });
    const action = await nextAction(engine, state);
    expect(action).toMatchObject({ kind: 'submit_step_result', step_number: 4 });
    if (action.kind !== 'submit_step_result') throw new Error('unreachable');
    expect(action.prompts[0]!.text).toContain('Edit the files in the workspace directly');

    mkdirSync(join(workspace, 'src'));
    writeFileSync(join(workspace, 'src', 'value.txt'), 'good\n');
    rmSync(join(workspace, 'README.md'));
    const reply = '## Summary\n- value written in place; notes added as a block\n\n# File: docs/notes.md\n```markdown\nWhy good.\n```\n';
    await submitStepResult(engine.store, engine.executor, id, 4, [reply]);

    const after = await loadState(engine.store, id);
    expect(after.outputs.at(-1)!.output.files).toEqual([
      { path: 'docs/notes.md', action: 'create', content: 'Why good.\n' },
      { path: 'README.md', action: 'delete' },
      { path: 'src/value.txt', action: 'create', content: 'good\n' },
    ]);
    expect(existsSync(snapshot!.method === 'files' ? snapshot!.file : '')).toBe(false);
    await engine.runner.run(id, { waitForHumans: false });
    const step5 = await nextAction(engine, await loadState(engine.store, id));
    expect(step5).toMatchObject({ step_number: 5, check_results: [{ id: 'value', status: 'passed' }] });
  });

  it('refuses a summary when nothing changed, and records it once something has', async () => {
    const { engine, id, workspace } = await atStep4();
    const summary = '## Summary\n- done';
    await expect(submitStepResult(engine.store, engine.executor, id, 4, [summary])).rejects.toMatchObject({
      code: 'RESULT_INVALID',
      message: expect.stringContaining('Nothing changed in the workspace'),
    });
    expect((await loadState(engine.store, id)).outputs.filter((o) => o.output.artifact === 'code')).toEqual([]);
    mkdirSync(join(workspace, 'src'));
    writeFileSync(join(workspace, 'src', 'value.txt'), 'good\n');
    await submitStepResult(engine.store, engine.executor, id, 4, [summary]);
    expect((await loadState(engine.store, id)).outputs.at(-1)!.output.files.map((f) => f.path)).toEqual(['src/value.txt']);
  });
});

describe('a cancelled in-place code step', () => {
  it('removes the snapshot it was waiting with', async () => {
    const { engine, id } = await atStep4();
    const snapshot = (await loadState(engine.store, id)).runs.at(-1)!.snapshot;
    if (snapshot?.method !== 'files') throw new Error(`expected a files snapshot, got ${JSON.stringify(snapshot)}`);
    expect(existsSync(snapshot.file)).toBe(true);
    await cancelWorkflow(engine.store, engine.clock, id, { id: 'tester', via: 'cli' });
    expect(existsSync(snapshot.file)).toBe(false);
  });
});

describe('a CLI agent that also prints file blocks', () => {
  it('has its blocks written on top of its own edits, a block winning on the same path', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'converge-in-place-blocks-'));
    writeFileSync(join(workspace, 'a.txt'), 'from the block\n');
    const text = 'Done.\n\n# File: a.txt\n```text\nfrom the block\n```\n\n# File: b.txt\n```text\nonly in the block\n```\n';
    const own = [{ path: 'a.txt', action: 'update' as const, content: 'edited on disk\n' }, { path: 'c.txt', action: 'create' as const, content: 'c\n' }];
    const result = withWrittenBlocks(workspace, text, own, [], []);
    expect(result.files).toEqual([
      { path: 'a.txt', action: 'update', content: 'from the block\n' },
      { path: 'b.txt', action: 'update', content: 'only in the block\n' },
      { path: 'c.txt', action: 'create', content: 'c\n' },
    ]);
    expect(readFileSync(join(workspace, 'b.txt'), 'utf8')).toBe('only in the block\n');
  });

  it('ignores a summary with no blocks, or with blocks it cannot read', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'converge-in-place-blocks-'));
    const own = [{ path: 'a.txt', action: 'create' as const, content: 'a\n' }];
    expect(withWrittenBlocks(workspace, 'Created a.txt.', own, [], []).files).toEqual(own);
    expect(withWrittenBlocks(workspace, '# File: x.ts\n(no fence)', own, [], []).files).toEqual(own);
  });
});

describe("a host's code step before its snapshot is recorded", () => {
  it('is not yet waiting for the host, so a worker resumes it and takes the snapshot', () => {
    const run = new Run(undefined, { agentMode: 'host', editsInPlace: true });
    run.schedule('plan').produce('plan', '# Implementation Plan: x\n\n## 1. Overview\nWrite src/a.ts.');
    run.schedule('implement');
    const actionId = run.state().runs.at(-1)!.actionId;
    run.push({ type: 'step_started', at: '', actionId, agent: 'external' });
    expect(externalWait(run.state())).toBeNull();
    run.push({ type: 'workspace_snapshot_taken', at: '', actionId, snapshot: { method: 'git', commit: 'c0ffee', ref: 'refs/converge/snapshots/x' } });
    expect(externalWait(run.state())).toMatchObject({ stepNumber: 4, format: 'files' });
  });

  it('waits at once for a host that returns file blocks', () => {
    const run = new Run(undefined, { agentMode: 'host' });
    run.schedule('plan').produce('plan', '# Implementation Plan: x\n\n## 1. Overview\nWrite src/a.ts.');
    run.schedule('implement');
    run.push({ type: 'step_started', at: '', actionId: run.state().runs.at(-1)!.actionId, agent: 'external' });
    expect(externalWait(run.state())).toMatchObject({ stepNumber: 4 });
  });
});
