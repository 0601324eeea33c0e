/**
 * One set of access rules for every interface. The CLI, the HTTP API and the MCP server call
 * these methods for everything that changes a workflow. Each method checks the caller's role,
 * validates what only the server can judge (the workspace root, where definitions may come from),
 * runs the engine command, and writes one audit row naming the actor and the transport — also
 * when the command is refused. An interface parses its own input and formats its own answer; it
 * has no rules of its own.
 */
import type { Budget } from '../../core/definition-schema.js';
import { approvalProgress } from '../../core/approval-policy.js';
import type { NewEvent } from '../../core/events.js';
import type { EscalationAnswer } from '../../core/events.js';
import { ConvergeError, isConvergeError } from '../../core/errors.js';
import { checkRequirements, checkSubmission } from './text-limits.js';
import type { WorkflowState } from '../../core/state.js';
import type { Clock } from '../../engine/clock.js';
import type { Engine } from '../../engine/create-engine.js';
import type { Store } from '../../store/store.js';
import {
  answerEscalation,
  cancelWorkflow,
  forkWorkflow,
  respondToGate,
  setPaused,
  startWorkflow,
  submitStepResult,
} from '../../engine/workflow-commands.js';
import type { GateResponse } from '../../engine/workflow-commands.js';
import { loadState } from '../../engine/workflow-log.js';
import { recordHumanRevision } from '../../engine/human-revision.js';
import type { RecordedRevision, RevisionInput } from '../../engine/human-revision.js';
import type { AuditRecordInput, Role } from '../../ops/index.js';
import { roleAtLeast } from '../../ops/index.js';
import type { ProjectConfig } from '../../workflows/project-config.js';
import { definitionFor, workspaceFor } from './start-sources.js';

export type Transport = 'cli' | 'http' | 'mcp';

/** Who asks, as each interface knows them: a token's name and role, an MCP client, the local user. */
export interface Caller {
  name: string;
  role: Role;
  via: Transport;
  tokenId?: string | null;
  requestId?: string;
}

/** Where audit rows go; `Audit` of src/ops, or a sink that opens it on first use (the CLI). */
export interface AuditSink {
  record(input: AuditRecordInput): Promise<unknown>;
}

export interface WorkflowAccessOptions {
  store: Store;
  clock: Clock;
  /** Needed to start workflows and take step results; answers and cancels need only the store. */
  engine?: Engine;
  audit?: AuditSink;
  /** Workspaces must lie inside this folder (symlinks followed); undefined: anywhere (the local CLI). */
  workspaceRoot?: string;
  /** Definition and profile files must lie inside one of these; undefined: any path (the local CLI). */
  definitionRoots?: readonly string[];
  /** converge.yaml as loaded, for a start that names its own definition or profile. */
  project?: { config: ProjectConfig; baseDir: string };
  /** Called when an audit row could not be written; the command itself stands. */
  onAuditError?: (error: unknown) => void;
}

export interface StartRequest {
  requirements: string;
  /** A folder; relative paths resolve against the workspace root (or the working directory). */
  workspace?: string;
  workspaceType?: 'shared' | 'isolated';
  /** A built-in name or a file inside the allowed folders; default: the engine's. */
  definition?: string;
  profile?: string;
  taskType?: string;
  name?: string;
  id?: string;
  documentationLocations?: readonly string[];
  autoApprove: boolean;
  agentMode?: 'host' | 'configured';
  /** Host mode: the host edits the workspace itself (default true). */
  editsInPlace?: boolean;
  /** Replaces the definition's budget limit by limit (CLI --budget-usd …, HTTP and MCP `budget`). */
  budget?: Budget;
}

/** The role each action needs; one table, so no interface can drift from another. */
export const ROLE_NEEDED = {
  start: 'operator',
  autoApprove: 'approver',
  gate: 'approver',
  /** A human revision at a gate is part of answering it. */
  edit: 'approver',
  escalation: 'approver',
  cancel: 'operator',
  fork: 'operator',
  pause: 'operator',
  resume: 'operator',
  submit: 'operator',
  checks: 'operator',
} as const satisfies Record<string, Role>;

export class WorkflowAccess {
  readonly #o: WorkflowAccessOptions;

  constructor(options: WorkflowAccessOptions) {
    this.#o = options;
  }

