/**
 * The driver-error table, checked without a server: each pg or socket failure becomes one code.
 * Errors are built the way pg builds them (an Error with a `code`), so no live failure is needed.
 */
import { describe, expect, it } from 'vitest';
import { toStoreError } from '../../../src/store/postgres/postgres-errors.js';

const context = { location: 'postgres://converge@db:5432/converge', lockTimeoutMs: 5_000, workflowId: 'wf_1' };

function driverError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('toStoreError', () => {
  it.each([
    ['a unique violation (23505)', driverError('duplicate key value', '23505'), 'SEQUENCE_CONFLICT', true],
    ['a foreign-key violation (23503)', driverError('violates foreign key', '23503'), 'WORKFLOW_NOT_FOUND', false],
    ['a serialization failure (40001)', driverError('could not serialize access', '40001'), 'STORE_BUSY', true],
    ['a deadlock (40P01)', driverError('deadlock detected', '40P01'), 'STORE_BUSY', true],
    ['a lock timeout (55P03)', driverError('canceling statement due to lock timeout', '55P03'), 'STORE_BUSY', true],
    ['a refused connection', driverError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), 'STORE_UNAVAILABLE', true],
    ['an unknown host', driverError('getaddrinfo ENOTFOUND db', 'ENOTFOUND'), 'STORE_UNAVAILABLE', true],
    ['a terminated connection', driverError('Connection terminated unexpectedly'), 'STORE_UNAVAILABLE', true],
    ['a pool connect timeout', driverError('timeout exceeded when trying to connect'), 'STORE_UNAVAILABLE', true],
    ['an administrator shutdown (57P01)', driverError('terminating connection due to administrator command', '57P01'), 'STORE_UNAVAILABLE', true],
    ['too many connections (53300)', driverError('sorry, too many clients already', '53300'), 'STORE_UNAVAILABLE', true],
    ['a refused login (28P01)', driverError('password authentication failed', '28P01'), 'STORE_UNAVAILABLE', false],
    ['a missing database (3D000)', driverError('database "x" does not exist', '3D000'), 'STORE_UNAVAILABLE', false],
    ['a syntax error (42601)', driverError('syntax error', '42601'), 'INTERNAL', false],
  ])('maps %s to %s', (_label, error, expectedCode, retryable) => {
    const mapped = toStoreError(error, context);
    expect(mapped).toMatchObject({ name: 'ConvergeError', code: expectedCode, retryable });
    expect(mapped.cause).toBe(error);
  });

  it('maps a refusal on every address of a host (AggregateError) to retryable STORE_UNAVAILABLE', () => {
    const error = new AggregateError([driverError('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], 'connect failed');
    expect(toStoreError(error, context)).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
  });

  it('names the server by its location in a connection error', () => {
    const mapped = toStoreError(driverError('connect ECONNREFUSED', 'ECONNREFUSED'), context);
    expect(mapped.message).toContain('postgres://converge@db:5432/converge');
  });
});
