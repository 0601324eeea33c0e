/**
 * Wires a ready-to-run engine from converge.yaml: definition + profile, agents, templates,
 * checks, provider limits. Interfaces call this; tests call it with a memory store.
 */
import { dirname, join, resolve } from 'node:path';
import type { WorkflowDefinition } from '../core/definition-schema.js';
import type { Check } from '../core/profile-schema.js';
import type { Profile } from '../core/profile-schema.js';
import { createAgentResolver } from '../agents/index.js';
import type { AgentResolver } from '../agents/index.js';
import type { AgentsConfig } from '../agents/agent-config.js';
import { runChecks } from '../checks/index.js';
import type { CheckProgress } from '../checks/index.js';
import { createTemplateRenderer } from '../templates/template-renderer.js';
import { createKnowledgeProvider } from '../knowledge/index.js';
import type { Store } from '../store/store.js';
import type { ProjectConfig } from '../workflows/project-config.js';
import { effectiveDefinition, loadDefinition, loadProfile } from '../workflows/loader.js';
import { PACKAGE_ROOT } from '../workflows/builtin-files.js';
import { followingClock, systemClock } from './clock.js';
import type { Clock } from './clock.js';
import { ProviderLimiter } from './provider-limiter.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { Runner } from './runner.js';
import type { RunnerOptions } from './runner.js';
import type { StepExecutorDeps } from './step-executor.js';
import type { StepProgressListener } from './step-progress.js';

export interface EngineOptions {
  store: Store;
  config: ProjectConfig;
  /** Folder the config's relative paths are resolved against. */
  baseDir: string;
  agents?: AgentsConfig;
  clock?: Clock;
  limiter?: ProviderLimiter;
  onEvents?: RunnerOptions['onEvents'];
  /** Which check runs, what a command agent does: shown live, never recorded. */
  onProgress?: StepProgressListener;
  pollMs?: number;
  /** Overrides converge.yaml's `lease_ttl_s`. */
  leaseTtlMs?: number;
}

export interface Engine {
  store: Store;
  config: ProjectConfig;
  clock: Clock;
  definition: WorkflowDefinition;
  profile: Profile;
  runner: Runner;
  executor: StepExecutorDeps;
  agents: AgentResolver;
  limiter: ProviderLimiter;
}

/** Converge's own tools (tsc) are on the checks' PATH after the project's, so the demo and
 * projects without a local TypeScript can still type-check. */
export const CONVERGE_BIN = join(PACKAGE_ROOT, 'node_modules', '.bin');

export function createEngine(options: EngineOptions): Engine {
  const { config, baseDir } = options;
  // A store shared by several machines has one clock for all of them (the database's): events,
  // leases and timed waits are judged by it, so machines whose clocks disagree still agree.
  const store = options.store;
  const clock = options.clock ?? (store.databaseTime !== undefined ? followingClock(() => store.databaseTime!()) : systemClock);
  const profile = loadProfile(config.profile, baseDir);
  const definition = effectiveDefinition(loadDefinition(config.definition, baseDir), profile, config);
  const agents = createAgentResolver(options.agents ?? config.agents, baseDir, { sandbox: config.sandbox });
  const limiter = options.limiter ?? new ProviderLimiter(agents.limits());
  const templates = createTemplateRenderer(
    config.templates_dir !== undefined ? { templatesDir: resolve(baseDir, config.templates_dir) } : {},
  );
  const knowledge = createKnowledgeProvider();
  const executor: StepExecutorDeps = {
    clock,
    limiter,
    breaker: new CircuitBreaker(clock),
    templates,
    agentFor: (role, index, state) =>
      state?.agentMode === 'host' ? { kind: 'external', editsInPlace: state.editsInPlace === true } : agents.agentFor(role, index),
    runChecks: async (checks: Check[], workspace: string, signal: AbortSignal, onProgress?: (event: CheckProgress) => void) =>
      runChecks(
        checks,
        {
          workspace,
          signal,
          sandbox: config.sandbox,
          ...(config.check_concurrency === undefined ? {} : { concurrency: config.check_concurrency }),
          extraPath: [join(workspace, 'node_modules', '.bin'), CONVERGE_BIN, dirname(process.execPath)],
        },
        onProgress,
      ),
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
    readOnlyPaths: profile.workspace.read_only,
    saveTrace: (trace) => options.store.putTrace(trace),
    advisor: () => agents.advisor(),
    knowledgeFor: async (state, step, query) => {
      if (state.documentationLocations.length === 0) return '';
      const selection = await knowledge.select({ root: state.workspace.path, globs: state.documentationLocations, role: step.role, query });
      return selection.text;
    },
  };
  const runner = new Runner({
    store: options.store,
    clock,
    executor,
    ...(options.onEvents !== undefined ? { onEvents: options.onEvents } : {}),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    leaseTtlMs: options.leaseTtlMs ?? (config.lease_ttl_s ?? 30) * 1000,
  });
  return { store: options.store, config, clock, definition, profile, runner, executor, agents, limiter };
}
