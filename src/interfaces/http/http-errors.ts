/**
 * One error body for every failure: `{ code, message, hint }`, the status from the shared error
 * map. Anything that is not a ConvergeError is a 500 whose details stay in the log, named by
 * the request id the client gets.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { formatPath, isConvergeError } from '../../core/errors.js';
import { httpStatusFor } from '../error-map.js';
import type { Logger } from '../../ops/index.js';
import type { AppEnv } from './app-env.js';

export interface ErrorBody {
  code: string;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
  request_id?: string;
}

/** An HTTP-only failure (no ConvergeError code fits): 404 for a route or artifact, 413, 415. */
export class HttpProblem extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}

export function notFound(message: string, hint?: string): HttpProblem {
  return new HttpProblem(404, 'NOT_FOUND', message, hint);
}

export function errorJson(c: Context, status: ContentfulStatusCode, body: ErrorBody): Response {
  return c.json(body, status);
}

interface ZodLikeError {
  name: string;
  issues: Array<{ path: PropertyKey[]; message: string }>;
}

function isZodError(error: unknown): error is ZodLikeError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ZodError' && Array.isArray((error as { issues?: unknown }).issues);
}

/** A zod failure as one 400 that names the first offending field. */
export function validationBody(error: ZodLikeError, where: 'body' | 'query'): ErrorBody {
  const first = error.issues[0];
  const field = first ? formatPath(first.path) : '(root)';
  const fields = error.issues.map((i) => ({ field: formatPath(i.path), message: i.message }));
  return {
    code: 'USAGE',
    message: `Invalid ${where === 'body' ? 'request body' : 'query parameter'}: ${field}: ${first?.message ?? 'invalid'}.`,
    hint: fields.length > 1 ? `Also: ${fields.slice(1).map((f) => `${f.field}: ${f.message}`).join('; ')}.` : 'See /openapi.json for the expected shape.',
    details: { field, fields, in: where },
  };
}

export class ValidationFailure extends Error {
  constructor(
    readonly zod: ZodLikeError,
    readonly where: 'body' | 'query',
  ) {
    super('validation failed');
    this.name = 'ValidationFailure';
  }
}

export function errorHandler(log: Logger): (error: unknown, c: Context<AppEnv>) => Response {
  return (error, c) => handleError(error, c, log);
}

function handleError(error: unknown, c: Context<AppEnv>, log: Logger): Response {
  if (error instanceof ValidationFailure) return errorJson(c, 400, validationBody(error.zod, error.where));
  if (isZodError(error)) return errorJson(c, 400, validationBody(error, 'body'));
  if (error instanceof HttpProblem) {
    return errorJson(c, error.status, { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) });
  }
  if (isConvergeError(error)) {
    const status = httpStatusFor(error.code) as ContentfulStatusCode;
    if (status >= 500) log.error({ requestId: c.var.requestId, code: error.code, err: String(error.cause ?? '') }, error.message);
    return errorJson(c, status, { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) });
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    return errorJson(c, status, { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : `HTTP_${status}`, message: error.message || 'The request was refused.' });
  }
  const requestId = c.get('requestId');
  log.error({ requestId, err: error instanceof Error ? (error.stack ?? error.message) : String(error) }, 'unexpected error');
  return errorJson(c, 500, {
    code: 'INTERNAL',
    message: 'Something went wrong on the server.',
    hint: `This is a bug; the server log has the details under request id ${requestId}.`,
    request_id: requestId,
  });
}
