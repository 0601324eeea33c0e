/**
 * Runs whole workflows in-process against the fake LLM server: a memory store, the real engine,
 * the real AI SDK agents, checks that pass, gates approved automatically.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { openStore } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/store.js';
import { createEngine } from '../../../src/engine/create-engine.js';
import type { Engine } from '../../../src/engine/create-engine.js';
import { startWorkflow } from '../../../src/engine/workflow-commands.js';
import { loadState } from '../../../src/engine/workflow-log.js';
import type { WorkflowState } from '../../../src/core/state.js';
import type { WorkflowEvent } from '../../../src/core/events.js';
import { ProjectConfigSchema } from '../../../src/workflows/project-config.js';
import { loadDefinition } from '../../../src/workflows/loader.js';
import type { AgentsConfig } from '../../../src/agents/agent-config.js';

export const OUTPUTS = resolve(import.meta.dirname, '..', '..', 'fixtures', 'crash', 'outputs');
const PROJECT = resolve(import.meta.dirname, '..', '..', 'fixtures', 'crash', 'project');

export const text = (name: string) => readFileSync(join(OUTPUTS, name), 'utf8');
/** What the agents answer, in call order, for a workflow that converges on the first try. */
export const HAPPY_PATH = () => [text('plan-v2.md'), text('plan-review-2.md'), text('code-v2.md'), text('code-review-a2.md'), text('code-review-b2.md')];

export interface Harness {
  store: Store;
  engine: Engine;
  dir: string;
  start(): Promise<string>;
  run(id: string): Promise<WorkflowState>;
  events(id: string): Promise<WorkflowEvent[]>;
}

/** A seven-step definition with fast recovery, so tests don't wait for production backoffs. */
export function fastDefinition(dir: string, edit: (def: Record<string, unknown>) => void = () => {}): string {
  const def = structuredClone(loadDefinition('seven-step')) as unknown as Record<string, unknown>;
  const recovery = def.recovery as Record<string, Record<string, unknown>>;
  recovery.provider_down = { ...recovery.provider_down, backoff_ms: 20 };
  recovery.rate_limited = { ...recovery.rate_limited, backoff_ms: 20 };
  edit(def);
  const path = join(dir, 'definition.yaml');
  writeFileSync(path, stringify(def));
  return path;
}

export async function harness(agents: AgentsConfig, options: { edit?: (def: Record<string, unknown>) => void; env?: NodeJS.ProcessEnv } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'converge-providers-'));
  const store = await openStore(':memory:');
  const config = ProjectConfigSchema.parse({ definition: fastDefinition(dir, options.edit), checks: [], agents });
  const engine = createEngine({ store, config, baseDir: dir, pollMs: 20 });
  let n = 0;
  return {
    store,
    engine,
    dir,
    async start() {
      const workspace = join(dir, `ws-${n++}`);
      cpSync(PROJECT, workspace, { recursive: true });
      const state = await startWorkflow(store, engine.clock, { definition: engine.definition, requirements: 'Write the value file', workspace: { path: workspace, type: 'shared' }, autoApprove: true });
      return state.workflowId;
    },
    async run(id) {
      await engine.runner.run(id);
      return loadState(store, id);
    },
    events: (id) => store.readEvents(id),
  };
}
