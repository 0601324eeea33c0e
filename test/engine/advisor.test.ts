/**
 * The optional advisor answers escalations in the complex cases, only with legal answers,
 * recorded as its own; without it (or with an illegal answer) the escalation waits for a person.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { createEngine } from '../../src/engine/create-engine.js';
import { startWorkflow } from '../../src/engine/workflow-commands.js';
import { loadState } from '../../src/engine/workflow-log.js';
import { loadDefinition } from '../../src/workflows/loader.js';
import { ProjectConfigSchema } from '../../src/workflows/project-config.js';

const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures');

async function runWithAdvisor(enabled: boolean, advisorText?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'converge-advisor-'));
  cpSync(join(FIXTURES, 'crash', 'project'), join(dir, 'ws'), { recursive: true });
  const def = structuredClone(loadDefinition('seven-step'));
  def.advisor = { enabled };
  writeFileSync(join(dir, 'definition.yaml'), stringify(def));
  const session = join(FIXTURES, 'advisor', 'session.yaml');
  const advisor = advisorText === undefined ? { provider: 'scripted', session } : { provider: 'scripted', session: join(dir, 'advisor.yaml') };
  if (advisorText !== undefined) writeFileSync(join(dir, 'advisor.yaml'), stringify({ advisor: [{ text: advisorText }] }));
  const store = await openStore(':memory:');
  const config = ProjectConfigSchema.parse({
    definition: join(dir, 'definition.yaml'),
    checks: [{ id: 'value', command: ['node', 'check.mjs'], required: true }],
    agents: { default: { provider: 'scripted', session }, advisor },
  });
  const engine = createEngine({ store, config, baseDir: dir });
  const started = await startWorkflow(store, engine.clock, { definition: engine.definition, requirements: 'Write the value file', workspace: { path: join(dir, 'ws'), type: 'shared' }, autoApprove: true });
  await engine.runner.run(started.workflowId);
  return loadState(store, started.workflowId);
}

describe('advisor', () => {
  it('answers a failure escalation with a legal retry, recorded as the advisor, and the workflow completes', async () => {
    const state = await runWithAdvisor(true);
    expect(state.status).toBe('completed');
    expect(state.escalations).toHaveLength(1);
    expect(state.escalations[0]).toMatchObject({ reason: 'failure', answer: { kind: 'retry' }, actor: { id: expect.stringMatching(/^advisor:scripted/), via: 'engine' } });
  });

  it('is not asked when the definition does not enable it', async () => {
    const state = await runWithAdvisor(false);
    expect(state.status).toBe('waiting_for_human');
    expect(state.escalation).toMatchObject({ reason: 'failure' });
  });

  it('leaves the escalation to a person when its answer is not a legal option', async () => {
    const state = await runWithAdvisor(true, '{"choice": "accept", "reasoning": "accept is not legal for a failure"}');
    expect(state.status).toBe('waiting_for_human');
    expect(state.escalations[0]?.answer).toBeUndefined();
  });
});
