/**
 * A result submitted from outside is refused before anything is recorded when it is empty, leaves
 * out one of step 5's two reviews, or cannot be read — as RESULT_INVALID (exit 2), not as a
 * failed step.
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConvergeError } from '../../src/core/errors.js';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/create-engine.js';
import { asResultInvalid, assertSubmissionComplete } from '../../src/engine/submission-check.js';
import { respondToGate, startWorkflow, submitStepResult } from '../../src/engine/workflow-commands.js';
import { loadState } from '../../src/engine/workflow-log.js';
import { exitCodeFor } from '../../src/interfaces/error-map.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { ProjectConfigSchema } from '../../src/workflows/project-config.js';
import { sevenStep } from '../core/helpers.js';

const FIXTURE = resolve(import.meta.dirname, '..', 'fixtures', 'crash');
const output = (name: string) => readFileSync(join(FIXTURE, 'outputs', name), 'utf8');
const stepOf = (number: number) => sevenStep().steps.find((s) => s.number === number)!;

function refusal(fn: () => unknown): ConvergeError {
  try {
    fn();
  } catch (error) {
    return error as ConvergeError;
  }
  throw new Error('expected a refusal');
}

describe('assertSubmissionComplete', () => {
  it('refuses one review for step 5, naming the missing prompt and its template', () => {
    const error = refusal(() => assertSubmissionComplete(stepOf(5), [output('code-review-a2.md')]));
    expect(error.code).toBe('RESULT_INVALID');
    expect(error.message).toBe(
      'Step 5 (validate_code) takes 2 reviews, one per prompt; 1 was given. Missing: the review for prompt 2 (step5b_two_level_standardization_validation_agent_prompt_template.md).',
    );
    expect(error.hint).toContain('one --file per review');
    expect(error.details).toMatchObject({ wanted: 2, given: 1, missing: [{ prompt: 2 }] });
    expect(exitCodeFor(error.code)).toBe(2);
  });

  it('refuses a blank second review as missing', () => {
    const error = refusal(() => assertSubmissionComplete(stepOf(7), [output('code-review-a2.md'), '  \n']));
    expect(error.message).toContain('Missing: the review for prompt 2');
  });

  it('refuses an empty plan', () => {
    expect(refusal(() => assertSubmissionComplete(stepOf(1), ['\n'])).message).toBe('The submitted result for step 1 (plan) is empty.');
  });

  it('accepts both reviews of step 5 and one text for a one-prompt step', () => {
    expect(() => assertSubmissionComplete(stepOf(5), [output('code-review-a2.md'), output('code-review-b2.md')])).not.toThrow();
    expect(() => assertSubmissionComplete(stepOf(2), [output('plan-review-2.md')])).not.toThrow();
  });
});

describe('asResultInvalid', () => {
  it("restates a parser's invalid output as RESULT_INVALID and leaves other errors alone", () => {
    const parsed = new ConvergeError('AGENT_FAILED', 'No plan.', { hint: 'Start with a title.', details: { failureClass: 'invalid_output' } });
    expect(asResultInvalid(parsed)).toMatchObject({ code: 'RESULT_INVALID', message: 'No plan.', hint: 'Start with a title.' });
    const down = new ConvergeError('AGENT_FAILED', 'Down.', { details: { failureClass: 'provider_down' } });
    expect(asResultInvalid(down)).toBe(down);
  });
});

describe('submitStepResult at step 5', () => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  async function atStep5(): Promise<{ engine: Engine; id: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'converge-submission-'));
    cpSync(join(FIXTURE, 'project'), dir, { recursive: true });
    store = await openStore(':memory:');
    const config = ProjectConfigSchema.parse({ checks: [{ id: 'value', command: ['node', 'check.mjs'], required: true }], agents: { default: { provider: 'external' } } });
    const engine = createEngine({ store, config, baseDir: dir });
    const { workflowId: id } = await startWorkflow(store, engine.clock, { definition: engine.definition, requirements: 'Write the value file', workspace: { path: dir, type: 'shared' } });
    const submit = async (step: number, ...files: string[]) => {
      await submitStepResult(store!, engine.executor, id, step, files.map(output));
      await engine.runner.run(id, { waitForHumans: false });
    };
    await engine.runner.run(id, { waitForHumans: false });
    await submit(1, 'plan-v2.md');
    await submit(2, 'plan-review-2.md');
    await respondToGate(store, engine.clock, id, { decision: 'approve' }, { id: 'tester', via: 'cli' });
    await engine.runner.run(id, { waitForHumans: false });
    await submit(4, 'code-v2.md');
    return { engine, id };
  }

  it('records nothing for one of the two reviews, then records both', async () => {
    const { engine, id } = await atStep5();
    const before = (await loadState(engine.store, id)).seq;
    await expect(submitStepResult(engine.store, engine.executor, id, 5, [output('code-review-a2.md')])).rejects.toMatchObject({
      code: 'RESULT_INVALID',
      message: expect.stringContaining('step5b_two_level_standardization'),
    });
    expect((await loadState(engine.store, id)).seq).toBe(before);

    const after = await submitStepResult(engine.store, engine.executor, id, 5, [output('code-review-a2.md'), output('code-review-b2.md')]);
    expect(after.validations.at(-1)?.report.scoreCard.missing).toEqual([]);
  }, 60_000);
});
