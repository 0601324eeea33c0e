/**
 * The workflow state: a projection of the event log, built by `apply`. It holds facts only;
 * what to do next is `decide()`'s job.
 */
import type { Budget, RecoveryStrategy, Role, WorkflowDefinition } from './definition-schema.js';
import type {
  Actor,
  AgentOutput,
  ApprovalDecision,
  EscalationAnswer,
  EscalationReason,
  ReviewText,
  WorkflowEvent,
  WorkspaceInfo,
  WorkspaceSnapshot,
} from './events.js';
import type { SandboxKind, ToolResult, Usage, ValidationReport } from './records.js';

export type WorkflowStatus = 'running' | 'waiting_for_human' | 'completed' | 'rejected' | 'failed' | 'cancelled';
export const TERMINAL_STATUSES: ReadonlySet<WorkflowStatus> = new Set(['completed', 'rejected', 'failed', 'cancelled']);

export interface StepRun {
  actionId: string;
  stepId: string;
  stepNumber: number;
  role: Role;
  attempt: number;
  status: 'scheduled' | 'started' | 'completed' | 'failed';
  scheduledAt: string;
  startedAt?: string;
  /** The agent that ran it (`external` when the result is submitted from outside). */
  agent?: string;
  completedAt?: string;
  timeoutMs: number;
  recoveryStrategy?: RecoveryStrategy;
  changeRequests: string[];
  failure?: { class: string; message: string; retryAfterMs?: number };
  usage: Usage[];
  /** Deterministic check results of a validate step, once recorded. */
  checks?: ToolResult[];
  /** The workspace before an external code step whose host edits in place (see workspace_snapshot_taken). */
  snapshot?: WorkspaceSnapshot;
  /** The sandbox its agent's process ran in (command agents); `none` means unconfined. */
  sandbox?: SandboxKind;
  /** Agent calls this run made, counted so that replayed agents pick the same recorded output. */
  calls: number;
  /** The seq of the event that scheduled it (absent in snapshots from before it was kept). */
  seq?: number;
}

export interface OutputRecord {
  actionId: string;
  stepId: string;
  /** 1 for the first output of this artifact kind, 2 for the next … */
  version: number;
  output: AgentOutput;
  at: string;
  /** Set when a person wrote this version at a gate (a human revision), not an agent. */
  human?: { actor: Actor; comment?: string; seq: number; path?: string; diff: string };
}

export interface ValidationRecord {
  actionId: string;
  stepId: string;
  loopId?: string;
  /** 1-based round within the loop. */
  round: number;
  report: ValidationReport;
  /** The reviews as written (absent in logs from before they were kept). */
  reviews?: ReviewText[];
  at: string;
}

export interface PendingGate {
  gateId: string;
  interactionId: string;
  stepId: string;
  requestedAt: string;
  timeoutAt?: string;
  timedOut: boolean;
  /** Protected paths changed since a person last approved; the gate waits for a person whatever the policy. */
  protectedPaths?: string[];
  /** Approvals given so far that did not yet meet the gate's policy ("1 of 2"). */
  approvals?: ApprovalVote[];
  /** The seq of approval_requested (absent in snapshots from before it was kept). */
  seq?: number;
}

/** One person's approval counted toward a gate's policy. */
export interface ApprovalVote {
  actor: Actor;
  at: string;
  comment?: string;
}

export interface ApprovalRecord {
  gateId: string;
  interactionId: string;
  stepId: string;
  decision: ApprovalDecision;
  comment?: string;
  changeRequests: string[];
  actor: Actor;
  automatic?: 'auto_approve' | 'timeout_policy';
  at: string;
  /** The approvals recorded toward the policy before this answer closed the gate. */
  earlier?: ApprovalVote[];
  /** The seq of the answer that closed the gate (absent in snapshots from before it was kept). */
  seq?: number;
}

export interface PendingEscalation {
  escalationId: string;
  reason: EscalationReason;
  stepId: string;
  loopId?: string;
  message: string;
  raisedAt: string;
  /** The seq of escalation_raised (absent in snapshots from before it was kept). */
  seq?: number;
}

export interface EscalationRecord extends PendingEscalation {
  answer?: EscalationAnswer;
  actor?: Actor;
  answeredAt?: string;
  answeredSeq?: number;
}

