/**
 * What operators do over HTTP — pause, resume, cancel, fork, submit a step result, run checks —
 * and knowledge search.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadState } from '../../../src/engine/workflow-log.js';
import { createHttpKit } from './http-test-kit.js';
import type { HttpKit } from './http-test-kit.js';

describe('workflow actions', () => {
  let kit: HttpKit;
  let id: string;
  beforeEach(async () => {
    kit = await createHttpKit();
    id = await kit.workflowAtPlanGate();
  });
  afterEach(() => kit.close());

  it('pauses and resumes a workflow', async () => {
    const paused = await kit.json('POST', `/api/workflows/${id}/pause`, { role: 'operator' });
    expect(paused.status).toBe(200);
    expect((await loadState(kit.engine.store, id)).paused).toBe(true);
    const resumed = await kit.json('POST', `/api/workflows/${id}/resume`, { role: 'operator', body: {} });
    expect(resumed.status).toBe(200);
    expect((await loadState(kit.engine.store, id)).paused).toBe(false);
    expect((await kit.audit.read()).map((r) => r.action)).toEqual(['workflow.pause', 'workflow.resume']);
  });

  it('refuses parameters on resume', async () => {
    const { status, body } = await kit.json('POST', `/api/workflows/${id}/resume`, { role: 'operator', body: { force: true } });
    expect(status).toBe(400);
    expect(body.message).toContain('force');
  });

  it('cancels a workflow with a reason, and refuses to resume it afterwards', async () => {
    const { status, body } = await kit.json('POST', `/api/workflows/${id}/cancel`, { role: 'operator', body: { reason: 'wrong project' } });
    expect(status).toBe(200);
    expect(body.workflow.status).toBe('cancelled');
    const resume = await kit.json('POST', `/api/workflows/${id}/resume`, { role: 'operator' });
    expect(resume.status).toBe(409);
    expect(resume.body.code).toBe('ILLEGAL_ACTION');
    const again = await kit.json('POST', `/api/workflows/${id}/cancel`, { role: 'operator', body: {} });
    expect(again.status).toBe(409);
  });

  it('forks a workflow from a step it ran', async () => {
    const { status, body } = await kit.json('POST', `/api/workflows/${id}/fork`, { role: 'operator', body: { from_step: 3 } });
    expect(status).toBe(201);
    expect(body.forked_from).toBe(id);
    const fork = await loadState(kit.engine.store, body.workflow.id);
    expect(fork.forkedFrom).toMatchObject({ workflowId: id, step: 3 });
  });

  it('answers 400 to a fork from a step that never ran', async () => {
    const { status, body } = await kit.json('POST', `/api/workflows/${id}/fork`, { role: 'operator', body: { from_step: 6 } });
    expect(status).toBe(400);
    expect(body.message).toContain('never ran step 6');
  });

  it('answers 409 to a step result when no step waits for one', async () => {
    const { status, body } = await kit.json('POST', `/api/workflows/${id}/result`, { role: 'operator', body: { texts: ['# Implementation Plan: x\n\nlong enough text for a plan'] } });
    expect(status).toBe(409);
    expect(body.code).toBe('WRONG_STEP');
  });

  it('runs the checks of the definition in the workspace without recording them', async () => {
    const before = (await kit.engine.store.getWorkflow(id))!.lastSeq;
    const { status, body } = await kit.json('POST', `/api/workflows/${id}/checks/run`, { role: 'operator', body: {} });
    expect(status).toBe(200);
    expect(body).toMatchObject({ workflow_id: id, required_passed: false, results: [expect.objectContaining({ id: 'value', status: 'failed', required: true })] });
    expect((await kit.engine.store.getWorkflow(id))!.lastSeq).toBe(before);
  });

  it('names check_ids when a check is unknown', async () => {
    const { status, body } = await kit.json('POST', `/api/workflows/${id}/checks/run`, { role: 'operator', body: { check_ids: ['lint'] } });
    expect(status).toBe(400);
    expect(body).toMatchObject({ message: expect.stringContaining('check_ids'), hint: 'Its checks: value.' });
  });
});

describe('GET /api/knowledge/search', () => {
  it("searches the workflow workspace's documentation within a budget", async () => {
    const kit = await createHttpKit();
    const id = await kit.workflowAtPlanGate();
    const { status, body } = await kit.json('GET', `/api/knowledge/search?q=${encodeURIComponent('crash resume tests')}&workflow_id=${id}&budget=500`, { role: 'viewer' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ query: 'crash resume tests', role: 'programmer', budget: 500 });
    expect(body.chunks.length).toBeGreaterThan(0);
    expect(body.chunks[0].path).toBe('README.md');
    await kit.close();
  });

  it('names an empty query', async () => {
    const kit = await createHttpKit();
    const { status, body } = await kit.json('GET', '/api/knowledge/search?q=', { role: 'viewer' });
    expect(status).toBe(400);
    expect(body.details.field).toBe('q');
    await kit.close();
  });

  it('answers 404 for an unknown workflow', async () => {
    const kit = await createHttpKit();
    const { status } = await kit.json('GET', '/api/knowledge/search?q=x&workflow_id=wf-nothere00', { role: 'viewer' });
    expect(status).toBe(404);
    await kit.close();
  });
});
