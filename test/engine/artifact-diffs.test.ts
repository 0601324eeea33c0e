import { describe, expect, it } from 'vitest';
import type { FileChange } from '../../src/core/records.js';
import { artifactFilesAt, artifactVersions, diffArtifactVersions, roundDiffs } from '../../src/engine/artifact-diffs.js';
import { PASSING_PLAN, Run, FAILING_CODE } from '../core/helpers.js';

/** Records the output of the step in flight with real file contents (Run.output has paths only). */
function produce(run: Run, stepId: string, content: string, files: FileChange[] = [], refusedPaths?: string[]): Run {
  run.schedule(stepId);
  const state = run.state();
  const actionId = state.runs.at(-1)!.actionId;
  const artifact = state.definition.steps.find((s) => s.id === stepId)!.artifact;
  return run.push({
    type: 'step_output_recorded',
    at: '',
    actionId,
    output: { artifact, content, files, ...(refusedPaths !== undefined ? { refusedPaths } : {}) },
  });
}

const create = (path: string, content: string): FileChange => ({ path, action: 'create', content });
const update = (path: string, content: string): FileChange => ({ path, action: 'update', content });

/** A plan revised once, then code written and refined twice. */
function workflow(): Run {
  const run = new Run();
  produce(run, 'plan', '# Plan\n\n1. Parse the CSV\n2. Write the rows\n');
  run.schedule('validate_plan').report(PASSING_PLAN);
  produce(run, 'revise_plan', '# Plan\n\n1. Parse the CSV\n2. Validate the header\n3. Write the rows\n');
  run.schedule('validate_plan').report(PASSING_PLAN);
  run.askGate('plan_approval', 'validate_plan').answerGate('approve');
  produce(run, 'implement', 'Added the exporter.', [
    create('src/export.ts', 'export function exportCsv() {\n  return "";\n}\n'),
    create('src/util.ts', 'export const SEP = ",";\n'),
  ]);
  run.schedule('validate_code').report(FAILING_CODE);
  produce(run, 'refine_code', 'Fixed the separator.', [update('src/util.ts', 'export const SEP = ";";\n')]);
  run.schedule('revalidate_code').report(FAILING_CODE);
  produce(run, 'refine_code', 'Removed the helper, wrote tests.', [
    { path: 'src/util.ts', action: 'delete' },
    create('test/export.test.ts', 'test("x", () => {});\n'),
    create('../escape.ts', 'nope\n'),
  ], ['../escape.ts']);
  return run;
}

describe('artifactVersions', () => {
  it('lists the versions of an artifact with step, action and time', () => {
    const state = workflow().state();
    const plans = artifactVersions(state, 'plan');
    expect(plans.map((v) => [v.version, v.stepId])).toEqual([
      [1, 'plan'],
      [2, 'revise_plan'],
    ]);
    expect(plans[1]!.content).toContain('Validate the header');
    expect(plans[0]!.actionId).not.toBe(plans[1]!.actionId);
    expect(plans[0]!.at < plans[1]!.at).toBe(true);
  });

  it('leaves refused writes out of a version\'s files', () => {
    const code = artifactVersions(workflow().state(), 'code');
    expect(code).toHaveLength(3);
    expect(code[2]!.files.map((f) => f.path)).toEqual(['src/util.ts', 'test/export.test.ts']);
  });

  it('returns no versions for an artifact that was never produced', () => {
    expect(artifactVersions(workflow().state(), 'docs')).toEqual([]);
  });
});

describe('diffArtifactVersions', () => {
  describe('a text artifact (plan)', () => {
    it('diffs the plan text between two versions', () => {
      const diff = diffArtifactVersions(workflow().state(), 'plan', 1, 2);
      expect(diff).toBe(
        ['--- plan v1', '+++ plan v2', '@@ -1,4 +1,5 @@', ' # Plan', ' ', ' 1. Parse the CSV', '-2. Write the rows', '+2. Validate the header', '+3. Write the rows', ''].join('\n'),
      );
    });

    it('shows the first version whole when diffed from version 0', () => {
      const diff = diffArtifactVersions(workflow().state(), 'plan', 0, 1);
      expect(diff).toContain('+1. Parse the CSV');
      expect(diff).not.toMatch(/^-[^-]/m);
    });

    it('returns an empty diff between a version and itself', () => {
      expect(diffArtifactVersions(workflow().state(), 'plan', 2, 2)).toBe('');
    });
  });

  describe('a file artifact (code)', () => {
    it('diffs only the files a refinement changed, against their earlier content', () => {
      const diff = diffArtifactVersions(workflow().state(), 'code', 1, 2);
      expect(diff).toBe(['--- a/src/util.ts', '+++ b/src/util.ts', '@@ -1,1 +1,1 @@', '-export const SEP = ",";', '+export const SEP = ";";', ''].join('\n'));
    });

    it('shows created files against /dev/null and deleted files to /dev/null', () => {
      const diff = diffArtifactVersions(workflow().state(), 'code', 2, 3);
      expect(diff).toContain('--- a/src/util.ts\n+++ /dev/null\n');
      expect(diff).toContain('--- /dev/null\n+++ b/test/export.test.ts\n');
      expect(diff).not.toContain('escape');
    });

    it('diffs the cumulative file set across several versions', () => {
      const diff = diffArtifactVersions(workflow().state(), 'code', 0, 3);
      expect(diff).toContain('+++ b/src/export.ts');
      expect(diff).toContain('+++ b/test/export.test.ts');
      expect(diff).not.toContain('src/util.ts');
    });

    it('diffs the summaries instead when asked for text', () => {
      expect(diffArtifactVersions(workflow().state(), 'code', 1, 2, { mode: 'text' })).toContain('+Fixed the separator.');
    });
  });

  describe('a version that does not exist', () => {
    it.each([
      ['plan', 1, 3],
      ['plan', -1, 1],
      ['plan', 1.5, 2],
      ['docs', 0, 1],
    ] as const)('throws USAGE for %s %d → %d', (artifact, from, to) => {
      expect(() => diffArtifactVersions(workflow().state(), artifact, from, to)).toThrow(
        expect.objectContaining({ code: 'USAGE', hint: expect.any(String) }),
      );
    });
  });
});

describe('artifactFilesAt', () => {
  it('holds each file at its latest content up to the version', () => {
    const state = workflow().state();
    expect(Object.fromEntries(artifactFilesAt(state, 'code', 2))).toEqual({
      'src/export.ts': 'export function exportCsv() {\n  return "";\n}\n',
      'src/util.ts': 'export const SEP = ";";\n',
    });
    expect([...artifactFilesAt(state, 'code', 3).keys()].sort()).toEqual(['src/export.ts', 'test/export.test.ts']);
  });
});

describe('roundDiffs', () => {
  it('gives one diff per recorded output, each against the version before it', () => {
    const rounds = roundDiffs(workflow().state());
    expect(rounds.map((r) => [r.artifact, r.fromVersion, r.toVersion, r.stepId])).toEqual([
      ['plan', 0, 1, 'plan'],
      ['plan', 1, 2, 'revise_plan'],
      ['code', 0, 1, 'implement'],
      ['code', 1, 2, 'refine_code'],
      ['code', 2, 3, 'refine_code'],
    ]);
    expect(rounds[3]!.diff).toBe(diffArtifactVersions(workflow().state(), 'code', 1, 2));
  });

  it('returns nothing for a workflow without outputs', () => {
    expect(roundDiffs(new Run().state())).toEqual([]);
  });
});
