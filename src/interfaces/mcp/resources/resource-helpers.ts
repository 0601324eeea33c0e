/**
 * Small pieces the resource handlers share: reading a template variable, answering JSON or
 * markdown, and turning a missing workflow into the protocol's "resource not found".
 */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import type { Variables } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import { isConvergeError } from '../../../core/errors.js';

/** JSON-RPC code the MCP specification assigns to an unknown resource. */
export const RESOURCE_NOT_FOUND = -32002;

export function variable(vars: Variables, name: string): string {
  const value = vars[name];
  return decodeURIComponent(Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));
}

export function json(uri: URL, value: unknown): ReadResourceResult {
  return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }] };
}

export function text(uri: URL, body: string, mimeType = 'text/markdown'): ReadResourceResult {
  return { contents: [{ uri: uri.href, mimeType, text: body }] };
}

/** A plain error with a JSON-RPC code: an McpError would put its "MCP error -32002:" prefix on the wire too. */
export class ResourceNotFound extends Error {
  readonly code = RESOURCE_NOT_FOUND;
  readonly data: { uri: string };
  constructor(uri: URL, message: string) {
    super(message);
    this.data = { uri: uri.href };
  }
}

export function notFound(uri: URL, message: string): ResourceNotFound {
  return new ResourceNotFound(uri, message);
}

/** Resource reads have no tool-style error result, so domain errors become protocol errors here. */
export async function reading(uri: URL, body: () => Promise<ReadResourceResult>): Promise<ReadResourceResult> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof McpError || error instanceof ResourceNotFound) throw error;
    if (isConvergeError(error) && (error.code === 'WORKFLOW_NOT_FOUND' || error.code === 'TEMPLATE_NOT_FOUND')) throw notFound(uri, error.message);
    throw error;
  }
}
