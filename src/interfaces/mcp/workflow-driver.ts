/**
 * Advances workflows for the MCP server, one run at a time per workflow.
 *
 * Two runs of the same workflow in one process would share the runner's lease owner and both
 * execute the next step (checks twice, say), so runs are chained per workflow: a request that
 * arrives while one runs waits for it and then runs once more (requests arriving meanwhile share
 * that second run). Runs outlive the tool call that asked for them: a tool waits only as long as
 * its budget allows and the client polls for the rest.
 */
import type { Runner, RunOutcome } from '../../engine/runner.js';

export type DriverLog = (message: string) => void;

export class WorkflowDriver {
  readonly #runner: Pick<Runner, 'run'>;
  readonly #log: DriverLog;
  readonly #inFlight = new Map<string, Promise<RunOutcome>>();
  readonly #queued = new Map<string, Promise<RunOutcome>>();
  readonly #stop = new AbortController();

  constructor(runner: Pick<Runner, 'run'>, log: DriverLog = () => undefined) {
    this.#runner = runner;
    this.#log = log;
  }

  /** Runs the workflow until it ends or waits (for a person or an external result). */
  advance(workflowId: string): Promise<RunOutcome> {
    const queued = this.#queued.get(workflowId);
    if (queued !== undefined) return queued;
    const current = this.#inFlight.get(workflowId);
    if (current === undefined) return this.#start(workflowId);
    const next = current.catch(() => undefined).then(() => {
      this.#queued.delete(workflowId);
      return this.#start(workflowId);
    });
    this.#queued.set(workflowId, next);
    return next;
  }

  /** True while this process advances the workflow. */
  busy(workflowId: string): boolean {
    return this.#inFlight.has(workflowId) || this.#queued.has(workflowId);
  }

  /** Stops every run at its next safe point; nothing recorded is lost and a later run resumes. */
  close(): void {
    this.#stop.abort();
  }

  #start(workflowId: string): Promise<RunOutcome> {
    const run = this.#runner.run(workflowId, { waitForHumans: false, signal: this.#stop.signal });
    this.#inFlight.set(workflowId, run);
    const settled = run.finally(() => {
      if (this.#inFlight.get(workflowId) === run) this.#inFlight.delete(workflowId);
    });
    // A caller that stopped waiting (budget spent) must not turn a failure into an unhandled rejection.
    settled.catch((error: unknown) => this.#log(`workflow ${workflowId}: the run stopped with an error: ${error instanceof Error ? error.message : String(error)}`));
    return settled;
  }
}
