/**
 * The two shapes a tool answers with: a structured result with a readable summary, or a domain
 * failure flagged `isError` with `{ code, message, hint }`. A calling model reads the failure
 * and can act on it (submit the right step, wait for the gate); a JSON-RPC error it might never
 * see is kept for protocol faults only.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isConvergeError } from '../../core/errors.js';

export function ok(structured: object, text: string): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured as Record<string, unknown> };
}

export interface ToolFailure {
  code: string;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

export function failed(error: unknown): CallToolResult {
  const failure = toFailure(error);
  const text = `${failure.code}: ${failure.message}${failure.hint ? `\nhint: ${failure.hint}` : ''}`;
  return { isError: true, content: [{ type: 'text', text }], structuredContent: failure as unknown as Record<string, unknown> };
}

export function toFailure(error: unknown): ToolFailure {
  if (isConvergeError(error)) {
    const details = Object.keys(error.details).length > 0 ? { details: error.details } : {};
    return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}), ...details };
  }
  // Unexpected errors: one line, no stack — the details belong in the server's log.
  const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  return { code: 'INTERNAL', message: `Unexpected error: ${message}`, hint: 'This is a bug; the server log has the details.' };
}

/** Runs a tool body, turning any thrown error into a tool failure result. */
export async function guarded(log: (message: string) => void, tool: string, body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (!isConvergeError(error)) log(`${tool}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return failed(error);
  }
}
