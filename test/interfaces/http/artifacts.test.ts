/**
 * Artifacts over HTTP: versions, one version's text and files, diffs between versions. Paths
 * are keys into the recorded files: traversal is refused and nothing is read from the disk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadState } from '../../../src/engine/workflow-log.js';
import { createHttpKit } from './http-test-kit.js';
import type { HttpKit } from './http-test-kit.js';

describe('artifact routes', () => {
  let kit: HttpKit;
  let id: string;
  let base: string;
  beforeAll(async () => {
    kit = await createHttpKit();
    id = await kit.workflowAtPlanGate();
    base = `/api/workflows/${id}`;
    // Approve the plan and run on to the final gate, so a code artifact with files exists.
    await kit.json('POST', `${base}/approval`, { role: 'approver', body: { decision: 'approve' } });
    const outcome = await kit.engine.runner.run(id, { waitForHumans: false });
    expect(outcome.waitingFor).toBe('gate:final_approval');
  });
  afterAll(() => kit.close());

  it('lists each artifact with its versions and files', async () => {
    const { body } = await kit.json('GET', `${base}/artifacts`, { role: 'viewer' });
    const code = body.items.find((a: { artifact: string }) => a.artifact === 'code');
    expect(body.items.map((a: { artifact: string }) => a.artifact)).toEqual(['plan', 'code']);
    expect(code.versions[0].files).toContainEqual(expect.objectContaining({ path: 'src/value.txt' }));
  });

  it('shows one version with its text', async () => {
    const { status, body } = await kit.json('GET', `${base}/artifacts/plan/versions/2`, { role: 'viewer' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ artifact: 'plan', version: 2, step_id: 'revise_plan' });
    expect(body.content).toContain('Implementation Plan');
  });

  it('shows a recorded file of a version', async () => {
    const { status, body } = await kit.json('GET', `${base}/artifacts/code/versions/1/file?path=src/value.txt`, { role: 'viewer' });
    expect(status).toBe(200);
    expect(body.content.trim()).toBe('good');
  });

  it('diffs two versions of the plan', async () => {
    const { status, body } = await kit.json('GET', `${base}/artifacts/plan/diff?from=1&to=2`, { role: 'viewer' });
    expect(status).toBe(200);
    expect(body.diff).toContain('--- plan v1');
    expect(body.diff).toMatch(/^\+.*\(v2\)/m);
  });

  it('diffs every version against the one before it', async () => {
    const { body } = await kit.json('GET', `${base}/diffs`, { role: 'viewer' });
    expect(body.items.map((d: { artifact: string; to: number }) => `${d.artifact}${d.to}`)).toEqual(['plan1', 'plan2', 'code1']);
  });

  it('answers 400 naming a version that does not exist in a diff', async () => {
    const { status, body } = await kit.json('GET', `${base}/artifacts/plan/diff?from=1&to=9`, { role: 'viewer' });
    expect(status).toBe(400);
    expect(body.message).toContain('no plan version 9');
  });

  it('names a missing diff parameter', async () => {
    const { status, body } = await kit.json('GET', `${base}/artifacts/plan/diff?from=1`, { role: 'viewer' });
    expect(status).toBe(400);
    expect(body.details.field).toBe('to');
  });

  it.each([
    ['an unknown artifact', '/artifacts/secrets/versions/1'],
    ['an artifact name with a traversal', `/artifacts/${encodeURIComponent('../plan')}/versions/1`],
    ['a version that is not a number', '/artifacts/plan/versions/..'],
    ['a version that does not exist', '/artifacts/plan/versions/7'],
    ['a file the version does not have', '/artifacts/code/versions/1/file?path=src/other.txt'],
  ])('answers 404 for %s', async (_what, suffix) => {
    const { status, body } = await kit.json('GET', `${base}${suffix}`, { role: 'viewer' });
    expect(status).toBe(404);
    expect(body.code).toBe('NOT_FOUND');
  });

  it.each(['../../../../etc/passwd', '/etc/passwd', 'src/../../outside.txt', 'C:\\Windows\\win.ini', '..\\..\\secret'])('refuses the path %s with 400 and never reads it', async (path) => {
    const { status, body } = await kit.json('GET', `${base}/artifacts/code/versions/1/file?path=${encodeURIComponent(path)}`, { role: 'viewer' });
    expect(status).toBe(400);
    expect(body.code).toBe('PATH_ESCAPE');
  });

  it('serves a file recorded in the log even after it changed on disk', async () => {
    const state = await loadState(kit.engine.store, id);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${state.workspace.path}/src/value.txt`, 'changed on disk');
    const { body } = await kit.json('GET', `${base}/artifacts/code/versions/1/file?path=src/value.txt`, { role: 'viewer' });
    expect(body.content.trim()).toBe('good');
  });
});
