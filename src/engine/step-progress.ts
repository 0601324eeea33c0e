/**
 * What a running step is doing between its recorded events: which check runs, what a command
 * agent reports it is doing. Only for showing progress; none of it is recorded (the results are).
 */
import type { ToolResult } from '../core/records.js';

interface StepRef {
  workflowId: string;
  actionId: string;
  stepNumber: number;
}

export type StepProgress =
  | (StepRef & { kind: 'check_started'; check: string; index: number; total: number })
  | (StepRef & { kind: 'check_finished'; check: string; index: number; total: number; status: ToolResult['status']; durationMs: number })
  | (StepRef & { kind: 'agent_activity'; role: string; text: string });

export type StepProgressListener = (progress: StepProgress) => void;

/** Calls `listener`, which must never cost a step its run: a display that throws is ignored. */
export function tell(listener: StepProgressListener | undefined, progress: StepProgress): void {
  try {
    listener?.(progress);
  } catch {
    // Progress is only shown, never needed.
  }
}