  /** Refuses (FORBIDDEN) and audits when the caller's role is below `needed`. */
  async authorize(caller: Caller, needed: Role, action: string, target: string | null, why?: string): Promise<void> {
    if (roleAtLeast(caller.role, needed)) return;
    await this.#audit(caller, 'auth.denied', target, { needed, role: caller.role, attempted: action });
    throw new ConvergeError('FORBIDDEN', `${why ?? `This needs the ${needed} role`}; ${caller.name} has ${caller.role}.`, {
      hint: 'Ask an admin for a token with that role.',
      details: { needed, role: caller.role },
    });
  }

  async start(caller: Caller, request: StartRequest): Promise<WorkflowState> {
    const target = request.id ?? null;
    await this.authorize(caller, ROLE_NEEDED.start, 'workflow.start', target);
    if (request.autoApprove) {
      await this.authorize(caller, ROLE_NEEDED.autoApprove, 'workflow.start', target, 'Starting with auto_approve passes every gate, so it needs the approver role');
    }
    const details = {
      auto_approve: request.autoApprove,
      ...(request.workspace !== undefined ? { workspace: request.workspace } : {}),
      ...(request.budget !== undefined ? { budget: request.budget } : {}),
    };
    return this.#audited(caller, 'workflow.start', target, details, async () => {
      const engine = this.#engine('start a workflow');
      checkRequirements(request.requirements, engine.config.limits);
      if (request.id !== undefined && (await engine.store.getWorkflow(request.id)) !== undefined) {
        throw new ConvergeError('ILLEGAL_ACTION', `A workflow ${request.id} already exists in this store.`, { hint: 'Choose another id, or leave it out to get a generated one.' });
      }
      const workspace = workspaceFor(request.workspace ?? '.', this.#o.workspaceRoot);
      const { definition, profile } = definitionFor(engine, request, this.#o.project, this.#o.definitionRoots);
      const state = await startWorkflow(engine.store, engine.clock, {
        definition,
        requirements: request.requirements,
        workspace: { path: workspace, type: request.workspaceType ?? 'shared' },
        profile,
        ...(request.taskType !== undefined ? { taskType: request.taskType } : {}),
        ...(request.name !== undefined ? { name: request.name } : {}),
        ...(request.id !== undefined ? { id: request.id } : {}),
        documentationLocations: [...new Set([...definition.knowledge, ...(request.documentationLocations ?? [])])],
        autoApprove: request.autoApprove,
        ...(request.agentMode !== undefined ? { agentMode: request.agentMode } : {}),
        ...(request.editsInPlace !== undefined ? { editsInPlace: request.editsInPlace } : {}),
        ...(request.budget !== undefined ? { budget: request.budget } : {}),
        actor: this.#actor(caller),
      });
      return { result: state, target: state.workflowId, details: { workspace } };
    });
  }

