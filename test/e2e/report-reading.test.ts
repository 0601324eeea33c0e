/**
 * Issue 14 end to end: the code review's scores count (a weak review with no issue sends the code
 * to step 6), and people can see what Converge reads from their files before it records anything.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, converge, copyFixture } from './helpers/cli.js';

const REPORTS = join(ROOT, 'test', 'fixtures', 'reports');

interface HistoryEvent {
  type: string;
  stepId?: string;
}

async function history(dir: string, config: string, id: string): Promise<HistoryEvent[]> {
  const out = await converge(['--store', 'store.db', '--config', config, '--json', 'history', id], { cwd: dir });
  return out.stdout.trim().split('\n').map((l) => JSON.parse(l) as HistoryEvent);
}

describe('the code review’s L1 gate', () => {
  it('sends code whose check passes and whose review lists no issue but scores 5.5 / 6.0 to refinement (step 6)', async () => {
    const dir = copyFixture('crash');
    const config = 'converge-l1-gate.yaml';
    const id = (await converge(['--store', 'store.db', '--config', config, 'start', 'Write the value file', '--workspace', 'project', '--auto-approve'], { cwd: dir })).stdout.trim();
    const run = await converge(['--store', 'store.db', '--config', config, 'resume', id, '--no-wait'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);

    const scheduled = (await history(dir, config, id)).filter((e) => e.type === 'step_scheduled').map((e) => e.stepId);
    expect(scheduled).toEqual(['plan', 'validate_plan', 'implement', 'validate_code', 'refine_code', 'revalidate_code']);

    const report = await converge(['--store', 'store.db', '--config', config, 'report', id, '--round', '2'], { cwd: dir });
    expect(report.stdout).toContain('| value | L2 | yes | PASSED |');
    expect(report.stdout).toContain('Converged: no (unmet: L1 review 5.75 < 7.0)');
  }, 60_000);
});

describe('converge parse', () => {
  // A folder without converge.yaml: the built-in definition and the named profile decide.
  const dir = mkdtempSync(join(tmpdir(), 'converge-parse-'));

  it('prints the scores with their labels and the note on an issue restated across sections', async () => {
    const out = await converge(['parse', join(REPORTS, 'restated-across-sections.md'), '--as', 'report', '--profile', 'cursus'], { cwd: dir });
    expect(out.exitCode, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/alignment\s+7\s+"Alignment Rules Score" \(Summary\)/);
    expect(out.stdout).toMatch(/weighted overall\s+7\.7\s+"Weighted Overall Score" \(Summary\)/);
    expect(out.stdout).toContain('Issues — counted for convergence: critical 2, major 0, minor 1, info 0');
    expect(out.stdout).toContain('Issue restated 2 times (Critical Issues; Script Implementation Validation), counted once');
  });

  it('prints one JSON object with --json, the stated count and its note included', async () => {
    const out = await converge(['--json', 'parse', join(REPORTS, 'stated-counts-disagree.md'), '--as', 'report', '--profile', 'cursus'], { cwd: dir });
    expect(out.exitCode, out.stderr).toBe(0);
    const json = JSON.parse(out.stdout) as { as: string; report: { counted: { critical: number }; report: { statedCounts: unknown; notes: string[] } } };
    expect(json.as).toBe('report');
    expect(json.report.counted.critical).toBe(3);
    expect(json.report.report.statedCounts).toEqual({ critical: 3 });
    expect(json.report.report.notes).toContain('The report states 3 critical issues but lists 4 (after merging restated ones); 3 count for convergence.');
  });

  it('lists the files of a code answer', async () => {
    const out = await converge(['parse', join(ROOT, 'test', 'fixtures', 'crash', 'outputs', 'code-v2.md'), '--as', 'code'], { cwd: dir });
    expect(out.stdout).toMatch(/src\/value\.txt\s+update, \d+ lines?/);
  });

  it('names a report cut off mid-issue, as a step would refuse it', async () => {
    const cut = join(dir, 'cut-review.md');
    writeFileSync(cut, '## Summary\n- Alignment Score: 9.5/10\n\n## Issues\n- [Crit');
    const out = await converge(['parse', cut, '--as', 'report'], { cwd: dir });
    expect(out.stdout).toContain('Cut off: the report ends mid-item');
  });

  it('says clearly when the file is missing or --as is unknown', async () => {
    const missing = await converge(['parse', 'no-such-report.md', '--as', 'report'], { cwd: dir });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('Cannot read no-such-report.md: it does not exist.');
    const unknown = await converge(['parse', join(REPORTS, 'restated-across-sections.md'), '--as', 'pdf'], { cwd: dir });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('Cannot parse a file as "pdf".');
    expect(unknown.stderr).toContain('hint: Use --as plan, --as report, --as code.');
  });
});

describe('converge submit --dry-run', () => {
  it('prints what step 2 would record and records nothing', async () => {
    const dir = copyFixture('crash');
    const config = 'converge-external.yaml';
    writeFileSync(
      join(dir, config),
      'definition: seven-step\nprofile: cursus\nchecks:\n  - { id: value, command: ["node", "check.mjs"], required: true }\nagents:\n  default: { provider: external }\n',
    );
    const cli = (...args: string[]) => converge(['--store', 'store.db', '--config', config, ...args], { cwd: dir });
    const id = (await cli('start', 'Write the value file', '--workspace', 'project')).stdout.trim();
    await cli('resume', id, '--no-wait');
    expect((await cli('submit', id, '--step', '1', '--file', 'outputs/plan-v2.md')).exitCode).toBe(0);
    await cli('resume', id, '--no-wait');
    const before = (await history(dir, config, id)).length;

    const dry = await cli('submit', id, '--step', '2', '--file', join(REPORTS, 'stated-counts-disagree.md'), '--dry-run');
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`Dry run: step 2 (validate_plan) of ${id} would record this; nothing was recorded.`);
    expect(dry.stdout).toContain('critical (4 listed, 3 stated)');
    expect(dry.stdout).toContain('not converged — alignment 6.0 < 9.0');
    expect((await history(dir, config, id)).length).toBe(before);

    const wrongStep = await cli('submit', id, '--step', '3', '--file', 'outputs/plan-v2.md', '--dry-run');
    expect(wrongStep.stderr).toContain('waits for step 2, not step 3');
  }, 60_000);
});
