/**
 * A CLI coding agent as the Programmer: a real script edits the workspace, Converge takes its
 * changes from the workspace (not from what it prints), records them, and the real check passes.
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { createEngine } from '../../src/engine/create-engine.js';
import { startWorkflow } from '../../src/engine/workflow-commands.js';
import { loadState } from '../../src/engine/workflow-log.js';
import { ProjectConfigSchema } from '../../src/workflows/project-config.js';
import { showText } from '../../src/interfaces/cli/show-format.js';
import { roundsView, timelineView } from '../../src/interfaces/http/workflow-views.js';
import { BWRAP_WORKS } from '../sandbox/sandbox-test-kit.js';

const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures');

/** Runs the workflow to its end with the fake coder as the Programmer; `extra` goes into converge.yaml. */
async function runWithCommandAgent(extra: Record<string, unknown> = {}) {
  const workspace = mkdtempSync(join(tmpdir(), 'converge-command-'));
  cpSync(join(FIXTURES, 'crash', 'project'), workspace, { recursive: true });
  const store = await openStore(':memory:');
  const config = ProjectConfigSchema.parse({
    checks: [{ id: 'value', command: ['node', 'check.mjs'], required: true }],
    agents: {
      planner: { provider: 'scripted', session: 'command-workflow/session.yaml' },
      validator: { provider: 'scripted', session: 'command-workflow/session.yaml' },
      programmer: { provider: 'command', command: ['node', join(FIXTURES, 'command-agents', 'fake-coder.mjs')], prompt_via: 'stdin', timeout_s: 60 },
    },
    ...extra,
  });
  const engine = createEngine({ store, config, baseDir: FIXTURES });
  const started = await startWorkflow(store, engine.clock, { definition: engine.definition, requirements: 'Write the value file', workspace: { path: workspace, type: 'shared' }, autoApprove: true });
  await engine.runner.run(started.workflowId);
  return { workspace, state: await loadState(store, started.workflowId) };
}

describe('a command agent as the programmer', () => {
  it('records the files the script changed and converges on the real check', async () => {
    const { workspace, state } = await runWithCommandAgent();
    expect(state.status).toBe('completed');
    const code = state.outputs.find((o) => o.output.artifact === 'code')!;
    expect(code.output.files).toEqual([expect.objectContaining({ path: 'src/value.txt', content: 'good' })]);
    expect(readFileSync(join(workspace, 'src', 'value.txt'), 'utf8')).toBe('good');
    expect(state.runs.find((r) => r.role === 'programmer')?.agent).toMatch(/^command:/);
    // Sandboxing is on by default: the agent and the check ran in bwrap wherever it works.
    const expected = BWRAP_WORKS ? 'bwrap' : 'none';
    expect(state.runs.find((r) => r.role === 'programmer')?.sandbox).toBe(expected);
    expect(state.runs.flatMap((r) => r.checks ?? []).map((c) => c.sandbox)).toContain(expected);
  }, 60_000);

  it('records `sandbox: none` from converge.yaml on the step and its checks, and show and the dashboard say so', async () => {
    const { state } = await runWithCommandAgent({ sandbox: 'none' });
    expect(state.status).toBe('completed');
    expect(state.runs.find((r) => r.role === 'programmer')?.sandbox).toBe('none');
    const show = showText(state);
    expect(show).toMatch(/implement .*completed, not sandboxed/);
    expect(show).toMatch(/value .*none \(not sandboxed\)/);
    expect(timelineView(state).find((item) => item['role'] === 'programmer')).toMatchObject({ sandbox: 'none' });
    expect(roundsView(state).flatMap((r) => r.checks).map((c) => c.sandbox)).toContain('none');
  }, 60_000);
});
