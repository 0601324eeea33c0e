/**
 * Everything that happens to a workflow is one of these events, appended to its log.
 * State is `events.reduce(apply)`; nothing else is authoritative.
 *
 * Time enters the core only here, as each event's `at` (ISO 8601), stamped by the engine.
 */
import type { Budget, FailureClass, RecoveryStrategy, Role, WorkflowDefinition } from './definition-schema.js';
import type { FileChange, SandboxKind, ToolResult, Usage, ValidationReport } from './records.js';

export type ApprovalDecision = 'approve' | 'reject' | 'request_changes';

export type EscalationAnswer =
  | { kind: 'grant_rounds'; rounds: number }
  | { kind: 'accept' }
  | { kind: 'send_back'; changeRequests: string[] }
  | { kind: 'retry' }
  | { kind: 'cancel' }
  /** A budget escalation only: these limits replace the ones given, and the workflow goes on. */
  | { kind: 'raise_budget'; budget: Budget };

/** `budget`: a limit of the workflow's budget is reached (answers: raise_budget, accept, cancel). */
export type EscalationReason = 'cap_reached' | 'stall' | 'failure' | 'budget';

export interface Actor {
  /** Who did it: a user name, a token name, an MCP client, or `auto-approve` / `timeout-policy`. */
  id: string;
  via: 'cli' | 'http' | 'mcp' | 'engine';
}

export interface WorkspaceInfo {
  path: string;
  type: 'shared' | 'isolated';
  branch?: string;
  /** The original checkout when the workspace is an isolated worktree. */
  origin?: string;
  /**
   * The workflow's base: a git commit of the workspace as it was at the start (for a shared
   * workspace, its working tree with untracked files; for an isolated one, the commit it branched
   * from), kept under refs/converge/bases/<id>. Reviews diff the code against it. Absent in logs
   * from before it was recorded, and for a workspace outside git.
   */
  base?: string;
  /** The workspace's folder inside the base commit's tree ('' at the top of the repository). */
  basePrefix?: string;
}

/**
 * A durable "before" of the workspace: a git commit of its working tree under `ref`, or a file
 * listing every file's digest (a workspace outside git), or why none could be taken (the step then
 * takes its files from the result's `# File:` blocks only).
 */
export type WorkspaceSnapshot =
  | { method: 'git'; commit: string; ref: string }
  | { method: 'files'; file: string }
  | { method: 'none'; reason: string };

export interface AgentOutput {
  /** The artifact kind produced, e.g. `plan` or `code`. */
  artifact: string;
  /** The agent's text (a plan, a summary), stored verbatim. */
  content: string;
  files: FileChange[];
  /** Paths the agent tried to write outside the workspace; refused and reported. */
  refusedPaths?: string[];
  /** Changed paths the definition protects (package.json, CI config …): a person must see them before approval. */
  protectedPaths?: string[];
  /** The agent's text exactly as written, when `content` is a cleaned view of it (a fence around a plan removed). */
  raw?: string;
}

/** One review of a validate step as its author wrote it; the parsed report sits beside it. */
export interface ReviewText {
  /** The template that asked for it (step 5a or 5b …). */
  template: string;
  text: string;
}

interface Base<T extends string> {
  type: T;
  seq: number;
  at: string;
}

