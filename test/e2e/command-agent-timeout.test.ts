/**
 * A command agent's `timeout_s` is its time for a step, whatever the definition's step timeout
 * (issue 16, part 3), and the `extended_timeout` recovery doubles the agent's time, not the
 * definition's. The agent here never finishes: each attempt ends at its deadline.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { createEngine } from '../../src/engine/create-engine.js';
import { startWorkflow } from '../../src/engine/workflow-commands.js';
import { loadState } from '../../src/engine/workflow-log.js';
import { ProjectConfigSchema } from '../../src/workflows/project-config.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');

it('gives a command agent its own timeout_s for a step, and extended_timeout doubles it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'converge-agent-timeout-'));
  const workspace = join(dir, 'project');
  cpSync(join(FIXTURES, 'crash', 'project'), workspace, { recursive: true });
  // The definition's step timeout stays at its 300 s; one extended retry, then a person.
  const definition = parse(readFileSync(join(ROOT, 'src', 'workflows', 'definitions', 'seven-step.yaml'), 'utf8'));
  definition.recovery.timeout = { strategy: 'extended_timeout', max_attempts: 1, timeout_multiplier: 2 };
  writeFileSync(join(dir, 'definition.yaml'), stringify(definition));
  const store = await openStore(':memory:');
  const config = ProjectConfigSchema.parse({
    definition: join(dir, 'definition.yaml'),
    agents: {
      planner: { provider: 'scripted', session: 'command-workflow/session.yaml' },
      validator: { provider: 'scripted', session: 'command-workflow/session.yaml' },
      programmer: { provider: 'command', command: ['sleep', '600'], timeout_s: 1 },
    },
  });
  const engine = createEngine({ store, config, baseDir: FIXTURES });
  const started = await startWorkflow(store, engine.clock, { definition: engine.definition, requirements: 'Write the value file', workspace: { path: workspace, type: 'shared' }, autoApprove: true });
  await engine.runner.run(started.workflowId);
  const state = await loadState(store, started.workflowId);

  const attempts = state.runs.filter((r) => r.stepId === 'implement');
  expect(attempts.map((r) => r.failure?.class)).toEqual(['timeout', 'timeout']);
  expect(attempts.map((r) => /within (\d+) s/.exec(r.failure?.message ?? '')?.[1])).toEqual(['1', '2']);
  expect(state.status).toBe('waiting_for_human');
  expect(state.escalation).toMatchObject({ reason: 'failure', stepId: 'implement' });
}, 60_000);
