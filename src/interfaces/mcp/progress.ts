/**
 * Progress notifications for a tool call that drives a workflow, sent only when the client asked
 * for them with a `progressToken`. The workflow's index row is polled, so progress shows work done
 * by this process and by any other writer of the same store alike.
 */
import type { McpContext, ToolExtra } from './mcp-context.js';

export interface Progress {
  /** Sends a message now (progress values only ever increase, as the protocol requires). */
  say(message: string): void;
  stop(): void;
}

const POLL_MS = 500;
/** A notification at least this often, so clients that reset their timeout on progress keep waiting. */
const HEARTBEAT_MS = 5_000;

export function startProgress(ctx: McpContext, workflowId: string, extra: ToolExtra): Progress {
  const token = extra._meta?.progressToken;
  if (token === undefined) return { say: () => undefined, stop: () => undefined };
  let tick = 0;
  let lastSeq = -1;
  let lastSent = 0;
  let stopped = false;
  const say = (message: string) => {
    if (stopped) return;
    tick += 1;
    lastSent = Date.now();
    extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: tick, message } }).catch(() => undefined);
  };
  const poll = async () => {
    const row = await ctx.engine.store.getWorkflow(workflowId).catch(() => undefined);
    if (row === undefined || stopped) return;
    if (row.lastSeq === lastSeq && Date.now() - lastSent < HEARTBEAT_MS) return;
    lastSeq = row.lastSeq;
    const step = row.currentStep === null ? '' : `, step ${row.currentStep}`;
    say(`${workflowId}: ${row.status}${step}${row.waitingFor ? `, waiting for ${row.waitingFor}` : ''} (event ${row.lastSeq})`);
  };
  const timer = setInterval(() => void poll(), POLL_MS);
  timer.unref();
  void poll();
  return {
    say,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