export type WorkflowEvent =
  | (Base<'workflow_started'> & {
      definition: WorkflowDefinition;
      requirements: string;
      workspace: WorkspaceInfo;
      profile?: string;
      taskType?: string;
      documentationLocations: string[];
      autoApprove: boolean;
      name?: string;
      /** `host`: every step waits for a result submitted from outside (an MCP host's own model). */
      agentMode?: 'host' | 'configured';
      /** Host mode: the host edits the workspace itself, so a code step's change is taken from it (absent: false). */
      editsInPlace?: boolean;
      /** Who started it, for approval policies that exclude the starter; absent in older logs. */
      actor?: Actor;
      /** The budget given at the start, replacing the definition's; absent: the definition's. */
      budget?: Budget;
    })
  | (Base<'step_scheduled'> & {
      actionId: string;
      stepId: string;
      attempt: number;
      timeoutMs: number;
      decisionType: 'invoke_agent' | 'transition_phase' | 'retry_with_recovery';
      rationale: string;
      recoveryStrategy?: RecoveryStrategy;
      notBefore?: string;
      /** Change requests handed to this run of the step. */
      changeRequests?: string[];
      decisionSource?: 'core' | 'advisor';
      /**
       * Set when the runner started the step in the same write that scheduled it, naming the
       * agent: the step_started event it replaces would only repeat the action id.
       */
      agent?: string;
    })
  | (Base<'step_started'> & { actionId: string; agent: string })
  /** The deterministic checks of a validate step, recorded before its LLM review so a resume never re-runs them. */
  | (Base<'checks_recorded'> & { actionId: string; results: ToolResult[] })
  /**
   * The workspace as it was when an external code step began waiting for a host that edits in
   * place: its change is the difference from this when the result comes in, in whichever process.
   */
  | (Base<'workspace_snapshot_taken'> & { actionId: string; snapshot: WorkspaceSnapshot })
  /** `sandbox`: where a command agent's process ran; absent for agents that run no local process. */
  | (Base<'step_output_recorded'> & { actionId: string; output: AgentOutput; usage?: Usage[]; calls?: number; sandbox?: SandboxKind })
  | (Base<'validation_recorded'> & {
      actionId: string;
      report: ValidationReport;
      /** Every review whole, as written: the report above is only what Converge read from them. */
      reviews?: ReviewText[];
      usage?: Usage[];
      calls?: number;
      sandbox?: SandboxKind;
    })
  | (Base<'step_failed'> & {
      actionId: string;
      failure: { class: FailureClass; message: string; retryAfterMs?: number; provider?: string };
      usage?: Usage[];
      calls?: number;
    })
  | (Base<'phase_transitioned'> & { from: string; to: string; trigger: string })
  | (Base<'approval_requested'> & {
      gateId: string;
      interactionId: string;
      stepId: string;
      timeoutAt?: string;
      /** Protected paths changed since a person last approved: why this gate is not approved automatically. */
      protectedPaths?: string[];
    })
  | (Base<'approval_decided'> & {
      interactionId: string;
      decision: ApprovalDecision;
      comment?: string;
      changeRequests: string[];
      actor: Actor;
      automatic?: 'auto_approve' | 'timeout_policy';
    })
  | (Base<'gate_timed_out'> & { interactionId: string })
  | (Base<'escalation_raised'> & {
      escalationId: string;
      reason: EscalationReason;
      stepId: string;
      loopId?: string;
      message: string;
    })
  | (Base<'escalation_answered'> & {
      escalationId: string;
      answer: EscalationAnswer;
      actor: Actor;
      comment?: string;
      decisionSource?: 'human' | 'advisor';
    })
  | (Base<'paused'> & { actor: Actor; reason?: string })
  | (Base<'resumed'> & { actor: Actor })
  | (Base<'cancelled'> & { actor: Actor; reason?: string })
  | (Base<'workflow_completed'> & { rationale: string })
  | (Base<'workflow_failed'> & { message: string })
  /** An isolated workspace after the end: its branch and patch kept (completed) or its worktree discarded. */
  | (Base<'workspace_settled'> & { outcome: 'kept' | 'discarded'; branch: string; patchFile?: string; commit?: string; files?: string[] })
  | (Base<'forked'> & { fromWorkflowId: string; fromSeq: number; fromStep: number })
  /**
   * A person's own version of an artifact at a pending gate: the plan's new text, or one file's
   * new content (the engine wrote it into the workspace first). The gate stays pending; later
   * steps see this version, and approving approves it. `diff` is against the version it replaced.
   */
  | (Base<'human_revision_recorded'> & {
      interactionId: string;
      artifact: string;
      /** The workspace-relative file, for a file revision. */
      path?: string;
      /** A file revision that created the file (it was not in the workspace). */
      created?: boolean;
      content: string;
      diff: string;
      actor: Actor;
      comment?: string;
    });

export type WorkflowEventType = WorkflowEvent['type'];
/** An event before the store gives it a sequence number. */
export type NewEvent = WorkflowEvent extends infer E ? (E extends WorkflowEvent ? Omit<E, 'seq'> : never) : never;

export type { Role };
