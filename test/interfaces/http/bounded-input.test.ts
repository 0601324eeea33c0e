/**
 * Bounded input over HTTP (issue 18, part 5): a body that is not UTF-8, requirements or a result
 * with a NUL, and anything over converge.yaml's limits are refused with the JSON error shape
 * ({ code, message, hint }, 400 or 413), and nothing is recorded.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWorkflow } from '../../../src/engine/workflow-commands.js';
import { loadState } from '../../../src/engine/workflow-log.js';
import { createHttpKit } from './http-test-kit.js';
import type { HttpKit } from './http-test-kit.js';

const PLAN = '# Implementation Plan: value file\n\n## Steps\n\n1. Write the value file with the expected value.\n';

describe('bounded input over HTTP', () => {
  let kit: HttpKit;
  let id: string;
  const workflows = async () => (await kit.json('GET', '/api/workflows', { role: 'viewer' })).body.items.length as number;
  const seq = async () => (await loadState(kit.engine.store, id)).seq;

  beforeEach(async () => {
    kit = await createHttpKit({ config: 'converge-external.yaml' });
    const state = await startWorkflow(kit.engine.store, kit.engine.clock, {
      definition: kit.engine.definition,
      requirements: 'Write the value file',
      workspace: { path: join(kit.dir, 'project'), type: 'shared' },
    });
    id = state.workflowId;
    await kit.engine.runner.run(id, { waitForHumans: false });
  });
  afterEach(() => kit.close());

  describe('POST /api/workflows', () => {
    it('refuses a body that is not UTF-8 as 400 USAGE', async () => {
      const body = Buffer.concat([Buffer.from('{"requirements":"Build '), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
      const res = await kit.app.request('/api/workflows', { method: 'POST', headers: { authorization: `Bearer ${kit.tokens.admin}`, 'content-type': 'application/json' }, body });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'USAGE', message: expect.stringMatching(/^The request body is not text: byte 24 is not valid UTF-8\.$/), hint: expect.any(String) });
      expect(await workflows()).toBe(1);
    });

    it('refuses requirements with a NUL as 400 USAGE', async () => {
      const res = await kit.json('POST', '/api/workflows', { role: 'operator', body: { requirements: 'Build it\u0000 now', workspace: 'project' } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'USAGE', message: 'The requirements are not text: it holds a NUL character (at character 9).', hint: expect.any(String) });
      expect(await workflows()).toBe(1);
    });

    it('refuses requirements over limits.requirements_kb as 413 INPUT_TOO_LARGE, naming the key', async () => {
      const res = await kit.json('POST', '/api/workflows', { role: 'operator', body: { requirements: 'x'.repeat(300 * 1024), workspace: 'project' } });
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ code: 'INPUT_TOO_LARGE', message: 'The requirements are 300 KiB, over the limit of 256 KiB.', hint: expect.stringContaining('limits.requirements_kb') });
      expect(await workflows()).toBe(1);
    });

    it('refuses 32 MB requirements as 413 before reading them all', async () => {
      const res = await kit.json('POST', '/api/workflows', { role: 'operator', body: { requirements: 'x'.repeat(32 * 1024 * 1024), workspace: 'project' } });
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.any(String), hint: expect.any(String) });
      expect(await workflows()).toBe(1);
    });
  });

  describe('POST /api/workflows/:id/result', () => {
    it('refuses a result with a NUL as 400 RESULT_INVALID', async () => {
      const before = await seq();
      const res = await kit.json('POST', `/api/workflows/${id}/result`, { role: 'operator', body: { step: 1, texts: [`${PLAN}\u0000`] } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'RESULT_INVALID', message: expect.stringContaining('not text: it holds a NUL character'), hint: expect.any(String) });
      expect(await seq()).toBe(before);
    });

    it('refuses a result over limits.submission_kb as 413 INPUT_TOO_LARGE', async () => {
      const before = await seq();
      const res = await kit.json('POST', `/api/workflows/${id}/result`, { role: 'operator', body: { step: 1, texts: [`${PLAN}${'detail '.repeat(450_000)}`] } });
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ code: 'INPUT_TOO_LARGE', message: expect.stringMatching(/^The step result is 3\.1 MiB, over the limit of 2 MiB\.$/), hint: expect.stringContaining('limits.submission_kb') });
      expect(await seq()).toBe(before);
    });

    it('still takes a plan', async () => {
      const res = await kit.json('POST', `/api/workflows/${id}/result`, { role: 'operator', body: { step: 1, texts: [PLAN] } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    });
  });
});
