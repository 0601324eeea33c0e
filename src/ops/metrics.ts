/**
 * Prometheus metrics of one Converge process, on a registry of its own (never the global one,
 * so two apps in one test process do not collide). Buckets are the seed's (digest §1.I).
 * `observeEvents` is the engine's `onEvents` hook: metrics come from the event log, the one
 * source of truth, not from scattered counters in the engine.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { evaluateConvergence } from '../core/convergence.js';
import type { WorkflowEvent } from '../core/events.js';
import type { Usage } from '../core/records.js';
import { TERMINAL_STATUSES } from '../core/state.js';
import type { WorkflowState } from '../core/state.js';

export const WORKFLOW_DURATION_BUCKETS = [1, 5, 10, 30, 60, 300, 600, 1800];
export const AGENT_RESPONSE_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 30];
export const REQUEST_DURATION_BUCKETS = AGENT_RESPONSE_BUCKETS;
export const VALIDATION_DURATION_BUCKETS = [1, 5, 10, 30, 60, 120, 300];
export const ROUNDS_BUCKETS = [1, 2, 3, 4, 5, 6, 8, 10];

export interface ConvergeMetrics {
  readonly registry: Registry;
  readonly workflowDuration: Histogram<'outcome'>;
  readonly agentResponse: Histogram<'role'>;
  readonly validationDuration: Histogram<'artifact'>;
  readonly roundsToConverge: Histogram<'loop'>;
  readonly workflowsTotal: Counter<'outcome'>;
  readonly failuresTotal: Counter<'class'>;
  readonly tokensTotal: Counter<'provider' | 'kind'>;
  readonly costUsdTotal: Counter<'provider'>;
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
}

export interface MetricsOptions {
  /** Node process metrics (CPU, memory, event loop), prefixed `converge_`. Default true. */
  processMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): ConvergeMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'converge_' });
  const registers = [registry];
  return {
    registry,
    workflowDuration: new Histogram({ name: 'converge_workflow_duration_seconds', help: 'Time from start to the end of a workflow.', labelNames: ['outcome'], buckets: WORKFLOW_DURATION_BUCKETS, registers }),
    agentResponse: new Histogram({ name: 'converge_agent_response_seconds', help: 'Time an agent took to answer a step (checks excluded).', labelNames: ['role'], buckets: AGENT_RESPONSE_BUCKETS, registers }),
    validationDuration: new Histogram({ name: 'converge_validation_duration_seconds', help: 'Time of a validate step, checks and review.', labelNames: ['artifact'], buckets: VALIDATION_DURATION_BUCKETS, registers }),
    roundsToConverge: new Histogram({ name: 'converge_rounds_to_converge', help: 'Validation rounds a loop needed to converge.', labelNames: ['loop'], buckets: ROUNDS_BUCKETS, registers }),
    workflowsTotal: new Counter({ name: 'converge_workflows_total', help: 'Workflows that ended, by outcome.', labelNames: ['outcome'], registers }),
    failuresTotal: new Counter({ name: 'converge_failures_total', help: 'Step failures, by failure class.', labelNames: ['class'], registers }),
    tokensTotal: new Counter({ name: 'converge_tokens_total', help: 'Tokens used by agents.', labelNames: ['provider', 'kind'], registers }),
    costUsdTotal: new Counter({ name: 'converge_cost_usd_total', help: 'Agent cost in US dollars.', labelNames: ['provider'], registers }),
    requestDuration: new Histogram({ name: 'converge_http_request_duration_seconds', help: 'HTTP API request time.', labelNames: ['method', 'route', 'status'], buckets: REQUEST_DURATION_BUCKETS, registers }),
  };
}

/** The exposition text and its content type, for /metrics. */
export async function metricsExposition(metrics: ConvergeMetrics): Promise<{ contentType: string; body: string }> {
  return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
}

const ENDINGS = new Set<WorkflowEvent['type']>(['workflow_completed', 'workflow_failed', 'cancelled', 'approval_decided', 'escalation_answered']);

/** Feeds metrics from events just appended; `state` is the state after them. */
export function observeEvents(metrics: ConvergeMetrics, state: WorkflowState, events: readonly WorkflowEvent[]): void {
  for (const event of events) {
    switch (event.type) {
      case 'step_output_recorded':
      case 'validation_recorded':
      case 'step_failed':
        observeResult(metrics, state, event);
        break;
      default:
        break;
    }
  }
  if (TERMINAL_STATUSES.has(state.status) && events.some((e) => ENDINGS.has(e.type))) {
    const end = events[events.length - 1]!.at;
    metrics.workflowsTotal.inc({ outcome: state.status });
    metrics.workflowDuration.observe({ outcome: state.status }, seconds(state.createdAt, end));
  }
}

type ResultEvent = Extract<WorkflowEvent, { type: 'step_output_recorded' | 'validation_recorded' | 'step_failed' }>;

function observeResult(metrics: ConvergeMetrics, state: WorkflowState, event: ResultEvent): void {
  for (const usage of event.usage ?? []) observeUsage(metrics, usage);
  if (event.type === 'step_failed') metrics.failuresTotal.inc({ class: event.failure.class });
  const run = state.runs.find((r) => r.actionId === event.actionId);
  if (run?.startedAt === undefined) return;
  const total = seconds(run.startedAt, event.at);
  const checks = (run.checks ?? []).reduce((sum, c) => sum + c.durationMs, 0) / 1000;
  metrics.agentResponse.observe({ role: run.role }, Math.max(0, total - checks));
  if (event.type !== 'validation_recorded') return;
  metrics.validationDuration.observe({ artifact: event.report.kind }, total);
  const step = state.definition.steps.find((s) => s.id === run.stepId);
  const rubric = state.definition.rubrics.find((r) => r.id === step?.rubric);
  const record = state.validations.find((v) => v.actionId === event.actionId);
  if (step?.loop === undefined || rubric === undefined || record === undefined) return;
  if (evaluateConvergence(rubric, event.report).converged) metrics.roundsToConverge.observe({ loop: step.loop }, record.round);
}

function observeUsage(metrics: ConvergeMetrics, usage: Usage): void {
  const provider = usage.provider ?? 'unknown';
  const kinds: Array<[string, number]> = [
    ['input', usage.inputTokens],
    ['output', usage.outputTokens],
    ['cached_input', usage.cachedInputTokens],
  ];
  for (const [kind, value] of kinds) if (value > 0) metrics.tokensTotal.inc({ provider, kind }, value);
  metrics.costUsdTotal.inc({ provider }, usage.costUsd);
}

function seconds(fromIso: string, toIso: string): number {
  return Math.max(0, (Date.parse(toIso) - Date.parse(fromIso)) / 1000);
}