/** What happened last that calls for a decision. */
export type LastOutcome =
  | { kind: 'started' }
  | { kind: 'produced'; stepId: string }
  | { kind: 'validated'; stepId: string }
  | { kind: 'failed'; stepId: string }
  | { kind: 'gate_answered'; gateId: string; stepId: string; decision: ApprovalDecision; changeRequests: string[] }
  | { kind: 'escalation_answered'; stepId: string; reason: EscalationReason; loopId?: string; answer: EscalationAnswer }
  | { kind: 'none' };

export interface LoopState {
  extraRounds: number;
  /** Validations before this index are ignored by the stall rule (reset by a human answer). */
  stallFrom: number;
}

export interface WorkflowState {
  workflowId: string;
  definition: WorkflowDefinition;
  name?: string;
  status: WorkflowStatus;
  paused: boolean;
  phase: string;
  requirements: string;
  workspace: WorkspaceInfo;
  profile?: string;
  taskType?: string;
  documentationLocations: string[];
  autoApprove: boolean;
  agentMode: 'host' | 'configured';
  /** Host mode only: the host edits the workspace itself (absent: it returns file blocks). */
  editsInPlace?: boolean;
  createdAt: string;
  updatedAt: string;
  seq: number;
  runs: StepRun[];
  outputs: OutputRecord[];
  validations: ValidationRecord[];
  loops: Record<string, LoopState>;
  last: LastOutcome;
  gate: PendingGate | null;
  askedReviewGates: string[];
  approvals: ApprovalRecord[];
  escalation: PendingEscalation | null;
  escalations: EscalationRecord[];
  phaseTransitions: Array<{ from: string; to: string; trigger: string; at: string; seq?: number }>;
  /** Failures of the step being retried, since its last success; reset by a result or a human answer. */
  failureStreak: Array<{ class: string; stepId: string }>;
  failureMessage?: string;
  completedAt?: string;
  workspaceResult?: { outcome: 'kept' | 'discarded'; branch: string; patchFile?: string; commit?: string; files?: string[] };
  forkedFrom?: { workflowId: string; seq: number; step: number };
  /** Who started it (absent in logs from before it was recorded). */
  startedBy?: Actor;
  /** The budget in force: the start's or the definition's, as raised since. */
  budget?: Budget;
  /** A person accepted going over the budget: it is shown, no longer enforced. */
  budgetAccepted?: boolean;
  /** Time spent waiting for people (gates, escalations, pauses), left out of the budget's duration. */
  waitedMs?: number;
  pausedAt?: string;
  /** What had happened when the budget stopped the workflow; restored once a person answers. */
  heldOutcome?: LastOutcome;
}

/** The run in flight: scheduled or started, without a result yet. */
export function currentRun(state: WorkflowState): StepRun | undefined {
  const run = state.runs[state.runs.length - 1];
  return run !== undefined && (run.status === 'scheduled' || run.status === 'started') ? run : undefined;
}

export function lastCompletedRun(state: WorkflowState): StepRun | undefined {
  for (let i = state.runs.length - 1; i >= 0; i--) if (state.runs[i]!.status === 'completed') return state.runs[i];
  return undefined;
}

export function initialState(workflowId: string, event: Extract<WorkflowEvent, { type: 'workflow_started' }>): WorkflowState {
  const def = event.definition;
  const firstStep = def.steps.find((s) => s.id === def.start);
  return {
    workflowId,
    definition: def,
    ...(event.name !== undefined ? { name: event.name } : {}),
    status: 'running',
    paused: false,
    phase: firstStep?.phase ?? def.phases[0]!.id,
    requirements: event.requirements,
    workspace: event.workspace,
    ...(event.profile !== undefined ? { profile: event.profile } : {}),
    ...(event.taskType !== undefined ? { taskType: event.taskType } : {}),
    documentationLocations: event.documentationLocations,
    autoApprove: event.autoApprove,
    agentMode: event.agentMode ?? 'configured',
    ...(event.editsInPlace === true ? { editsInPlace: true } : {}),
    createdAt: event.at,
    updatedAt: event.at,
    seq: event.seq,
    runs: [],
    outputs: [],
    validations: [],
    loops: Object.fromEntries(def.loops.map((l) => [l.id, { extraRounds: 0, stallFrom: 0 }])),
    last: { kind: 'started' },
    gate: null,
    askedReviewGates: [],
    approvals: [],
    escalation: null,
    escalations: [],
    phaseTransitions: [],
    failureStreak: [],
    ...(event.actor !== undefined ? { startedBy: event.actor } : {}),
    ...((event.budget ?? def.budget) !== undefined ? { budget: event.budget ?? def.budget } : {}),
  };
}
