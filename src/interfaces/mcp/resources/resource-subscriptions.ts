/**
 * resources/subscribe for workflow resources: while anything is subscribed, the subscribed
 * workflows' index rows are polled and a change of their last sequence number sends
 * `notifications/resources/updated` for each subscribed URI of that workflow. Polling the
 * store (not an in-process event) means a change made by another process — `converge approve`
 * in a terminal, a worker — is noticed too.
 */
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { McpContext } from '../mcp-context.js';
import { workflowOfUri } from './resource-uris.js';

export interface Subscriptions {
  close(): void;
}

export function enableSubscriptions(ctx: McpContext): Subscriptions {
  const subscribed = new Set<string>();
  const seen = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;

  const lastSeq = async (id: string) => (await ctx.engine.store.getWorkflow(id).catch(() => undefined))?.lastSeq ?? -1;

  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const workflows = new Set([...subscribed].map(workflowOfUri).filter((id): id is string => id !== undefined));
      for (const id of workflows) {
        const seq = await lastSeq(id);
        if (seq === seen.get(id)) continue;
        seen.set(id, seq);
        for (const uri of subscribed) {
          if (workflowOfUri(uri) === id) await ctx.server.server.sendResourceUpdated({ uri }).catch(() => undefined);
        }
      }
    } finally {
      polling = false;
    }
  };

  const sync = () => {
    if (subscribed.size > 0 && timer === undefined) {
      timer = setInterval(() => void poll(), ctx.pollMs);
      timer.unref();
    } else if (subscribed.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  ctx.server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    const uri = request.params.uri;
    const id = workflowOfUri(uri);
    // Start from the current state, so the first notification means "changed since you subscribed".
    if (id !== undefined && !seen.has(id)) seen.set(id, await lastSeq(id));
    subscribed.add(uri);
    sync();
    return {};
  });
  ctx.server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(request.params.uri);
    sync();
    return {};
  });

  return {
    close() {
      subscribed.clear();
      sync();
    },
  };
}