  async respondToGate(caller: Caller, id: string, response: GateResponse): Promise<WorkflowState> {
    await this.authorize(caller, ROLE_NEEDED.gate, `approval.${response.decision}`, id);
    const { store, clock } = this.#o;
    const gate = await loadState(store, id).then((s) => s.gate?.gateId ?? null, () => null);
    const details = {
      gate,
      ...(response.comment !== undefined ? { comment: response.comment } : {}),
      change_requests: response.decision === 'request_changes' ? response.changeRequests : [],
    };
    // The gate's approval policy is checked by the engine against the state it appends to.
    return this.#audited(caller, `approval.${response.decision}`, id, details, async () => {
      const state = await respondToGate(store, clock, id, response, this.#actor(caller), { name: caller.name, role: caller.role });
      const progress = approvalProgress(state);
      return { result: state, details: progress === null ? { gate_open: false } : { gate_open: true, approvals: { given: progress.given, required: progress.required } } };
    });
  }

  /** Records a person's own version of the plan or a file at the pending gate, audited like an answer. */
  async editAtGate(caller: Caller, id: string, input: RevisionInput): Promise<RecordedRevision> {
    await this.authorize(caller, ROLE_NEEDED.edit, 'gate.edit', id);
    const { store, clock } = this.#o;
    const details = { target: input.target, ...(input.path !== undefined ? { path: input.path } : {}), ...(input.comment !== undefined ? { comment: input.comment } : {}) };
    return this.#audited(caller, 'gate.edit', id, details, async () => {
      const recorded = await recordHumanRevision(store, clock, id, input, this.#actor(caller), this.#o.engine?.profile.workspace.read_only ?? []);
      return { result: recorded, details: { artifact: recorded.revision.artifact, version: recorded.revision.version } };
    });
  }

  async answerEscalation(caller: Caller, id: string, answer: EscalationAnswer, comment?: string): Promise<WorkflowState> {
    await this.authorize(caller, ROLE_NEEDED.escalation, `escalation.${answer.kind}`, id);
    const { store, clock } = this.#o;
    return this.#audited(caller, `escalation.${answer.kind}`, id, { answer, ...(comment !== undefined ? { comment } : {}) }, async () => ({
      result: await answerEscalation(store, clock, id, answer, this.#actor(caller), comment),
    }));
  }

  async cancel(caller: Caller, id: string, reason?: string): Promise<WorkflowState> {
    await this.authorize(caller, ROLE_NEEDED.cancel, 'workflow.cancel', id);
    const { store, clock } = this.#o;
    return this.#audited(caller, 'workflow.cancel', id, reason !== undefined ? { reason } : {}, async () => ({
      result: await cancelWorkflow(store, clock, id, this.#actor(caller), reason),
    }));
  }

  async fork(caller: Caller, id: string, fromStep: number): Promise<WorkflowState> {
    await this.authorize(caller, ROLE_NEEDED.fork, 'workflow.fork', id);
    const { store, clock } = this.#o;
    return this.#audited(caller, 'workflow.fork', id, { from_step: fromStep }, async () => {
      const fork = await forkWorkflow(store, clock, id, fromStep);
      return { result: fork, details: { fork: fork.workflowId } };
    });
  }

  async setPaused(caller: Caller, id: string, paused: boolean): Promise<WorkflowState> {
    const action = paused ? 'workflow.pause' : 'workflow.resume';
    await this.authorize(caller, ROLE_NEEDED.pause, action, id);
    const { store, clock } = this.#o;
    return this.#audited(caller, action, id, {}, async () => ({
      result: await setPaused(store, clock, id, paused, this.#actor(caller)),
    }));
  }

  async submitResult(caller: Caller, id: string, step: number | undefined, texts: string[]): Promise<WorkflowState> {
    await this.authorize(caller, ROLE_NEEDED.submit, 'workflow.submit_result', id);
    return this.#audited(caller, 'workflow.submit_result', id, { step: step ?? null, texts: texts.length }, async () => {
      const engine = this.#engine('take a step result');
      checkSubmission(texts, engine.config.limits);
      return { result: await submitStepResult(engine.store, engine.executor, id, step, texts) };
    });
  }

  #engine(what: string): Engine {
    if (this.#o.engine === undefined) throw new ConvergeError('INTERNAL', `The access layer was built without an engine, so it cannot ${what}.`);
    return this.#o.engine;
  }

  #actor(caller: Caller): Extract<NewEvent, { type: 'cancelled' }>['actor'] {
    return { id: caller.name, via: caller.via };
  }

  /** Runs `work` and writes its audit row, with the outcome, whether it succeeded or was refused. */
  async #audited<T>(
    caller: Caller,
    action: string,
    target: string | null,
    details: Record<string, unknown>,
    work: () => Promise<{ result: T; target?: string; details?: Record<string, unknown> }>,
  ): Promise<T> {
    try {
      const done = await work();
      await this.#audit(caller, action, done.target ?? target, { ...details, ...done.details, outcome: 'ok' });
      return done.result;
    } catch (error) {
      await this.#audit(caller, action, target, { ...details, outcome: 'error', error: isConvergeError(error) ? error.code : 'INTERNAL' });
      throw error;
    }
  }

  async #audit(caller: Caller, action: string, target: string | null, details: Record<string, unknown>): Promise<void> {
    if (this.#o.audit === undefined) return;
    try {
      await this.#o.audit.record({
        actor: caller.name,
        action,
        target,
        details: {
          ...details,
          via: caller.via,
          ...(caller.tokenId ? { token_id: caller.tokenId } : {}),
          ...(caller.requestId ? { request_id: caller.requestId } : {}),
        },
      });
    } catch (error) {
      // The change already happened (or was refused); losing its row is bad, failing the caller is worse.
      this.#o.onAuditError?.(error);
    }
  }
}
