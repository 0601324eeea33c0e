/**
 * What every route does the same way: parse a body or query with its schema (a 400 names the
 * field), refuse malformed ids as unknown (404), and feed metrics from events a command appended.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import type { WorkflowState } from '../../../core/state.js';
import { observeEvents } from '../../../ops/index.js';
import { textFromBytes } from '../../../core/text-input.js';
import type { AppDeps, AppEnv } from '../app-env.js';
import type { Caller } from '../../shared/workflow-access.js';
import { HttpProblem, ValidationFailure, notFound } from '../http-errors.js';
import { WORKFLOW_ID_PATTERN } from '../schemas.js';

export async function readBody<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.output<S>> {
  // Decoded strictly: a lenient decoder would hand on a bad byte as U+FFFD, and the text checks
  // of the access layer could no longer see it.
  const text = textFromBytes(new Uint8Array(await c.req.arrayBuffer()), { what: 'The request body', code: 'USAGE', hint: 'Send JSON encoded as UTF-8.' });
  let value: unknown = {};
  if (text.trim() !== '') {
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
      throw new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'The body must be JSON.', 'Send Content-Type: application/json.');
    }
    try {
      value = JSON.parse(text);
    } catch {
      throw new HttpProblem(400, 'USAGE', 'The request body is not valid JSON.', 'Check quotes and commas; see /openapi.json for the shape.');
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationFailure(parsed.error, 'body');
  return parsed.data;
}

export function readQuery<S extends z.ZodType>(c: Context<AppEnv>, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw new ValidationFailure(parsed.error, 'query');
  return parsed.data;
}

/** The :id of the route; an id that could never exist is unknown, not malformed. */
export function workflowIdOf(c: Context<AppEnv>): string {
  const id = c.req.param('id') ?? '';
  if (!WORKFLOW_ID_PATTERN.test(id)) throw notFound(`There is no workflow ${JSON.stringify(id.slice(0, 80))} in this store.`, 'List workflows with GET /api/workflows.');
  return id;
}

export function actorOf(c: Context<AppEnv>) {
  return { id: c.var.principal.name, via: 'http' as const };
}

/**
 * The caller as the shared access layer sees it. The layer writes this request's audit row
 * itself, with the outcome, so the audit middleware is told to write none.
 */
export function callerOf(c: Context<AppEnv>): Caller {
  c.set('auditNote', { action: `${c.req.method} ${c.req.path}`, recorded: true });
  return principalCaller(c);
}

/** The caller, for a role check only: the request's own audit row is still the middleware's to write. */
export function principalCaller(c: Context<AppEnv>): Caller {
  const principal = c.var.principal;
  return { name: principal.name, role: principal.role, via: 'http', tokenId: principal.tokenId ?? null, requestId: c.var.requestId };
}

/**
 * The engine's onEvents hook sees only what runners append; commands (an approval, a cancel)
 * append directly, so their outcome reaches metrics from here.
 */
export async function observeCommand(deps: AppDeps, beforeSeq: number, state: WorkflowState): Promise<void> {
  if (state.seq <= beforeSeq) return;
  const events = (await deps.engine.store.readEvents(state.workflowId, beforeSeq)).filter((e) => e.seq <= state.seq);
  observeEvents(deps.metrics, state, events);
}

export async function lastSeqOf(deps: AppDeps, id: string): Promise<number> {
  const summary = await deps.engine.store.getWorkflow(id);
  if (summary === undefined) throw notFound(`There is no workflow ${id} in this store.`, 'List workflows with GET /api/workflows.');
  return summary.lastSeq;
}
